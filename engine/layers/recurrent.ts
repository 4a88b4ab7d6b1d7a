/**
 * What the recurrent layers (simpleRnn, lstm, gru) share. Inputs are [batch, time, features]; the
 * per-sample input shape is [time, features]. Outputs are the last hidden state [units] or, with
 * returnSequences, every step's [time, units]. The initial state is zero.
 *
 * Layout: inside a pass everything is time-major ([time, batch, ...]) so one step is one dense block
 * and the input projections of all steps are one matrix multiply:
 *   Z = X Wx + b               [time*batch, gates*units]  (one GEMM before the loop)
 *   R_t = h_(t-1) Wh           [batch, gates*units]       (one small GEMM a step)
 * Backpropagation through time walks the steps backwards, carrying dh (and dc for the LSTM); the weight
 * gradients are then one GEMM each over all steps: dWx += X^T dZ, dWh += H_prev^T dR.
 * Gate order in Wx, Wh and b is PyTorch's (lstm: input, forget, cell, output; gru: reset, update, new).
 */
import type { Rng } from '../core/rng.js';
import { f32Of, type Arena } from '../core/arena.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { addRowBias, sumRowsInto } from '../kernels/bias.js';
import { gemm } from '../kernels/gemm.js';
import { batchOf, oneOf, positiveInt, validInit } from './checks.js';
import { INIT_NAMES, initConstant, initWeights, type InitName } from './init.js';
import type { Buffer, ForwardContext, Layer, Param } from './layer.js';
import { makeParam } from './param.js';

export type RecurrentInit = InitName | 'orthogonal';
export const RECURRENT_INITS: readonly RecurrentInit[] = Object.freeze([...INIT_NAMES, 'orthogonal']);

export interface RecurrentConfig {
  units: number;
  /** true: every step's state [time, units]; false: the last state [units]. */
  returnSequences: boolean;
  /** Input weights Wx. */
  init: InitName;
  /** Recurrent weights Wh: 'orthogonal' gives each gate's [units, units] block orthonormal columns. */
  recurrentInit: RecurrentInit;
}

export const RECURRENT_DEFAULTS: Readonly<RecurrentConfig> = Object.freeze({
  units: 16,
  returnSequences: false,
  init: 'glorotUniform',
  recurrentInit: 'orthogonal',
});

/** Check the shared options and a [time, features] input. */
export function validateRecurrent(type: string, c: RecurrentConfig, inputShape: readonly number[]): void {
  positiveInt(type, 'units', c.units);
  validInit(type, 'init', c.init);
  oneOf(type, 'recurrentInit', c.recurrentInit, RECURRENT_INITS);
  checkSequenceInput(type, inputShape);
}

export function checkSequenceInput(type: string, inputShape: readonly number[]): void {
  if (inputShape.length !== 2 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`layer "${type}": expects input [time, features], got [${inputShape.join('x')}]; image rows are [height, width * channels]`);
  }
}

/** [batch, time, f] -> [time, batch, f]. */
export function toTimeMajor(src: Float32Array, batch: number, time: number, f: number, out: Float32Array): void {
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) out.set(src.subarray((b * time + t) * f, (b * time + t + 1) * f), (t * batch + b) * f);
  }
}

/** [time, batch, f] (starting at srcOff) -> [batch, time, f]. */
export function toBatchMajor(src: Float32Array, srcOff: number, batch: number, time: number, f: number, out: Float32Array): void {
  for (let t = 0; t < time; t++) {
    for (let b = 0; b < batch; b++) {
      const s = srcOff + (t * batch + b) * f;
      out.set(src.subarray(s, s + f), (b * time + t) * f);
    }
  }
}

/**
 * Fill a [rows, blocks * rows] matrix with `blocks` orthogonal [rows, rows] blocks side by side
 * (modified Gram-Schmidt on Gaussian columns, in float64; the sign convention of QR with R's diagonal
 * positive, so the blocks are uniformly distributed orthogonal matrices).
 */
export function initOrthogonalBlocks(out: Float32Array, rows: number, blocks: number, rng: Rng): void {
  const n = rows;
  const cols = blocks * n;
  const q = new Float64Array(n * n);
  for (let k = 0; k < blocks; k++) {
    for (let i = 0; i < q.length; i++) q[i] = rng.normal();
    for (let j = 0; j < n; j++) {
      // column j of q (stored column-major in q[j*n + i]) against the earlier ones
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[p * n + i] * q[j * n + i];
        for (let i = 0; i < n; i++) q[j * n + i] -= d * q[p * n + i];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += q[j * n + i] * q[j * n + i];
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < n; i++) q[j * n + i] /= norm;
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * cols + k * n + j] = q[j * n + i];
  }
}

/** One named activation over time, read from a time-major array: row (t, b) starts at (t*batch + b)*stride + offset. */
export interface TraceSource {
  name: string;
  data: Float32Array;
  stride: number;
  offset: number;
}

/** Gate activations over time, for telemetry (plain JSON-able numbers). */
export interface GateTrace {
  layer: string;
  steps: number;
  units: number;
  /** Names in the order of `means` and `matrices`, e.g. input, forget, cell, output, c, h. */
  names: string[];
  /** Per name: the mean over the batch and the units at each step, [steps]. */
  means: number[][];
  /** When a sample was chosen: per name, its [steps, units] matrix, row-major. */
  sample?: { index: number; matrices: number[][] };
}

/** Layers that can report their gates from a forward cache. */
export interface GateReporter {
  gateTrace(cache: unknown, sample?: number): GateTrace;
}

export function hasGateTrace(layer: Layer): layer is Layer & GateReporter {
  return typeof (layer as Partial<GateReporter>).gateTrace === 'function';
}

export interface RecurrentCache {
  batch: number;
  /** Input, time-major [time, batch, features]. */
  xT: Float32Array;
  /** States h_(-1) .. h_(time-1), time-major [(time + 1), batch, units]; h_(-1) = 0. */
  h: Float32Array;
}

/**
 * The recurrent scaffolding: params Wx [features, G*units], Wh [units, G*units], b [G*units], the
 * projections, the output and input layouts, the weight gradients and telemetry. A cell subclass runs
 * the steps (forwardSteps / backwardSteps) and names its traces.
 */
export abstract class RecurrentLayer<C extends RecurrentConfig, K extends RecurrentCache> implements Layer<C, K>, GateReporter {
  abstract readonly type: string;
  readonly outputShape: readonly number[];
  protected readonly time: number;
  protected readonly features: number;
  protected readonly units: number;
  protected readonly gates: number;
  protected readonly wx: Param;
  protected readonly wh: Param;
  protected readonly b: Param;

  constructor(
    readonly config: Readonly<C>,
    readonly inputShape: readonly number[],
    gates: number,
    rng: Rng,
  ) {
    [this.time, this.features] = inputShape;
    this.units = config.units;
    this.gates = gates;
    const gu = gates * this.units;
    this.outputShape = config.returnSequences ? [this.time, this.units] : [this.units];
    this.wx = makeParam('Wx', [this.features, gu], true);
    this.wh = makeParam('Wh', [this.units, gu], true);
    this.b = makeParam('b', [gu], false);
    // fan-out per gate, as if each gate were its own dense layer (Keras' glorot on the whole [in, 4u] differs little)
    initWeights(this.wx.value, config.init, this.features, this.units, rng);
    if (config.recurrentInit === 'orthogonal') initOrthogonalBlocks(this.wh.value, this.units, gates, rng);
    else initWeights(this.wh.value, config.recurrentInit, this.units, this.units, rng);
    initConstant(this.b.value, 0);
  }

  /**
   * Run the steps: Z holds X Wx + b (time-major); fill h[(t+1)*batch*units ...] and return the cache.
   * `arena`: where the cache's arrays may come from (ForwardContext.arena).
   */
  protected abstract forwardSteps(xT: Float32Array, z: Float32Array, h: Float32Array, batch: number, arena?: Arena): K;

  /**
   * Walk back through the steps. dH holds dL/dh_t from the output (time-major [time, batch, units]);
   * fill dZ (gradient of the pre-activations' input part Z) and dR (of the recurrent part R; may be dZ
   * itself when the cell adds them plainly), and add into the cell's own extra params.
   */
  protected abstract backwardSteps(cache: K, dH: Float32Array, dZ: Float32Array, dR: Float32Array): void;

  /** Whether dR differs from dZ (GRU: the recurrent part of the new gate is scaled by the reset gate). */
  protected readonly separateRecurrentGrad: boolean = false;

  protected abstract traces(cache: K): TraceSource[];

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: K } {
    const B = batchOf(this.type, x, this.inputShape);
    const { time: T, features: F, units: U } = this;
    const gu = this.gates * U;
    const arena = ctx.arena;
    const xT = f32Of(arena, T * B * F, false); // overwritten
    toTimeMajor(x.data, B, T, F, xT);
    const z = f32Of(arena, T * B * gu, false); // overwritten (beta = 0)
    gemm(false, false, T * B, gu, F, 1, xT, 0, this.wx.value, 0, 0, z, 0);
    addRowBias(z, T * B, gu, this.b.value);
    const h = f32Of(arena, (T + 1) * B * U);
    const cache = this.forwardSteps(xT, z, h, B, arena);
    let y: Tensor;
    if (this.config.returnSequences) {
      const out = f32Of(arena, B * T * U);
      toBatchMajor(h, B * U, B, T, U, out);
      y = tensor([B, T, U], out);
    } else {
      const last = f32Of(arena, B * U);
      last.set(h.subarray(T * B * U));
      y = tensor([B, U], last);
    }
    return { y, cache };
  }

  backward(cache: K, dy: Tensor, needInput = true, arena?: Arena): Tensor {
    const { time: T, features: F, units: U } = this;
    const B = cache.batch;
    const gu = this.gates * U;
    const dH = f32Of(arena, T * B * U);
    if (this.config.returnSequences) {
      // dy is [batch, time, units]; time-major is the same permutation as for the input
      toTimeMajor(dy.data, B, T, U, dH);
    } else {
      dH.set(dy.data, (T - 1) * B * U);
    }
    const dZ = f32Of(arena, T * B * gu, false); // every cell writes every value
    const dR = this.separateRecurrentGrad ? f32Of(arena, T * B * gu, false) : dZ; // written whole, as dZ
    this.backwardSteps(cache, dH, dZ, dR);
    // dWh += H_prev^T dR over all steps at once (H_prev = h_(-1) .. h_(T-2) = the first T blocks of h)
    gemm(true, false, U, gu, T * B, 1, cache.h, 0, dR, 0, 1, this.wh.grad, 0);
    gemm(true, false, F, gu, T * B, 1, cache.xT, 0, dZ, 0, 1, this.wx.grad, 0);
    sumRowsInto(dZ, T * B, gu, this.b.grad);
    // The first layer of a network trained on data: nothing uses dx (a T*B x F x gates*units product).
    if (!needInput) return tensor([0], new Float32Array(0));
    const dxT = f32Of(arena, T * B * F, false); // overwritten
    gemm(false, true, T * B, F, gu, 1, dZ, 0, this.wx.value, 0, 0, dxT, 0);
    const dx = f32Of(arena, B * T * F, false);
    toBatchMajor(dxT, 0, B, T, F, dx);
    return tensor([B, T, F], dx);
  }

  params(): Param[] {
    return [this.wx, this.wh, this.b];
  }

  buffers(): Buffer[] {
    return [];
  }

  gateTrace(cache: K, sample?: number): GateTrace {
    const { time: T, units: U } = this;
    const B = cache.batch;
    if (sample !== undefined && !(Number.isInteger(sample) && sample >= 0 && sample < B)) {
      throw new RangeError(`${this.type}: sample ${sample} is outside the batch of ${B}`);
    }
    const srcs = this.traces(cache);
    const means = srcs.map((s) => {
      const m: number[] = [];
      for (let t = 0; t < T; t++) {
        let acc = 0;
        for (let b = 0; b < B; b++) {
          const o = (t * B + b) * s.stride + s.offset;
          for (let j = 0; j < U; j++) acc += s.data[o + j];
        }
        m.push(acc / (B * U));
      }
      return m;
    });
    const trace: GateTrace = { layer: this.type, steps: T, units: U, names: srcs.map((s) => s.name), means };
    if (sample !== undefined) {
      const matrices = srcs.map((s) => {
        const m: number[] = [];
        for (let t = 0; t < T; t++) {
          const o = (t * B + sample) * s.stride + s.offset;
          for (let j = 0; j < U; j++) m.push(s.data[o + j]);
        }
        return m;
      });
      trace.sample = { index: sample, matrices };
    }
    return trace;
  }

  /** The hidden states h_0 .. h_(T-1) as a trace source. */
  protected hiddenTrace(cache: K): TraceSource {
    return { name: 'h', data: cache.h, stride: this.units, offset: cache.batch * this.units };
  }
}
