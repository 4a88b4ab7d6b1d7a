/**
 * simpleRnn (Elman): h_t = tanh(x_t Wx + h_(t-1) Wh + b). Input [time, features]; output the last
 * state [units] or, with returnSequences, [time, units]. Trained by backpropagation through time.
 */
import type { Rng } from '../core/rng.js';
import { rnnBackward, rnnForward } from '../kernels/rnn.js';
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

  protected forwardSteps(xT: Float32Array, z: Float32Array, h: Float32Array, batch: number): RecurrentCache {
    rnnForward(z, this.wh.value, h, this.time, batch, this.units);
    return { batch, xT, h };
  }

  protected backwardSteps(cache: RecurrentCache, dH: Float32Array, dZ: Float32Array): void {
    rnnBackward(cache.h, dH, this.wh.value, dZ, this.time, cache.batch, this.units);
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
