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

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

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
    const U = this.units;
    const n = batch * U;
    const g3 = 3 * U;
    const bh = this.#bh.value;
    // From the training arena these live in the kernel memory: each step's GEMM reads h and writes r in place.
    const act = f32Of(arena, this.time * batch * g3);
    const hn = f32Of(arena, this.time * n);
    const r = f32Of(arena, batch * g3);
    for (let t = 0; t < this.time; t++) {
      this.recurrent(h, t, batch, r);
      for (let b = 0; b < batch; b++) {
        const a = (t * batch + b) * g3;
        const ra = b * g3;
        const prev = t * n + b * U;
        const cur = prev + n;
        for (let j = 0; j < U; j++) {
          const rg = sigmoid(z[a + j] + r[ra + j]);
          const zg = sigmoid(z[a + U + j] + r[ra + U + j]);
          const hnv = r[ra + 2 * U + j] + bh[j];
          const ng = Math.tanh(z[a + 2 * U + j] + rg * hnv);
          act[a + j] = rg;
          act[a + U + j] = zg;
          act[a + 2 * U + j] = ng;
          hn[t * n + b * U + j] = hnv;
          h[cur + j] = (1 - zg) * ng + zg * h[prev + j];
        }
      }
    }
    return { batch, xT, h, act, hn };
  }

  protected backwardSteps(cache: GruCache, dH: Float32Array, dZ: Float32Array, dR: Float32Array, arena?: Arena): void {
    const U = this.units;
    const B = cache.batch;
    const n = B * U;
    const g3 = 3 * U;
    const { act, hn, h } = cache;
    const dbh = this.#bh.grad;
    const carry = f32Of(arena, n);
    for (let t = this.time - 1; t >= 0; t--) {
      for (let b = 0; b < B; b++) {
        const a = (t * B + b) * g3;
        const prev = t * n + b * U;
        for (let j = 0; j < U; j++) {
          const k = b * U + j;
          const dh = dH[t * n + k] + carry[k];
          const rg = act[a + j];
          const zg = act[a + U + j];
          const ng = act[a + 2 * U + j];
          const dnp = dh * (1 - zg) * (1 - ng * ng);
          const dzp = dh * (h[prev + j] - ng) * zg * (1 - zg);
          const drp = dnp * hn[t * n + k] * rg * (1 - rg);
          dZ[a + j] = dR[a + j] = drp;
          dZ[a + U + j] = dR[a + U + j] = dzp;
          dZ[a + 2 * U + j] = dnp;
          dR[a + 2 * U + j] = dnp * rg;
          dbh[j] += dnp * rg;
          carry[k] = dh * zg;
        }
      }
      this.recurrentBack(dR, t, B, carry);
    }
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
