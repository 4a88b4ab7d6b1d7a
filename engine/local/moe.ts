/**
 * Mixture of experts (Jacobs, Jordan, Nowlan and Hinton 1991): E linear experts y_e = A_e^T [x; 1] and a
 * softmax gating network g = softmax(V^T [x; 1]). The output is y = sum_e g_e y_e. Two ways to train:
 *  - cooperative: L = 0.5 |t - y|^2, the error of the blend, so experts share the work;
 *  - competitive: L = -log sum_e g_e exp(-0.5 |t - y_e|^2), the likelihood of a mixture of unit
 *    Gaussians, so each input is claimed by the experts in proportion to their responsibilities
 *      h_e = g_e exp(-0.5 |t - y_e|^2) / sum_k g_k exp(-0.5 |t - y_k|^2).
 * Gradients (per sample, x~ = [x; 1]):
 *  cooperative  dL/dA_e = g_e x~ (y - t)^T,      dL/ds_e = g_e (y - t).(y_e - y)
 *  competitive  dL/dA_e = h_e x~ (y_e - t)^T,    dL/ds_e = g_e - h_e
 * and dL/dV = x~ (dL/ds)^T for the gate scores s = V^T x~.
 */
import { Rng } from '../core/rng.js';
import { finiteIn, oneOf, positiveInt } from './checks.js';
import { checkMatrix } from './distance.js';
import { softmaxInPlace } from './rbf.js';

export type MoeMode = 'cooperative' | 'competitive';

export interface MoeConfig {
  dim: number;
  outputs: number;
  experts: number;
  mode: MoeMode;
  seed: number;
}

export interface MoeState {
  type: 'moe';
  config: MoeConfig;
  /** experts x (dim + 1) x outputs, bias row last in each expert. */
  experts: number[];
  /** (dim + 1) x experts, bias row last. */
  gate: number[];
  rng: ReturnType<Rng['getState']>;
}

export interface MoeGradients {
  experts: Float64Array;
  gate: Float64Array;
}

export class MixtureOfExperts {
  readonly config: Readonly<MoeConfig>;
  readonly rng: Rng;
  experts: Float64Array;
  gate: Float64Array;
  #g: Float64Array;
  #y: Float64Array;
  #h: Float64Array;

  constructor(config: Partial<MoeConfig> & { dim: number; outputs: number; experts: number }) {
    const c: MoeConfig = { mode: 'competitive', seed: 1, ...config };
    positiveInt('MoE dim', c.dim);
    positiveInt('MoE outputs', c.outputs);
    positiveInt('MoE experts', c.experts);
    oneOf('MoE mode', c.mode, ['cooperative', 'competitive']);
    this.config = Object.freeze(c);
    this.rng = new Rng(c.seed);
    const p = c.dim + 1;
    this.experts = Float64Array.from({ length: c.experts * p * c.outputs }, () => 0.1 * this.rng.normal());
    this.gate = Float64Array.from({ length: p * c.experts }, () => 0.1 * this.rng.normal());
    this.#g = new Float64Array(c.experts);
    this.#y = new Float64Array(c.experts * c.outputs);
    this.#h = new Float64Array(c.experts);
  }

  /** Gate probabilities for x[xo..xo+dim), into out[0..experts). */
  gates(x: Float32Array, xo: number, out: Float64Array = new Float64Array(this.config.experts)): Float64Array {
    const { dim: d, experts: E } = this.config;
    for (let e = 0; e < E; e++) {
      let s = this.gate[d * E + e];
      for (let q = 0; q < d; q++) s += x[xo + q] * this.gate[q * E + e];
      out[e] = s;
    }
    softmaxInPlace(out);
    return out;
  }

  /** Every expert's output, experts x outputs, into out. */
  expertOutputs(x: Float32Array, xo: number, out: Float64Array = new Float64Array(this.config.experts * this.config.outputs)): Float64Array {
    const { dim: d, outputs: m, experts: E } = this.config;
    const p = d + 1;
    for (let e = 0; e < E; e++) {
      const base = e * p * m;
      for (let o = 0; o < m; o++) {
        let s = this.experts[base + d * m + o];
        for (let q = 0; q < d; q++) s += x[xo + q] * this.experts[base + q * m + o];
        out[e * m + o] = s;
      }
    }
    return out;
  }

  /** The blended output sum_e g_e y_e. */
  predict(x: Float32Array, xo = 0, out: Float64Array = new Float64Array(this.config.outputs)): Float64Array {
    const { outputs: m, experts: E } = this.config;
    const g = this.gates(x, xo, this.#g);
    const y = this.expertOutputs(x, xo, this.#y);
    out.fill(0);
    for (let e = 0; e < E; e++) for (let o = 0; o < m; o++) out[o] += g[e] * y[e * m + o];
    return out;
  }

  /** Posterior responsibilities h_e of the experts for the pair (x, t). */
  responsibilities(x: Float32Array, xo: number, t: Float32Array, to: number, out: Float64Array = new Float64Array(this.config.experts)): Float64Array {
    this.gates(x, xo, this.#g);
    this.expertOutputs(x, xo, this.#y);
    this.#posterior(t, to, out);
    return out;
  }

  /** h from the current #g and #y; returns -log sum_e g_e exp(-0.5 |t - y_e|^2). */
  #posterior(t: Float32Array, to: number, h: Float64Array): number {
    const { outputs: m, experts: E } = this.config;
    let mx = -Infinity;
    for (let e = 0; e < E; e++) {
      let s = 0;
      for (let o = 0; o < m; o++) {
        const r = t[to + o] - this.#y[e * m + o];
        s += r * r;
      }
      h[e] = Math.log(this.#g[e]) - 0.5 * s;
      if (h[e] > mx) mx = h[e];
    }
    let z = 0;
    for (let e = 0; e < E; e++) {
      h[e] = Math.exp(h[e] - mx);
      z += h[e];
    }
    for (let e = 0; e < E; e++) h[e] /= z;
    return -(mx + Math.log(z));
  }

  /** Mean training loss of the configured mode. */
  loss(x: Float32Array, t: Float32Array, n: number): number {
    return this.#run(x, t, n, null, null);
  }

  /** Mean squared error 0.5 |y - t|^2 of the blended output (comparable across modes). */
  mse(x: Float32Array, t: Float32Array, n: number): number {
    const { dim: d, outputs: m } = this.config;
    checkMatrix('MoE inputs', x, n, d);
    checkMatrix('MoE targets', t, n, m);
    const y = new Float64Array(m);
    let s = 0;
    for (let i = 0; i < n; i++) {
      this.predict(x, i * d, y);
      for (let o = 0; o < m; o++) s += 0.5 * (y[o] - t[i * m + o]) ** 2;
    }
    return s / n;
  }

  gradients(x: Float32Array, t: Float32Array, n: number, idx?: ArrayLike<number>): MoeGradients {
    const g: MoeGradients = { experts: new Float64Array(this.experts.length), gate: new Float64Array(this.gate.length) };
    this.#run(x, t, n, g, idx ?? null);
    return g;
  }

  #run(x: Float32Array, t: Float32Array, n: number, grad: MoeGradients | null, idx: ArrayLike<number> | null): number {
    const { dim: d, outputs: m, experts: E, mode } = this.config;
    checkMatrix('MoE inputs', x, n, d);
    checkMatrix('MoE targets', t, n, m);
    const p = d + 1;
    const blend = new Float64Array(m);
    const ds = new Float64Array(E);
    const count = idx ? idx.length : n;
    let total = 0;
    for (let s = 0; s < count; s++) {
      const i = idx ? idx[s] : s;
      const xo = i * d;
      const to = i * m;
      const g = this.gates(x, xo, this.#g);
      const y = this.expertOutputs(x, xo, this.#y);
      blend.fill(0);
      for (let e = 0; e < E; e++) for (let o = 0; o < m; o++) blend[o] += g[e] * y[e * m + o];
      if (mode === 'cooperative') {
        for (let o = 0; o < m; o++) total += 0.5 * (blend[o] - t[to + o]) ** 2;
      } else {
        total += this.#posterior(t, to, this.#h);
      }
      if (!grad) continue;
      for (let e = 0; e < E; e++) {
        // coefficient on the expert's output error, and the gate-score gradient
        let coef: number;
        if (mode === 'cooperative') {
          coef = g[e];
          let dot = 0;
          for (let o = 0; o < m; o++) dot += (blend[o] - t[to + o]) * (y[e * m + o] - blend[o]);
          ds[e] = g[e] * dot;
        } else {
          coef = this.#h[e];
          ds[e] = g[e] - this.#h[e];
        }
        const base = e * p * m;
        for (let o = 0; o < m; o++) {
          const err = coef * (mode === 'cooperative' ? blend[o] - t[to + o] : y[e * m + o] - t[to + o]);
          for (let q = 0; q < d; q++) grad.experts[base + q * m + o] += err * x[xo + q];
          grad.experts[base + d * m + o] += err;
        }
      }
      for (let e = 0; e < E; e++) {
        for (let q = 0; q < d; q++) grad.gate[q * E + e] += ds[e] * x[xo + q];
        grad.gate[d * E + e] += ds[e];
      }
    }
    if (grad) {
      for (const a of [grad.experts, grad.gate]) for (let q = 0; q < a.length; q++) a[q] /= count;
    }
    return total / count;
  }

  /** Mini-batch gradient descent; returns the mean loss after each epoch. */
  train(x: Float32Array, t: Float32Array, n: number, opts: { epochs: number; rate: number; batch?: number }): number[] {
    positiveInt('MoE epochs', opts.epochs);
    finiteIn('MoE rate', opts.rate, 0, Infinity, true);
    const batch = positiveInt('MoE batch', opts.batch ?? 16);
    const out: number[] = [];
    for (let ep = 0; ep < opts.epochs; ep++) {
      const order = this.rng.permutation(n);
      for (let s = 0; s < n; s += batch) {
        const g = this.gradients(x, t, n, order.subarray(s, Math.min(n, s + batch)));
        for (let q = 0; q < this.experts.length; q++) this.experts[q] -= opts.rate * g.experts[q];
        for (let q = 0; q < this.gate.length; q++) this.gate[q] -= opts.rate * g.gate[q];
      }
      out.push(this.loss(x, t, n));
    }
    return out;
  }

  toState(): MoeState {
    return { type: 'moe', config: { ...this.config }, experts: Array.from(this.experts), gate: Array.from(this.gate), rng: this.rng.getState() };
  }

  static fromState(st: MoeState): MixtureOfExperts {
    if (!st || st.type !== 'moe') throw new Error('not a mixture-of-experts state');
    const m = new MixtureOfExperts(st.config);
    if (st.experts.length !== m.experts.length || st.gate.length !== m.gate.length) throw new Error('MoE state: weight sizes do not match the settings');
    if (!st.experts.every(Number.isFinite) || !st.gate.every(Number.isFinite)) throw new Error('MoE state: weights must be finite numbers');
    m.experts = Float64Array.from(st.experts);
    m.gate = Float64Array.from(st.gate);
    m.rng.setState(st.rng);
    return m;
  }
}
