/** Classification accuracy helpers (fractions in [0, 1]; 0 for an empty batch). */
import type { Tensor } from '../core/tensor.js';
import { batchByClasses, checkLabels, checkSameSize } from './loss.js';

/** Index of the largest value in each row of [batch, classes] scores (first one on ties). */
export function argmaxRows(scores: Tensor, out?: Int32Array): Int32Array {
  const [n, k] = batchByClasses('argmaxRows', scores);
  const r = out ?? new Int32Array(n);
  const z = scores.data;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (z[i * k + j] > z[i * k + best]) best = j;
    r[i] = best;
  }
  return r;
}

/** Fraction of rows whose argmax equals the label. */
export function accuracy(scores: Tensor, labels: ArrayLike<number>): number {
  const [n, k] = batchByClasses('accuracy', scores);
  checkLabels('accuracy', labels, n, k);
  const pred = argmaxRows(scores);
  let hit = 0;
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) hit++;
  return n > 0 ? hit / n : 0;
}

/** Fraction of elements where (logit > 0) agrees with (target >= 0.5). */
export function binaryAccuracy(logits: Tensor, targets: ArrayLike<number>): number {
  const n = checkSameSize('binaryAccuracy', logits, targets);
  let hit = 0;
  for (let i = 0; i < n; i++) if (logits.data[i] > 0 === targets[i] >= 0.5) hit++;
  return n > 0 ? hit / n : 0;
}
