/**
 * simpleRnn (Elman): h_t = tanh(x_t Wx + h_(t-1) Wh + b). Input [time, features]; output the last
 * state [units] or, with returnSequences, [time, units]. Trained by backpropagation through time.
 */
import { f32Of, type Arena } from '../core/arena.js';
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

export type SimpleRnnConfig = RecurrentConfig;

const TYPE = 'simpleRnn';

export class SimpleRnn extends RecurrentLayer<SimpleRnnConfig, RecurrentCache> {
  readonly type = TYPE;

  constructor(config: Readonly<SimpleRnnConfig>, inputShape: readonly number[], rng: Rng) {
    super(config, inputShape, 1, rng);
  }

  protected forwardSteps(xT: Float32Array, z: Float32Array, h: Float32Array, batch: number, arena?: Arena): RecurrentCache {
    const n = batch * this.units;
    const r = f32Of(arena, n);
    for (let t = 0; t < this.time; t++) {
      this.recurrent(h, t, batch, r);
      const zo = t * n;
      const ho = (t + 1) * n;
      for (let i = 0; i < n; i++) h[ho + i] = Math.tanh(z[zo + i] + r[i]);
    }
    return { batch, xT, h };
  }

  protected backwardSteps(cache: RecurrentCache, dH: Float32Array, dZ: Float32Array, _dR: Float32Array, arena?: Arena): void {
    const n = cache.batch * this.units;
    const h = cache.h;
    const carry = f32Of(arena, n); // dL/dh_t from later steps
    for (let t = this.time - 1; t >= 0; t--) {
      const o = t * n;
      const ho = (t + 1) * n;
      for (let i = 0; i < n; i++) {
        const y = h[ho + i];
        dZ[o + i] = (dH[o + i] + carry[i]) * (1 - y * y);
      }
      carry.fill(0);
      this.recurrentBack(dZ, t, cache.batch, carry);
    }
  }

  protected traces(cache: RecurrentCache): TraceSource[] {
    return [this.hiddenTrace(cache)];
  }
}

registerLayer<SimpleRnnConfig>({
  type: TYPE,
  defaults: RECURRENT_DEFAULTS,
  validate: (c, inputShape) => validateRecurrent(TYPE, c, inputShape),
  create: (c, inputShape, rng) => new SimpleRnn(c, inputShape, rng),
});
