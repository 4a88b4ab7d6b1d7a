/** A layer that only reinterprets each sample's shape (no copy): the base of flatten and reshape. */
import { tensor, type Tensor } from '../core/tensor.js';
import { batchOf } from './checks.js';
import type { Buffer, ForwardContext, Layer, Param } from './layer.js';

export class ShapeView<C extends object> implements Layer<C, readonly number[]> {
  constructor(
    readonly type: string,
    readonly config: Readonly<C>,
    readonly inputShape: readonly number[],
    readonly outputShape: readonly number[],
  ) {}

  forward(x: Tensor, _ctx: ForwardContext): { y: Tensor; cache: readonly number[] } {
    const n = batchOf(this.type, x, this.inputShape);
    return { y: tensor([n, ...this.outputShape], x.data), cache: x.shape };
  }

  backward(inputShape: readonly number[], dy: Tensor): Tensor {
    return tensor(inputShape, dy.data);
  }

  params(): Param[] {
    return [];
  }

  buffers(): Buffer[] {
    return [];
  }
}
