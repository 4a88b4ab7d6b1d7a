/** What every loss returns: the scalar loss and its gradient with respect to the loss's input. */
import { sizeOf, type Tensor } from '../core/tensor.js';

export interface LossResult {
  loss: number;
  grad: Tensor;
}

/** A gradient buffer: the caller's (checked for size) or a fresh one. */
export function gradBuffer(name: string, n: number, out?: Float32Array): Float32Array {
  if (out === undefined) return new Float32Array(n);
  if (out.length < n) throw new Error(`${name}: gradient buffer has ${out.length} values, needs ${n}`);
  return out.length === n ? out : out.subarray(0, n);
}

/** [batch, classes] from a rank-2 tensor, with a clear error otherwise. */
export function batchByClasses(name: string, t: Tensor): [number, number] {
  if (t.shape.length !== 2) throw new Error(`${name}: expects logits of shape [batch, classes], got [${t.shape.join('x')}]`);
  return [t.shape[0], t.shape[1]];
}

/** Check that a target array matches the input's size. */
export function checkSameSize(name: string, t: Tensor, target: ArrayLike<number>): number {
  const n = sizeOf(t.shape);
  if (target.length !== n) throw new Error(`${name}: target has ${target.length} values, input has ${n}`);
  return n;
}

/** Check integer class labels against the batch size and class count. */
export function checkLabels(name: string, labels: ArrayLike<number>, batch: number, classes: number): void {
  if (labels.length !== batch) throw new Error(`${name}: ${labels.length} labels for a batch of ${batch}`);
  for (let i = 0; i < batch; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes) {
      throw new Error(`${name}: label ${l} at ${i} is not a class index in [0, ${classes - 1}]`);
    }
  }
}
