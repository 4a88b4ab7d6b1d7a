/**
 * conv1d, the time-delay layer (Waibel et al. 1989): each output step sees a window of `kernel` input
 * steps (spaced `dilation` apart) through the same weights at every position, y_t = Σ_j x_(t·s + j·d) W_j + b.
 * Input [time, features]; output [time', units], or with returnSequences false the mean over the output
 * steps [units] (the TDNN's integration over time). Padding 'valid' uses whole windows only; 'same'
 * gives ceil(time / stride) steps, zero-padded (the extra step at the end, as TensorFlow).
 * Runs as im2col over time plus one matrix multiply; W is [kernel * features, units].
 */
import type { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { gemm } from '../kernels/gemm.js';
import { batchOf, oneOf, positiveInt, validInit } from './checks.js';
import { initConstant, initWeights, type InitName } from './init.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';
import { makeParam } from './param.js';
import { checkSequenceInput } from './recurrent.js';

export interface Conv1dConfig {
  units: number;
  kernel: number;
  stride: number;
  dilation: number;
  padding: 'valid' | 'same';
  returnSequences: boolean;
  useBias: boolean;
  init: InitName;
  biasInit: number;
}

interface Cache {
  batch: number;
  cols: Float32Array;
}

const TYPE = 'conv1d';

/** Output steps and the padding before the first step. */
export function conv1dGeometry(time: number, c: Pick<Conv1dConfig, 'kernel' | 'stride' | 'dilation' | 'padding'>): { steps: number; padBefore: number } {
  const span = c.dilation * (c.kernel - 1) + 1;
  if (c.padding === 'same') {
    const steps = Math.ceil(time / c.stride);
    const total = Math.max(0, (steps - 1) * c.stride + span - time);
    return { steps, padBefore: Math.floor(total / 2) };
  }
  return { steps: time >= span ? Math.floor((time - span) / c.stride) + 1 : 0, padBefore: 0 };
}

class Conv1d implements Layer<Conv1dConfig, Cache> {
  readonly type = TYPE;
  readonly outputShape: readonly number[];
  readonly #w: Param;
  readonly #b: Param | null;
  readonly #time: number;
  readonly #features: number;
  readonly #steps: number;
  readonly #padBefore: number;

  constructor(
    readonly config: Readonly<Conv1dConfig>,
    readonly inputShape: readonly number[],
    rng: Rng,
  ) {
    [this.#time, this.#features] = inputShape;
    const { steps, padBefore } = conv1dGeometry(this.#time, config);
    this.#steps = steps;
    this.#padBefore = padBefore;
    this.outputShape = config.returnSequences ? [steps, config.units] : [config.units];
    const fanIn = config.kernel * this.#features;
    this.#w = makeParam('W', [fanIn, config.units], true);
    initWeights(this.#w.value, config.init, fanIn, config.units, rng);
    this.#b = config.useBias ? makeParam('b', [config.units], false) : null;
    if (this.#b) initConstant(this.#b.value, config.biasInit);
  }

  /** The first input step of window (t, j), or -1 when it falls in the padding. */
  #src(t: number, j: number): number {
    const s = t * this.config.stride + j * this.config.dilation - this.#padBefore;
    return s >= 0 && s < this.#time ? s : -1;
  }

  forward(x: Tensor, _ctx: ForwardContext): { y: Tensor; cache: Cache } {
    const B = batchOf(TYPE, x, this.inputShape);
    const { kernel: K, units: U } = this.config;
    const F = this.#features;
    const S = this.#steps;
    const row = K * F;
    const cols = new Float32Array(B * S * row);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) {
        for (let j = 0; j < K; j++) {
          const s = this.#src(t, j);
          if (s >= 0) cols.set(x.data.subarray((b * this.#time + s) * F, (b * this.#time + s + 1) * F), (b * S + t) * row + j * F);
        }
      }
    }
    const y = new Float32Array(B * S * U);
    gemm(false, false, B * S, U, row, 1, cols, 0, this.#w.value, 0, 0, y, 0);
    if (this.#b) {
      const bias = this.#b.value;
      for (let r = 0; r < B * S; r++) for (let u = 0; u < U; u++) y[r * U + u] += bias[u];
    }
    const cache = { batch: B, cols };
    if (this.config.returnSequences) return { y: tensor([B, S, U], y), cache };
    const mean = new Float32Array(B * U);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) for (let u = 0; u < U; u++) mean[b * U + u] += y[(b * S + t) * U + u];
      for (let u = 0; u < U; u++) mean[b * U + u] /= S;
    }
    return { y: tensor([B, U], mean), cache };
  }

  backward(cache: Cache, dy: Tensor): Tensor {
    const { batch: B, cols } = cache;
    const { kernel: K, units: U } = this.config;
    const F = this.#features;
    const S = this.#steps;
    const row = K * F;
    let d = dy.data;
    if (!this.config.returnSequences) {
      d = new Float32Array(B * S * U);
      for (let b = 0; b < B; b++) for (let t = 0; t < S; t++) for (let u = 0; u < U; u++) d[(b * S + t) * U + u] = dy.data[b * U + u] / S;
    }
    gemm(true, false, row, U, B * S, 1, cols, 0, d, 0, 1, this.#w.grad, 0);
    if (this.#b) {
      const g = this.#b.grad;
      for (let r = 0; r < B * S; r++) for (let u = 0; u < U; u++) g[u] += d[r * U + u];
    }
    const dcols = new Float32Array(B * S * row);
    gemm(false, true, B * S, row, U, 1, d, 0, this.#w.value, 0, 0, dcols, 0);
    const dx = new Float32Array(B * this.#time * F);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) {
        for (let j = 0; j < K; j++) {
          const s = this.#src(t, j);
          if (s < 0) continue;
          const from = (b * S + t) * row + j * F;
          const to = (b * this.#time + s) * F;
          for (let f = 0; f < F; f++) dx[to + f] += dcols[from + f];
        }
      }
    }
    return tensor([B, this.#time, F], dx);
  }

  params(): Param[] {
    return this.#b ? [this.#w, this.#b] : [this.#w];
  }

  buffers(): Buffer[] {
    return [];
  }
}

registerLayer<Conv1dConfig>({
  type: TYPE,
  defaults: Object.freeze({
    units: 8,
    kernel: 3,
    stride: 1,
    dilation: 1,
    padding: 'valid' as const,
    returnSequences: true,
    useBias: true,
    init: 'he' as const,
    biasInit: 0,
  }),
  validate(c, inputShape) {
    positiveInt(TYPE, 'units', c.units);
    positiveInt(TYPE, 'kernel', c.kernel);
    positiveInt(TYPE, 'stride', c.stride);
    positiveInt(TYPE, 'dilation', c.dilation);
    oneOf(TYPE, 'padding', c.padding, ['valid', 'same'] as const);
    validInit(TYPE, 'init', c.init);
    checkSequenceInput(TYPE, inputShape);
    if (conv1dGeometry(inputShape[0], c).steps < 1) {
      const span = c.dilation * (c.kernel - 1) + 1;
      throw new Error(`layer "${TYPE}": a window of ${span} steps does not fit ${inputShape[0]} steps with padding "valid"`);
    }
  },
  create: (c, inputShape, rng) => new Conv1d(c, inputShape, rng),
});
