/**
 * lstm (Hochreiter & Schmidhuber, with a forget gate; PyTorch's gate order i, f, g, o):
 *   i = σ(.), f = σ(.), g = tanh(.), o = σ(.)   each of x_t Wx + h_(t-1) Wh + b
 *   c_t = f ⊙ c_(t-1) + i ⊙ g,   h_t = o ⊙ tanh(c_t)
 * The forget gate's bias starts at `forgetBias` (1), so a new cell keeps most of its state
 * (Gers et al. 2000; Jozefowicz et al. 2015). Input [time, features]; output [units] or [time, units].
 */
import { f32Of, type Arena } from '../core/arena.js';
import type { Rng } from '../core/rng.js';
import { lstmBackward, lstmForward } from '../kernels/lstm.js';
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

export class Lstm extends RecurrentLayer<LstmConfig, LstmCache> {
  readonly type = TYPE;

  constructor(config: Readonly<LstmConfig>, inputShape: readonly number[], rng: Rng) {
    super(config, inputShape, 4, rng);
    this.b.value.fill(config.forgetBias, this.units, 2 * this.units);
  }

  protected forwardSteps(xT: Float32Array, z: Float32Array, h: Float32Array, batch: number, arena?: Arena): LstmCache {
    // the kernel writes the gate activations over z: z becomes the cache's act
    const c = f32Of(arena, (this.time + 1) * batch * this.units);
    lstmForward(z, this.wh.value, h, c, this.time, batch, this.units);
    return { batch, xT, h, act: z, c };
  }

  protected backwardSteps(cache: LstmCache, dH: Float32Array, dZ: Float32Array): void {
    lstmBackward(cache.act, cache.c, dH, this.wh.value, dZ, this.time, cache.batch, this.units);
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
