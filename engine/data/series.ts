/**
 * Sequences for the recurrent models, all [n, steps, features] float32, row-major:
 *  - image rows: an image read top to bottom, one row per step (28 steps of 28 features for a 28x28
 *    grayscale image; an RGB row is width x 3 features, pixel by pixel), normalized as the classifiers do;
 *  - generated, seeded series:
 *      sines   classify the frequency of a noisy sine (random phase and amplitude), one class per frequency;
 *      next    predict the next value of a noisy sine (regression, one output);
 *      memory  the class is given by a marker at the first step: a one-hot code over `classes` channels
 *              plus a flag channel set to 1; the `steps - 1` steps that follow hold Gaussian noise on
 *              the code channels (flag 0). The model has to store the code when the flag says so and
 *              keep it across the whole noisy sequence (Hochreiter & Schmidhuber's long time-lag tasks):
 *              gates can do that, a plain tanh recurrence mixes the noise into its memory;
 *      adding  the adding problem: channel 0 uniform in [0, 1), channel 1 marks two steps (one in each
 *              half); the target is the sum of the two marked values (regression).
 * Generated sets are interleaved by class (sample i has label i % classes), so every prefix is balanced.
 */
import type { Rng } from '../core/rng.js';
import { fillBatch } from './batch.js';
import type { ImageSet } from './folder.js';
import type { Normalization } from './normalize.js';

export type SequenceTask = 'classify' | 'regress';

/** What a sequence trainer reads: inputs by index into a batch buffer, and labels or targets. */
export interface SequenceSource {
  readonly n: number;
  readonly steps: number;
  readonly features: number;
  readonly task: SequenceTask;
  /** Classes (classify) or regression outputs per sample. */
  readonly outputs: number;
  /** Class names (classify); empty for regression. */
  readonly classes: readonly string[];
  /** Class per sample (classify; -1 = unlabeled), else null. */
  readonly labels: Int32Array | null;
  /** Targets [n, outputs] (regress), else null. */
  readonly targets: Float32Array | null;
  /** Samples indices[start .. start+count) into out[0 .. count*steps*features). */
  fill(indices: Int32Array, start: number, count: number, out: Float32Array): void;
}

/** A materialized set of sequences (the generated ones). */
export interface SeriesSet extends SequenceSource {
  /** [n, steps, features]. */
  readonly x: Float32Array;
}

export type SeriesName = 'sines' | 'next' | 'memory' | 'adding';
export const SERIES_NAMES: readonly SeriesName[] = Object.freeze(['sines', 'next', 'memory', 'adding']);

export interface SeriesOptions {
  /** Steps per sequence (default: sines 32, next 24, memory 40, adding 40). */
  steps?: number;
  /** Classes: frequencies for sines (default 3), marker codes for memory (default 2). */
  classes?: number;
  /** Gaussian noise std (default: sines and next 0.1, memory 1; unused by adding). */
  noise?: number;
}

/** The options a generated set was made with, defaults filled in (recorded in model files). */
export interface SeriesSpec {
  name: SeriesName;
  steps: number;
  classes: number;
  noise: number;
}

const STEPS: Record<SeriesName, number> = { sines: 32, next: 24, memory: 40, adding: 40 };
const NOISE: Record<SeriesName, number> = { sines: 0.1, next: 0.1, memory: 1, adding: 0 };

export function seriesSpec(name: SeriesName, o: SeriesOptions = {}): SeriesSpec {
  if (!SERIES_NAMES.includes(name)) throw new RangeError(`series: unknown set "${String(name)}" (use ${SERIES_NAMES.join(', ')})`);
  const steps = o.steps ?? STEPS[name];
  const classes = name === 'sines' ? (o.classes ?? 3) : name === 'memory' ? (o.classes ?? 2) : 1;
  const noise = o.noise ?? NOISE[name];
  const minSteps = name === 'adding' ? 2 : name === 'next' ? 1 : 2;
  if (!Number.isInteger(steps) || steps < minSteps || steps > 10000) throw new RangeError(`series ${name}: steps must be an integer from ${minSteps} to 10000, got ${steps}`);
  if (!Number.isInteger(classes) || classes < 1 || classes > 64) throw new RangeError(`series ${name}: classes must be an integer from 1 to 64, got ${classes}`);
  if (name !== 'adding' && name !== 'next' && classes < 2) throw new RangeError(`series ${name}: needs at least 2 classes`);
  if (!(noise >= 0 && noise <= 100)) throw new RangeError(`series ${name}: noise must be in [0, 100], got ${noise}`);
  return { name, steps, classes, noise };
}

/** Angular frequency (radians a step) of sines class k of K: periods from 4 to 16 steps, log-spaced. */
export function sineFrequency(k: number, classes: number): number {
  const period = classes === 1 ? 8 : 4 * Math.pow(4, k / (classes - 1));
  return (2 * Math.PI) / period;
}

/** Generate n sequences of a named series from the seeded Rng. */
export function makeSeries(spec: SeriesSpec, n: number, rng: Rng): SeriesSet {
  const { name, steps: T, classes: K, noise } = seriesSpec(spec.name, spec);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`series: n must be a non-negative integer, got ${n}`);
  const F = name === 'memory' ? K + 1 : name === 'adding' ? 2 : 1;
  const x = new Float32Array(n * T * F);
  const classify = name === 'sines' || name === 'memory';
  const labels = classify ? new Int32Array(n) : null;
  const targets = classify ? null : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * T * F;
    if (name === 'sines') {
      const k = i % K;
      labels![i] = k;
      const w = sineFrequency(k, K);
      const phase = rng.uniform(0, 2 * Math.PI);
      const amp = rng.uniform(0.5, 1);
      for (let t = 0; t < T; t++) x[o + t] = amp * Math.sin(w * t + phase) + noise * rng.normal();
    } else if (name === 'next') {
      const w = rng.uniform((2 * Math.PI) / 16, (2 * Math.PI) / 4);
      const phase = rng.uniform(0, 2 * Math.PI);
      const amp = rng.uniform(0.5, 1);
      for (let t = 0; t <= T; t++) {
        const v = amp * Math.sin(w * t + phase) + noise * rng.normal();
        if (t < T) x[o + t] = v;
        else targets![i] = v;
      }
    } else if (name === 'memory') {
      const k = i % K;
      labels![i] = k;
      x[o + k] = 1;
      x[o + K] = 1;
      for (let t = 1; t < T; t++) for (let c = 0; c < K; c++) x[o + t * F + c] = noise * rng.normal();
    } else {
      const half = Math.floor(T / 2);
      const a = rng.int(half);
      const b = half + rng.int(T - half);
      let sum = 0;
      for (let t = 0; t < T; t++) {
        const v = rng.next();
        x[o + 2 * t] = v;
        if (t === a || t === b) {
          x[o + 2 * t + 1] = 1;
          sum += v;
        }
      }
      targets![i] = sum;
    }
  }
  return arraySource(x, n, T, F, labels, targets, classify ? K : 1, classify ? seriesClassNames(spec) : []);
}

export function seriesClassNames(spec: SeriesSpec): string[] {
  if (spec.name === 'sines') return Array.from({ length: spec.classes }, (_, k) => `period ${+((2 * Math.PI) / sineFrequency(k, spec.classes)).toFixed(2)}`);
  if (spec.name === 'memory') return Array.from({ length: spec.classes }, (_, k) => `marker ${k}`);
  return [];
}

function arraySource(
  x: Float32Array,
  n: number,
  steps: number,
  features: number,
  labels: Int32Array | null,
  targets: Float32Array | null,
  outputs: number,
  classes: string[],
): SeriesSet {
  const per = steps * features;
  return {
    n,
    steps,
    features,
    task: labels ? 'classify' : 'regress',
    outputs,
    classes,
    labels,
    targets,
    x,
    fill(indices, start, count, out) {
      checkFill(n, per, indices, start, count, out);
      for (let k = 0; k < count; k++) {
        const i = indices[start + k];
        out.set(x.subarray(i * per, (i + 1) * per), k * per);
      }
    },
  };
}

function checkFill(n: number, per: number, indices: Int32Array, start: number, count: number, out: Float32Array): void {
  if (!(start >= 0 && count >= 0 && start + count <= indices.length)) {
    throw new RangeError(`sequences: [${start}, ${start + count}) is outside the ${indices.length} indices`);
  }
  if (out.length < count * per) throw new RangeError(`sequences: out holds ${out.length} floats, the batch needs ${count * per}`);
  for (let k = 0; k < count; k++) {
    const i = indices[start + k];
    if (!(i >= 0 && i < n)) throw new RangeError(`sequences: index ${i} is outside the set of ${n}`);
  }
}

/**
 * Read each image of an ImageSet as a sequence of rows: `height` steps of `width * channels`
 * features (channels interleaved per pixel). Pixels are normalized with `norm`, as fillBatch does.
 */
export function imageRows(set: ImageSet, norm: Normalization): SequenceSource {
  const { channels: C, height: H, width: W } = set;
  const per = C * H * W;
  let scratch = new Float32Array(0);
  return {
    n: set.n,
    steps: H,
    features: W * C,
    task: 'classify',
    outputs: set.classes.length,
    classes: set.classes,
    labels: set.labels,
    targets: null,
    fill(indices, start, count, out) {
      if (C === 1) {
        fillBatch(set, indices, start, count, norm, out); // [C=1, H, W] is already [H, W] row by row
        return;
      }
      if (scratch.length < count * per) scratch = new Float32Array(count * per);
      fillBatch(set, indices, start, count, norm, scratch);
      if (out.length < count * per) throw new RangeError(`sequences: out holds ${out.length} floats, the batch needs ${count * per}`);
      chwToRows(scratch, count, C, H, W, out);
    },
  };
}

/** [count, C, H, W] -> [count, H, W * C] (pixel-interleaved rows). */
export function chwToRows(src: Float32Array, count: number, C: number, H: number, W: number, out: Float32Array): void {
  const hw = H * W;
  for (let k = 0; k < count; k++) {
    const base = k * C * hw;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out[base + (y * W + x) * C + c] = src[base + c * hw + y * W + x];
    }
  }
}
