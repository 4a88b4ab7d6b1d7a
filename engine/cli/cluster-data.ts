/**
 * Data for `locus cluster`: an image folder (pixels / 255) or a seeded 2-D toy set (`toy:moons`), made
 * into a clustering source by the same code the app uses (engine/session/cluster/source.ts).
 */
import { TOY_NAMES, type ToyName } from '../data/toy.js';
import { UNIT } from '../data/normalize.js';
import type { LocalData } from '../io/local-common.js';
import { imageSource, type Source, toySource } from '../session/cluster/source.js';
import { num } from './args.js';
import { loadFolder, loadOptions } from './load.js';
import type { Output } from './output.js';
import { UsageError } from './output.js';

export interface Vectors {
  source: Source;
  /** What goes into the model file's data block. */
  data: LocalData;
  /** How the data was made, for the training record. */
  record: Record<string, unknown>;
}

export async function loadVectors(spec: string, v: Record<string, unknown>, seed: number, out: Output): Promise<Vectors> {
  if (spec.startsWith('toy:')) {
    const name = spec.slice(4) as ToyName;
    if (!TOY_NAMES.includes(name)) throw new UsageError(`--data toy:NAME takes one of ${TOY_NAMES.map((t) => 'toy:' + t).join(', ')}, got "${spec}"`);
    const n = num(v.points as string | undefined, 'points', 500, 2, 1_000_000, true);
    const source = toySource({ kind: 'toy', name, n, seed }, (c) => `${name}-${c}`);
    return { source, data: { classes: source.classes }, record: { toy: name, points: n } };
  }
  const load = loadOptions(v);
  const r = await loadFolder(spec, load, out);
  const { set } = r;
  if (set.n === 0) throw new Error(`no images in ${spec}`);
  const dim = set.channels * set.height * set.width;
  const source = imageSource(set, Int32Array.from({ length: set.n }, (_, i) => i), spec, `folder:${r.root}`, null, { plane: false });
  const data: LocalData = { input: { channels: set.channels, height: set.height, width: set.width }, normalization: UNIT };
  if (set.classes.length) data.classes = [...set.classes];
  out.info(`${set.n} images of ${set.width}x${set.height}x${set.channels} (${dim} values each), ${set.classes.length} classes; ${r.skipped.length} skipped`, {
    event: 'data',
    loaded: set.n,
    dim,
    classes: set.classes,
    skipped: r.skipped.length,
  });
  return { source, data, record: { folder: r.root, load: { fit: load.fit ?? 'cover' } } };
}
