/** Mean squared error over every element: mean((p - t)^2); grad = 2 (p - t) / count. */
import { tensor, type Tensor } from '../core/tensor.js';
import { checkSameSize, gradBuffer, type LossResult } from './loss.js';

export function meanSquaredError(pred: Tensor, target: ArrayLike<number>, gradOut?: Float32Array): LossResult {
  const n = checkSameSize('meanSquaredError', pred, target);
  const p = pred.data;
  const g = gradBuffer('meanSquaredError', n, gradOut);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = p[i] - target[i];
    total += d * d;
    g[i] = (2 * d) / n;
  }
  return { loss: n > 0 ? total / n : 0, grad: tensor(pred.shape, g) };
}
