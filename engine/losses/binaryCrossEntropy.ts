/**
 * Binary cross-entropy on logits z with targets y in [0, 1] (soft targets allowed), averaged over
 * every element. Stable form: max(z, 0) - z*y + log(1 + exp(-|z|)). grad = (sigmoid(z) - y) / count.
 */
import { tensor, type Tensor } from '../core/tensor.js';
import { checkSameSize, gradBuffer, type LossResult } from './loss.js';

export function binaryCrossEntropyFromLogits(logits: Tensor, targets: ArrayLike<number>, gradOut?: Float32Array): LossResult {
  const n = checkSameSize('binaryCrossEntropyFromLogits', logits, targets);
  const z = logits.data;
  const g = gradBuffer('binaryCrossEntropyFromLogits', n, gradOut);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    const yi = targets[i];
    if (!(yi >= 0 && yi <= 1)) throw new Error(`binaryCrossEntropyFromLogits: target ${yi} at ${i} is outside [0, 1]`);
    const e = Math.exp(-Math.abs(zi));
    total += Math.max(zi, 0) - zi * yi + Math.log1p(e);
    const sig = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
    g[i] = (sig - yi) / n;
  }
  return { loss: n > 0 ? total / n : 0, grad: tensor(logits.shape, g) };
}
