/**
 * A classifier trained on a 2-D toy set (TensorFlow Playground's picture). The set becomes an ImageSet of
 * "images" of 2 channels x 1 x 1 pixel, each coordinate stored as a byte over [-TOY_EXTENT, TOY_EXTENT]
 * (steps of 4/255 ≈ 0.016, far below the sets' noise), so a classifier run trains on it like on a folder
 * and its model file records the same input shape and normalization. decisionRegions evaluates the model
 * over a grid of the plane with the same encoding (unrounded) and normalization.
 */
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import type { ImageSet } from '../data/folder.js';
import type { Normalization } from '../data/normalize.js';
import { toySet, type ToyName } from '../data/toy.js';
import type { Sequential } from '../models/sequential.js';
import type { ClusterGrid } from '../protocol/cluster.js';
import type { ToyTrainData } from '../protocol/toy-train.js';
import { splitLabelled } from './classifier-setup.js';
import { softmaxRow } from './evaluate.js';

/** The plane a toy set is stored and drawn on: [-TOY_EXTENT, TOY_EXTENT] on both axes. */
export const TOY_EXTENT = 2;
/** Share of the points kept for validation. */
export const TOY_VAL_FRACTION = 0.2;

const CLASS_NOUN: Record<ToyName, string> = { blobs: 'blob', moons: 'moon', rings: 'ring', spirals: 'arm' };

/** A coordinate as the byte it is stored as (unrounded: the grid uses fractions of a step). */
export function toyByte(v: number): number {
  const p = ((v + TOY_EXTENT) / (2 * TOY_EXTENT)) * 255;
  return p < 0 ? 0 : p > 255 ? 255 : p;
}

/** The toy set as an ImageSet of 2 x 1 x 1 "images", with its points (unquantized) kept beside it. */
export function toyImageSet(spec: ToyTrainData, seed: number): { set: ImageSet; points: Float32Array } {
  const t = toySet(spec.name, spec.n, new Rng((spec.seed ?? seed) ^ 0x7a1e), {
    ...(spec.noise === undefined ? {} : { noise: spec.noise }),
    ...(spec.classes === undefined ? {} : { classes: spec.classes }),
  });
  const pixels = new Uint8Array(2 * t.n);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(toyByte(t.x[i]));
  const k = spec.name === 'moons' ? 2 : Math.max(...t.labels) + 1;
  const set: ImageSet = {
    n: t.n,
    channels: 2,
    height: 1,
    width: 1,
    pixels,
    labels: t.labels,
    classes: Array.from({ length: k }, (_, c) => `${CLASS_NOUN[spec.name]} ${c + 1}`),
    paths: Array.from({ length: t.n }, (_, i) => `${spec.name}#${i}`),
  };
  return { set, points: t.x };
}

/** A run's data from a toy set: the set and a stratified, seeded split (a fifth validates). */
export function toyRunData(spec: ToyTrainData, seed: number): { set: ImageSet; points: Float32Array; split: { train: Int32Array; val: Int32Array }; valFraction: number } {
  const { set, points } = toyImageSet(spec, seed);
  return { set, points, split: splitLabelled(set, TOY_VAL_FRACTION, seed), valFraction: TOY_VAL_FRACTION };
}

/**
 * The model's class and its probability at the centre of each cell of a size x size grid over
 * [-extent, extent]^2 (row-major, row 0 at -extent): what TensorFlow Playground paints behind the points.
 */
export function decisionRegions(model: Sequential, normalization: Normalization, size: number, extent = TOY_EXTENT): ClusterGrid {
  if (!Number.isInteger(size) || size < 2 || size > 256) throw new RangeError(`the grid size must be a whole number from 2 to 256, got ${size}`);
  const shape = model.inputShape;
  if (shape.length !== 3 || shape[0] !== 2 || shape[1] !== 1 || shape[2] !== 1) throw new Error(`decision regions need a model of 2-D points (input 2x1x1), this one takes ${shape.join('x')}`);
  const n = size * size;
  const x = new Float32Array(2 * n);
  for (let gy = 0; gy < size; gy++) {
    for (let gx = 0; gx < size; gx++) {
      const q = gy * size + gx;
      const coords = [-extent + ((gx + 0.5) * 2 * extent) / size, -extent + ((gy + 0.5) * 2 * extent) / size];
      for (let c = 0; c < 2; c++) {
        const u = toyByte(coords[c]) / 255;
        x[2 * q + c] =
          normalization.kind === 'unit' ? u : normalization.kind === 'symmetric' ? 2 * u - 1 : (u - normalization.mean[c]) / normalization.std[c];
      }
    }
  }
  const logits = model.predict(tensor([n, 2, 1, 1], x), new Rng(0)).data;
  const k = logits.length / n;
  const cls = new Uint8Array(n);
  const conf = new Uint8Array(n);
  for (let q = 0; q < n; q++) {
    const p = softmaxRow(logits, q * k, k);
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c] > p[best]) best = c;
    cls[q] = best;
    conf[q] = Math.round(255 * p[best]);
  }
  return { size, cls, conf };
}
