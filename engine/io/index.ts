/**
 * The model file: one versioned JSON format for every model kind (see "The model file" in README.md).
 *   const file = classifierToFile({model, classes, input, normalization, training, optimizer});
 *   await writeModelFile('digits.locus.json', file);
 *   const loaded = classifierFromFile(await readModelFile('digits.locus.json'));
 */
import './builtin-kinds.js';

export { classifierFromFile, classifierToFile } from './classifier.js';
export type { ClassifierContent, ClassifierFile, ClassifierToFileInit, HistoryEntry, ImageInput, LoadedClassifier, SavedOptimizer, TrainingRecord } from './classifier.js';
export type { EncodedMask, EncodedTensor } from './codec.js';
export { decodeTensor, encodeTensor } from './codec.js';
export { ModelFileError } from './errors.js';
export { readModelFile, writeModelFile } from './file.js';
export { envelope, FORMAT, FORMAT_VERSION, LOCUS_VERSION, type ModelFile } from './format.js';
export { registerKind, modelKinds, type KindHandler } from './kinds.js';
export { LIMITS } from './limits.js';
export { namedTensors } from './named.js';
export { checkModelFile, parseModel } from './parse.js';
export { MODEL_SCHEMA } from './schema.js';
export { kmeansFromFile, kmeansToFile, type KMeansContent, type KMeansFile } from './kmeans.js';
export { artFromFile, artToFile, type ArtContent, type ArtFile, type ArtVariant } from './art.js';
export { somFromFile, somToFile, type SomContent, type SomFile } from './som.js';
export { rbfFromFile, rbfToFile, type RbfContent, type RbfFile, type RbfVariant } from './rbf.js';
export { moeFromFile, moeToFile, type MoeContent, type MoeFile } from './moe.js';
export type { LoadedLocal, LocalData } from './local-common.js';
