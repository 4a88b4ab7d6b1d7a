/**
 * Softmax cross-entropy from logits [batch, classes] and integer labels, averaged over the batch.
 * Stable: each row is shifted by its maximum before exponentiating, sums in double precision.
 * grad = (softmax(z) - onehot(label)) / batch.
 */
import { tensor, type Tensor } from '../core/tensor.js';
import { batchByClasses, checkLabels, gradBuffer, type LossResult } from './loss.js';

export function softmaxCrossEntropy(logits: Tensor, labels: ArrayLike<number>, gradOut?: Float32Array): LossResult {
  const [n, k] = batchByClasses('softmaxCrossEntropy', logits);
  checkLabels('softmaxCrossEntropy', labels, n, k);
  const z = logits.data;
  const g = gradBuffer('softmaxCrossEntropy', n * k, gradOut);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (z[row + j] > max) max = z[row + j];
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z[row + j] - max);
    const label = labels[i];
    total += Math.log(sum) - (z[row + label] - max);
    const scale = 1 / (sum * n);
    for (let j = 0; j < k; j++) g[row + j] = Math.exp(z[row + j] - max) * scale;
    g[row + label] -= 1 / n;
  }
  return { loss: n > 0 ? total / n : 0, grad: tensor([n, k], g) };
}
