/** Loading a saved classifier; its image options and relabelling live in engine/session (shared with the engine). */
import { classifierFromFile, readModelFile, type LoadedClassifier } from '../io/index.js';
import '../layers/index.js';
export { modelLoadOptions } from '../session/classify.js';
export { relabel } from '../session/classifier-setup.js';

export async function loadClassifier(path: string): Promise<LoadedClassifier> {
  const file = await readModelFile(path);
  if (file.kind !== 'classifier') throw new Error(`${path} is a "${file.kind}" model; this command needs a classifier`);
  return classifierFromFile(file);
}
