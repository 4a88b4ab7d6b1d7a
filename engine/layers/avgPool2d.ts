/** avgPool2d: mean over square windows (size, stride, padding 'valid' | 'same'; padding not counted). */
import type { Rng } from '../core/rng.js';
import { sizeOf, tensor, type Tensor } from '../core/tensor.js';
import { f32Of, type Arena } from '../core/arena.js';
import { avgPoolBackward, avgPoolForward } from '../kernels/avgPool.js';
import type { WindowGeom } from '../kernels/geometry.js';
import { batchOf } from './checks.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';
import { POOL_DEFAULTS, poolGeometry, validatePool, type PoolConfig } from './poolConfig.js';

const TYPE = 'avgPool2d';

class AvgPool2d implements Layer<PoolConfig, readonly number[]> {
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

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: readonly number[] } {
    const n = batchOf(TYPE, x, this.inputShape);
    const y = f32Of(ctx.arena, n * sizeOf(this.outputShape));
    avgPoolForward(x.data, n, this.#g, y);
    return { y: tensor([n, ...this.outputShape], y), cache: x.shape };
  }

  backward(inputShape: readonly number[], dy: Tensor, _needInput?: boolean, arena?: Arena): Tensor {
    const dx = f32Of(arena, sizeOf(inputShape));
    avgPoolBackward(dy.data, inputShape[0], this.#g, dx);
    return tensor(inputShape, dx);
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
  create: (c, inputShape, _rng: Rng) => new AvgPool2d(c, inputShape),
});
