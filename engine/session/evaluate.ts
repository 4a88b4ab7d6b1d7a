/** Loss, accuracy and confusion matrix of a classifier on a subset of an image set (inference mode). */
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { fillBatch, fillLabels } from '../data/batch.js';
import type { ImageSet } from '../data/folder.js';
import type { Normalization } from '../data/normalize.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import type { Sequential } from '../models/sequential.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
  n: number;
  /** confusion[actual][predicted] counts. */
  confusion: number[][];
}

export function evaluate(
  model: Sequential,
  set: ImageSet,
  allIndices: Int32Array,
  norm: Normalization,
  batchSize = 256,
): Evaluation {
  const k = model.outputShape.reduce((a, b) => a * b, 1);
  // Only labelled images of known classes count.
  const indices = allIndices.filter((i) => set.labels[i] >= 0 && set.labels[i] < k);
  const per = set.channels * set.height * set.width;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const xBuf = new Float32Array(batchSize * per);
  const yBuf = new Int32Array(batchSize);
  const rng = new Rng(0);
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const count = Math.min(batchSize, indices.length - start);
    fillBatch(set, indices, start, count, norm, xBuf);
    fillLabels(set, indices, start, count, yBuf);
    const y = model.predict(tensor([count, ...model.inputShape], xBuf.subarray(0, count * per)), rng);
    for (let i = 0; i < count; i++) {
      const t = yBuf[i];
      let arg = 0;
      for (let j = 1; j < k; j++) if (y.data[i * k + j] > y.data[i * k + arg]) arg = j;
      confusion[t][arg]++;
      if (arg === t) correct++;
    }
    lossSum += softmaxCrossEntropy(y, yBuf.subarray(0, count)).loss * count;
    n += count;
  }
  return { loss: n ? lossSum / n : NaN, accuracy: n ? correct / n : NaN, n, confusion };
}

/** Softmax probabilities of one logit row. */
export function softmaxRow(logits: Float32Array, offset: number, k: number): number[] {
  let m = -Infinity;
  for (let j = 0; j < k; j++) m = Math.max(m, logits[offset + j]);
  const e = new Array<number>(k);
  let s = 0;
  for (let j = 0; j < k; j++) s += e[j] = Math.exp(logits[offset + j] - m);
  return e.map((v) => v / s);
}
