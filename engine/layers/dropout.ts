/**
 * dropout: while training, zero each value with probability `rate` and scale the survivors by
 * 1 / (1 - rate) (inverted dropout, so the expected value is unchanged and inference is the
 * identity). The mask is drawn from ctx.rng, so a seeded run repeats exactly.
 */
import { tensor, type Tensor } from '../core/tensor.js';
import { f32Of, type Arena } from '../core/arena.js';
import { batchOf, validShape } from './checks.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';

export interface DropoutConfig {
  rate: number;
}

const TYPE = 'dropout';

/** The per-value scale applied in the forward pass (0 or 1/(1-rate)), or null for the identity. */
type DropoutCache = { shape: readonly number[]; mask: Float32Array | null };

class Dropout implements Layer<DropoutConfig, DropoutCache> {
  readonly type = TYPE;

  constructor(
    readonly config: Readonly<DropoutConfig>,
    readonly inputShape: readonly number[],
  ) {}

  get outputShape(): readonly number[] {
    return this.inputShape;
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: DropoutCache } {
    batchOf(TYPE, x, this.inputShape);
    const rate = this.config.rate;
    if (!ctx.training || rate === 0) return { y: x, cache: { shape: x.shape, mask: null } };
    const keep = 1 / (1 - rate);
    const n = x.data.length;
    const mask = f32Of(ctx.arena, n);
    const y = f32Of(ctx.arena, n);
    for (let i = 0; i < n; i++) {
      const m = ctx.rng.next() < rate ? 0 : keep;
      mask[i] = m;
      y[i] = x.data[i] * m;
    }
    return { y: tensor(x.shape, y), cache: { shape: x.shape, mask } };
  }

  backward(cache: DropoutCache, dy: Tensor, _needInput?: boolean, arena?: Arena): Tensor {
    if (!cache.mask) return dy;
    const dx = f32Of(arena, dy.data.length);
    for (let i = 0; i < dx.length; i++) dx[i] = dy.data[i] * cache.mask[i];
    return tensor(cache.shape, dx);
  }

  params(): Param[] {
    return [];
  }

  buffers(): Buffer[] {
    return [];
  }
}

registerLayer<DropoutConfig>({
  type: TYPE,
  defaults: Object.freeze({ rate: 0.5 }),
  validate(c, inputShape) {
    validShape(TYPE, inputShape);
    if (!(c.rate >= 0 && c.rate < 1)) throw new Error(`layer "${TYPE}": rate must be in [0, 1), got ${c.rate}`);
  },
  create: (c, inputShape) => new Dropout(c, inputShape),
});
