/** Losses ({ loss, grad } with grad w.r.t. the loss's input) and accuracy helpers. */
export type { LossResult } from './loss.js';
export { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
export { binaryCrossEntropyFromLogits } from './binaryCrossEntropy.js';
export { meanSquaredError } from './mse.js';
export { accuracy, argmaxRows, binaryAccuracy } from './accuracy.js';
