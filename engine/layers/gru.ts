/**
 * gru (Cho et al. 2014, in PyTorch's and cuDNN's form: the reset gate scales the recurrent part of the
 * new gate after its projection, so all three recurrent projections are one matrix multiply):
 *   r = σ(x Wx_r + h Wh_r + b_r),  z = σ(x Wx_z + h Wh_z + b_z)
 *   n = tanh(x Wx_n + b_n + r ⊙ (h Wh_n + bh)),   h_t = (1 - z) ⊙ n + z ⊙ h_(t-1)
 * Params Wx [features, 3u], Wh [units, 3u], b [3u] (order r, z, n) and bh [units], the recurrent bias
 * inside the reset product. Input [time, features]; output [units] or [time, units].
 */
import { f32Of, type Arena } from '../core/arena.js';
import type { Rng } from '../core/rng.js';
import { gruBackward, gruForward } from '../kernels/gru.js';
import { registerLayer, type Param } from './layer.js';
import { makeParam } from './param.js';
import {
  RECURRENT_DEFAULTS,
  RecurrentLayer,
  validateRecurrent,
  type RecurrentCache,
  type RecurrentConfig,
  type TraceSource,
} from './recurrent.js';

export interface GruConfig extends RecurrentConfig {
  /** Initial bias of the update gate z: positive values start the unit keeping its state (z = σ(1) ≈ 0.73). */
  updateBias: number;
}

interface GruCache extends RecurrentCache {
  /** Gate activations, time-major [time, batch, 3*units]: r, z, n. */
  act: Float32Array;
  /** h_(t-1) Wh_n + bh, [time, batch, units]. */
  hn: Float32Array;
}

const TYPE = 'gru';

export class Gru extends RecurrentLayer<GruConfig, GruCache> {
  readonly type = TYPE;
  protected override readonly separateRecurrentGrad = true;
  readonly #bh: Param;

  constructor(config: Readonly<GruConfig>, inputShape: readonly number[], rng: Rng) {
    super(config, inputShape, 3, rng);
    this.#bh = makeParam('bh', [this.units], false);
    this.b.value.fill(config.updateBias, this.units, 2 * this.units);
  }

  protected forwardSteps(xT: Float32Array, z: Float32Array, h: Float32Array, batch: number, arena?: Arena): GruCache {
    // the kernel writes the gate activations over z: z becomes the cache's act
    const hn = f32Of(arena, this.time * batch * this.units, false); // overwritten
    gruForward(z, this.wh.value, this.#bh.value, h, hn, this.time, batch, this.units);
    return { batch, xT, h, act: z, hn };
  }

  protected backwardSteps(cache: GruCache, dH: Float32Array, dZ: Float32Array, dR: Float32Array): void {
    gruBackward(cache.act, cache.hn, cache.h, dH, this.wh.value, dZ, dR, this.#bh.grad, this.time, cache.batch, this.units);
  }

  override params(): Param[] {
    return [...super.params(), this.#bh];
  }

  protected traces(cache: GruCache): TraceSource[] {
    const U = this.units;
    const g3 = 3 * U;
    return [
      { name: 'reset', data: cache.act, stride: g3, offset: 0 },
      { name: 'update', data: cache.act, stride: g3, offset: U },
      { name: 'new', data: cache.act, stride: g3, offset: 2 * U },
      this.hiddenTrace(cache),
    ];
  }
}

registerLayer<GruConfig>({
  type: TYPE,
  defaults: Object.freeze({ ...RECURRENT_DEFAULTS, updateBias: 1 }),
  validate(c, inputShape) {
    validateRecurrent(TYPE, c, inputShape);
    if (Math.abs(c.updateBias) > 100) throw new Error(`layer "${TYPE}": updateBias must be within ±100, got ${c.updateBias}`);
  },
  create: (c, inputShape, rng) => new Gru(c, inputShape, rng),
});
