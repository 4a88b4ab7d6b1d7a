/** Data for `locus cluster`: an image folder (pixels / 255) or a seeded 2-D toy set (`toy:moons`). */
import { Rng } from '../core/rng.js';
import { fillBatch } from '../data/batch.js';
import { TOY_NAMES, toySet, type ToyName } from '../data/toy.js';
import { UNIT } from '../data/normalize.js';
import type { LocalData } from '../io/local-common.js';
import { num } from './args.js';
import { loadFolder, loadOptions } from './load.js';
import type { Output } from './output.js';
import { UsageError } from './output.js';

export interface Vectors {
  x: Float32Array;
  n: number;
  dim: number;
  /** Class per sample (-1: unlabelled). */
  labels: Int32Array;
  classes: string[];
  /** What goes into the model file's data block. */
  data: LocalData;
  /** How the data was made, for the training record. */
  source: Record<string, unknown>;
}

export async function loadVectors(spec: string, v: Record<string, unknown>, seed: number, out: Output): Promise<Vectors> {
  if (spec.startsWith('toy:')) {
    const name = spec.slice(4) as ToyName;
    if (!TOY_NAMES.includes(name)) throw new UsageError(`--data toy:NAME takes one of ${TOY_NAMES.map((t) => 'toy:' + t).join(', ')}, got "${spec}"`);
    const n = num(v.points as string | undefined, 'points', 500, 2, 1_000_000, true);
    const t = toySet(name, n, new Rng(seed));
    const classes = Array.from({ length: Math.max(...t.labels) + 1 }, (_, c) => `${name}-${c}`);
    return { x: t.x, n, dim: 2, labels: t.labels, classes, data: { classes }, source: { toy: name, points: n } };
  }
  const load = loadOptions(v);
  const r = await loadFolder(spec, load, out);
  const { set } = r;
  if (set.n === 0) throw new Error(`no images in ${spec}`);
  const dim = set.channels * set.height * set.width;
  const x = new Float32Array(set.n * dim);
  fillBatch(set, Int32Array.from({ length: set.n }, (_, i) => i), 0, set.n, UNIT, x);
  const data: LocalData = { input: { channels: set.channels, height: set.height, width: set.width }, normalization: UNIT };
  if (set.classes.length) data.classes = [...set.classes];
  out.info(`${set.n} images of ${set.width}x${set.height}x${set.channels} (${dim} values each), ${set.classes.length} classes; ${r.skipped.length} skipped`, {
    event: 'data',
    loaded: set.n,
    dim,
    classes: set.classes,
    skipped: r.skipped.length,
  });
  return { x, n: set.n, dim, labels: set.labels, classes: set.classes, data, source: { folder: r.root, load: { fit: load.fit ?? 'cover' } } };
}

/** Per-coordinate min-max scaling to [0, 1] in place (Fuzzy ART needs inputs there); returns the ranges. */
export function scaleToUnit(x: Float32Array, n: number, d: number): { min: number[]; max: number[] } {
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      const v = x[i * d + t];
      if (v < min[t]) min[t] = v;
      if (v > max[t]) max[t] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      const span = max[t] - min[t];
      x[i * d + t] = span > 0 ? Math.min(1, Math.max(0, (x[i * d + t] - min[t]) / span)) : 0;
    }
  }
  return { min, max };
}
