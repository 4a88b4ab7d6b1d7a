/**
 * The shared shape of activation layers: y = f(x) over the whole tensor (or row by row along the last
 * axis, for softmax), any input shape, no params.
 */
import { tensor, type Tensor } from '../core/tensor.js';
import { batchOf, validShape } from './checks.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';
import { f32Of, type Arena } from '../core/arena.js';

export interface ElementwiseOps<C> {
  /** y = f(x) over n values; `row` is the length of the last axis (for row-wise ops). */
  forward(x: Float32Array, y: Float32Array, n: number, config: C, row: number): void;
  /** dx from dy and the cached x and y. */
  backward(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number, config: C, row: number): void;
  validate?(config: C): void;
}

interface Cache {
  x: Tensor;
  y: Float32Array;
}

class Elementwise<C extends object> implements Layer<C, Cache> {
  readonly #row: number;

  constructor(
    readonly type: string,
    readonly config: Readonly<C>,
    readonly inputShape: readonly number[],
    readonly ops: ElementwiseOps<C>,
  ) {
    this.#row = inputShape[inputShape.length - 1];
  }

  get outputShape(): readonly number[] {
    return this.inputShape;
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: Cache } {
    batchOf(this.type, x, this.inputShape);
    const y = f32Of(ctx.arena, x.data.length, false); // every op writes every value
    this.ops.forward(x.data, y, y.length, this.config, this.#row);
    return { y: tensor(x.shape, y), cache: { x, y } };
  }

  backward(cache: Cache, dy: Tensor, _needInput?: boolean, arena?: Arena): Tensor {
    const dx = f32Of(arena, dy.data.length, false);
    this.ops.backward(cache.x.data, cache.y, dy.data, dx, dx.length, this.config, this.#row);
    return tensor(cache.x.shape, dx);
  }

  params(): Param[] {
    return [];
  }

  buffers(): Buffer[] {
    return [];
  }
}

export function registerElementwise<C extends object>(type: string, defaults: Readonly<C>, ops: ElementwiseOps<C>): void {
  registerLayer<C>({
    type,
    defaults,
    validate(c, inputShape) {
      validShape(type, inputShape);
      ops.validate?.(c);
    },
    create: (c, inputShape) => new Elementwise(type, c, inputShape, ops),
  });
}
