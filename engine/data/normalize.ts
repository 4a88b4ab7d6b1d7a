/**
 * How 8-bit pixels become network inputs. The model file records the choice so that prediction on new
 * images applies exactly what training did.
 *  - unit:      x = p / 255                 in [0, 1]   (default for classifiers and local models)
 *  - symmetric: x = p / 127.5 - 1           in [-1, 1]  (GANs whose generator ends in tanh)
 *  - standard:  x = (p / 255 - mean[c]) / std[c], per channel c (means and stds of the training set)
 */
export type Normalization =
  | { kind: 'unit' }
  | { kind: 'symmetric' }
  | { kind: 'standard'; mean: number[]; std: number[] };

export const UNIT: Normalization = Object.freeze({ kind: 'unit' });

/**
 * Normalize `count` images of `pixelsPerChannel * channels` bytes each (NCHW), starting at image
 * `first`, into `out` (length >= count * channels * pixelsPerChannel).
 */
export function normalizeInto(
  pixels: Uint8Array,
  first: number,
  count: number,
  channels: number,
  pixelsPerChannel: number,
  norm: Normalization,
  out: Float32Array,
  outOffset = 0,
): void {
  const per = channels * pixelsPerChannel;
  const src = first * per;
  const n = count * per;
  if (norm.kind === 'unit') {
    for (let i = 0; i < n; i++) out[outOffset + i] = pixels[src + i] / 255;
  } else if (norm.kind === 'symmetric') {
    for (let i = 0; i < n; i++) out[outOffset + i] = pixels[src + i] / 127.5 - 1;
  } else {
    for (let k = 0; k < count; k++) {
      for (let c = 0; c < channels; c++) {
        const m = norm.mean[c];
        const s = 1 / norm.std[c];
        const base = k * per + c * pixelsPerChannel;
        for (let i = 0; i < pixelsPerChannel; i++) {
          out[outOffset + base + i] = (pixels[src + base + i] / 255 - m) * s;
        }
      }
    }
  }
}

/** Inverse of the normalization for one value, back to [0, 255] (for drawing prototypes and samples). */
export function denormalize(x: number, norm: Normalization, channel = 0): number {
  let v: number;
  if (norm.kind === 'unit') v = x * 255;
  else if (norm.kind === 'symmetric') v = (x + 1) * 127.5;
  else v = (x * norm.std[channel] + norm.mean[channel]) * 255;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
