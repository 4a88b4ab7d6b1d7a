/** maxPool2d: max over square windows (size, stride, padding 'valid' | 'same'; padding never wins). */
import type { Rng } from '../core/rng.js';
import { sizeOf, tensor, type Tensor } from '../core/tensor.js';
import type { WindowGeom } from '../kernels/geometry.js';
import { maxPoolBackward, maxPoolForward } from '../kernels/maxPool.js';
import { batchOf } from './checks.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';
import { POOL_DEFAULTS, poolGeometry, validatePool, type PoolConfig } from './poolConfig.js';
import { f32Of, i32Of, type Arena } from '../core/arena.js';

const TYPE = 'maxPool2d';

interface MaxPoolCache {
  inputShape: readonly number[];
  argmax: Int32Array;
}

class MaxPool2d implements Layer<PoolConfig, MaxPoolCache> {
  readonly type = TYPE;
  readonly outputShape: readonly number[];
  readonly #g: WindowGeom;

  constructor(
    readonly config: Readonly<PoolConfig>,
    readonly inputShape: readonly number[],
  ) {
    this.#g = poolGeometry(config, inputShape);
    this.outputShape = [this.#g.channels, this.#g.outH, this.#g.outW];
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: MaxPoolCache } {
    const n = batchOf(TYPE, x, this.inputShape);
    const len = n * sizeOf(this.outputShape);
    const y = f32Of(ctx.arena, len, false); // overwritten
    const argmax = i32Of(ctx.arena, len);
    maxPoolForward(x.data, n, this.#g, y, argmax);
    return { y: tensor([n, ...this.outputShape], y), cache: { inputShape: x.shape, argmax } };
  }

  backward(cache: MaxPoolCache, dy: Tensor, _needInput?: boolean, arena?: Arena): Tensor {
    const dx = f32Of(arena, sizeOf(cache.inputShape), false); // overwritten
    maxPoolBackward(dy.data, cache.argmax, cache.argmax.length, dx, dx.length, cache.inputShape[0] * this.#g.channels);
    return tensor(cache.inputShape, dx);
  }

  params(): Param[] {
    return [];
  }

  buffers(): Buffer[] {
    return [];
  }
}

registerLayer<PoolConfig>({
  type: TYPE,
  defaults: POOL_DEFAULTS,
  validate: (c, inputShape) => validatePool(TYPE, c, inputShape),
  create: (c, inputShape, _rng: Rng) => new MaxPool2d(c, inputShape),
});
