/**
 * Gather a mini-batch from an ImageSet: images indices[start .. start+count) in that order,
 * normalized (normalize.ts) into the first count*channels*height*width floats of `out`. Nothing else
 * in `out` is written, so one preallocated buffer serves every batch, the last short one included.
 */
import type { ImageSet } from './folder.js';
import { normalizeInto, type Normalization } from './normalize.js';

function checkRange(set: ImageSet, indices: Int32Array, start: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > indices.length) {
    throw new RangeError(`batch: [${start}, ${start + count}) is outside the ${indices.length} indices`);
  }
  for (let k = 0; k < count; k++) {
    const i = indices[start + k];
    if (i < 0 || i >= set.n) throw new RangeError(`batch: index ${i} is outside the set of ${set.n} images`);
  }
}

export function fillBatch(
  set: ImageSet,
  indices: Int32Array,
  start: number,
  count: number,
  norm: Normalization,
  out: Float32Array,
): void {
  checkRange(set, indices, start, count);
  const hw = set.height * set.width;
  const per = set.channels * hw;
  if (out.length < count * per) throw new RangeError(`fillBatch: out holds ${out.length} floats, the batch needs ${count * per}`);
  if (norm.kind === 'standard' && (norm.mean.length < set.channels || norm.std.length < set.channels)) {
    throw new RangeError(`fillBatch: standard normalization needs a mean and std per channel (${set.channels})`);
  }
  for (let k = 0; k < count; k++) normalizeInto(set.pixels, indices[start + k], 1, set.channels, hw, norm, out, k * per);
}

/** The labels of the same images, into out[0 .. count). */
export function fillLabels(set: ImageSet, indices: Int32Array, start: number, count: number, out: Int32Array): void {
  checkRange(set, indices, start, count);
  if (out.length < count) throw new RangeError(`fillLabels: out holds ${out.length} labels, the batch needs ${count}`);
  for (let k = 0; k < count; k++) out[k] = set.labels[indices[start + k]];
}

/** Per-channel mean and standard deviation of pixel / 255 over the given images (for 'standard'). */
export function channelStats(set: ImageSet, indices?: Int32Array): { mean: number[]; std: number[] } {
  const hw = set.height * set.width;
  const per = set.channels * hw;
  const count = indices ? indices.length : set.n;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < set.channels; c++) {
    let s = 0;
    let s2 = 0;
    for (let k = 0; k < count; k++) {
      const base = (indices ? indices[k] : k) * per + c * hw;
      for (let p = 0; p < hw; p++) {
        const v = set.pixels[base + p];
        s += v;
        s2 += v * v;
      }
    }
    const n = count * hw;
    const m = n > 0 ? s / n : 0;
    const variance = n > 0 ? Math.max(0, s2 / n - m * m) : 0;
    mean.push(m / 255);
    std.push(Math.sqrt(variance) / 255 || 1);
  }
  return { mean, std };
}
