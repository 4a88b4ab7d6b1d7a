/** An image folder loaded the way a saved classifier saw its images, labelled by the model's classes. */
import type { ImageSet, LoadResult } from '../data/folder.js';
import type { LoadedClassifier } from '../io/index.js';
import { loadFolder } from './load.js';
import { modelLoadOptions, relabel } from './model.js';
import type { Output } from './output.js';

export interface ModelData {
  /** The folder relabelled to the model's classes (-1 for images of other classes). */
  set: ImageSet;
  /** The images of the model's classes. */
  idx: Int32Array;
  /** Images per model class, in the model's class order. */
  counts: number[];
  skipped: LoadResult['skipped'];
}

/**
 * Load `dir` at the model's input size, channels and fit, relabelled by class name. With `exact`
 * (training), the folder's classes must be exactly the model's; otherwise images of other classes are
 * left out, and at least one image of the model's classes is needed.
 */
export async function loadModelData(
  dir: string,
  m: Pick<LoadedClassifier, 'input' | 'training' | 'classes'>,
  opts: { noCache: boolean; exact: boolean },
  out: Output,
): Promise<ModelData> {
  const loaded = await loadFolder(dir, { ...modelLoadOptions(m), ...(opts.noCache ? { cacheDir: null } : {}) }, out);
  const { set, unknown } = relabel(loaded.set, m.classes);
  const counts = m.classes.map((c) => {
    const i = loaded.set.classes.indexOf(c);
    return i < 0 ? 0 : loaded.counts[i];
  });
  if (opts.exact) {
    const missing = m.classes.filter((_, i) => counts[i] === 0);
    if (unknown.length || missing.length) {
      throw new Error(
        `the classes of ${dir} do not match the model's (${m.classes.join(', ')}): ` +
          [unknown.length ? `not in the model: ${unknown.join(', ')}` : '', missing.length ? `no images of: ${missing.join(', ')}` : '']
            .filter(Boolean)
            .join('; '),
      );
    }
  }
  const idx = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  if (idx.length === 0) throw new Error(`no images of the model's classes (${m.classes.join(', ')}) in ${dir}`);
  return { set, idx, counts, skipped: loaded.skipped };
}
