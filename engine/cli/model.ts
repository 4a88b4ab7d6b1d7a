/** Loading a saved classifier and the image options it was trained with. */
import type { ImageSet, LoadOptions } from '../data/folder.js';
import { classifierFromFile, readModelFile, type LoadedClassifier } from '../io/index.js';
import '../layers/index.js';

export async function loadClassifier(path: string): Promise<LoadedClassifier> {
  const file = await readModelFile(path);
  if (file.kind !== 'classifier') throw new Error(`${path} is a "${file.kind}" model; this command needs a classifier`);
  return classifierFromFile(file);
}

/** The loader options that reproduce the images the model was trained on. */
export function modelLoadOptions(m: Pick<LoadedClassifier, 'input' | 'training'>): LoadOptions {
  const load = (m.training.settings as { load?: { fit?: unknown } }).load;
  const fit = load && (load.fit === 'contain' || load.fit === 'cover' || load.fit === 'fill') ? load.fit : undefined;
  const channels = m.input.channels === 3 ? 3 : 1;
  return { width: m.input.width, height: m.input.height, channels, ...(fit ? { fit } : {}) };
}

/**
 * Relabel a loaded folder to the model's classes, by name. Images of classes the model does not know
 * get label -1 (not counted); their class names are returned.
 */
export function relabel(set: ImageSet, modelClasses: readonly string[]): { set: ImageSet; unknown: string[] } {
  const map = set.classes.map((c) => modelClasses.indexOf(c));
  const labels = set.labels.map((l) => (l >= 0 ? map[l] : -1));
  const unknown = set.classes.filter((_, i) => map[i] < 0);
  return { set: { ...set, labels, classes: [...modelClasses] }, unknown };
}
