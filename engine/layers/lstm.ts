/**
 * lstm (Hochreiter & Schmidhuber, with a forget gate; PyTorch's gate order i, f, g, o):
 *   i = σ(.), f = σ(.), g = tanh(.), o = σ(.)   each of x_t Wx + h_(t-1) Wh + b
 *   c_t = f ⊙ c_(t-1) + i ⊙ g,   h_t = o ⊙ tanh(c_t)
 * The forget gate's bias starts at `forgetBias` (1), so a new cell keeps most of its state
 * (Gers et al. 2000; Jozefowicz et al. 2015). Input [time, features]; output [units] or [time, units].
 */
import type { Rng } from '../core/rng.js';
import { registerLayer } from './layer.js';
import {
  RECURRENT_DEFAULTS,
  RecurrentLayer,
  validateRecurrent,
  type RecurrentCache,
  type RecurrentConfig,
  type TraceSource,
} from './recurrent.js';

export interface LstmConfig extends RecurrentConfig {
  /** Initial bias of the forget gate. */
  forgetBias: number;
}

interface LstmCache extends RecurrentCache {
  /** Gate activations, time-major [time, batch, 4*units]: i, f, g, o. */
  act: Float32Array;
  /** Cell states c_(-1) .. c_(time-1), [(time + 1), batch, units]. */
  c: Float32Array;
}

const TYPE = 'lstm';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export class Lstm extends RecurrentLayer<LstmConfig, LstmCache> {
  readonly type = TYPE;

  constructor(config: Readonly<LstmConfig>, inputShape: readonly number[], rng: Rng) {
    super(config, inputShape, 4, rng);
    this.b.value.fill(config.forgetBias, this.units, 2 * this.units);
  }

  protected forwardSteps(xT: Float32Array, z: Float32Array, h: Float32Array, batch: number): LstmCache {
    const U = this.units;
    const n = batch * U;
    const g4 = 4 * U;
    const act = new Float32Array(this.time * batch * g4);
    const c = new Float32Array((this.time + 1) * n);
    const r = new Float32Array(batch * g4);
    for (let t = 0; t < this.time; t++) {
      this.recurrent(h, t, batch, r);
      for (let b = 0; b < batch; b++) {
        const a = (t * batch + b) * g4;
        const ra = b * g4;
        const prev = t * n + b * U;
        const cur = prev + n;
        for (let j = 0; j < U; j++) {
          const i = sigmoid(z[a + j] + r[ra + j]);
          const f = sigmoid(z[a + U + j] + r[ra + U + j]);
          const g = Math.tanh(z[a + 2 * U + j] + r[ra + 2 * U + j]);
          const o = sigmoid(z[a + 3 * U + j] + r[ra + 3 * U + j]);
          act[a + j] = i;
          act[a + U + j] = f;
          act[a + 2 * U + j] = g;
          act[a + 3 * U + j] = o;
          const cv = f * c[prev + j] + i * g;
          c[cur + j] = cv;
          h[cur + j] = o * Math.tanh(cv);
        }
      }
    }
    return { batch, xT, h, act, c };
  }

  protected backwardSteps(cache: LstmCache, dH: Float32Array, dZ: Float32Array): void {
    const U = this.units;
    const B = cache.batch;
    const n = B * U;
    const g4 = 4 * U;
    const { act, c } = cache;
    const carryH = new Float32Array(n);
    const carryC = new Float32Array(n);
    for (let t = this.time - 1; t >= 0; t--) {
      for (let b = 0; b < B; b++) {
        const a = (t * B + b) * g4;
        const prev = t * n + b * U;
        const cur = prev + n;
        for (let j = 0; j < U; j++) {
          const k = b * U + j;
          const dh = dH[t * n + k] + carryH[k];
          const i = act[a + j];
          const f = act[a + U + j];
          const g = act[a + 2 * U + j];
          const o = act[a + 3 * U + j];
          const tc = Math.tanh(c[cur + j]);
          const dc = carryC[k] + dh * o * (1 - tc * tc);
          dZ[a + j] = dc * g * i * (1 - i);
          dZ[a + U + j] = dc * c[prev + j] * f * (1 - f);
          dZ[a + 2 * U + j] = dc * i * (1 - g * g);
          dZ[a + 3 * U + j] = dh * tc * o * (1 - o);
          carryC[k] = dc * f;
        }
      }
      carryH.fill(0);
      this.recurrentBack(dZ, t, B, carryH);
    }
  }

  protected traces(cache: LstmCache): TraceSource[] {
    const U = this.units;
    const g4 = 4 * U;
    return [
      { name: 'input', data: cache.act, stride: g4, offset: 0 },
      { name: 'forget', data: cache.act, stride: g4, offset: U },
      { name: 'cell', data: cache.act, stride: g4, offset: 2 * U },
      { name: 'output', data: cache.act, stride: g4, offset: 3 * U },
      { name: 'c', data: cache.c, stride: U, offset: cache.batch * U },
      this.hiddenTrace(cache),
    ];
  }
}

registerLayer<LstmConfig>({
  type: TYPE,
  defaults: Object.freeze({ ...RECURRENT_DEFAULTS, forgetBias: 1 }),
  validate(c, inputShape) {
    validateRecurrent(TYPE, c, inputShape);
    if (Math.abs(c.forgetBias) > 100) throw new Error(`layer "${TYPE}": forgetBias must be within ±100, got ${c.forgetBias}`);
  },
  create: (c, inputShape, rng) => new Lstm(c, inputShape, rng),
});
