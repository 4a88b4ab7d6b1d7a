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
 *
 * Softmax experts (output 'softmax', for classification): each expert gives logits z_e = A_e^T x~.
 *  - cooperative: the blend of the logits z = sum_e g_e z_e goes through a softmax, q = softmax(z), and
 *    L = -sum_o t_o log q_o; with delta = q sum(t) - t the gradients are those above with (y - t) -> delta;
 *  - competitive: each expert is a multinomial p_e = softmax(z_e) and L = -log sum_e g_e prod_o p_eo^t_o,
 *    the mixture likelihood; h_e = g_e exp(t.log p_e) / sum, dL/dz_e = h_e (p_e sum(t) - t), dL/ds_e = g_e - h_e.
 * The prediction is q (cooperative) or sum_e g_e p_e (competitive): class probabilities either way.
 */
import { Rng } from '../core/rng.js';
import { finiteIn, oneOf, positiveInt } from './checks.js';
import { checkMatrix } from './distance.js';
import { softmaxInPlace } from './rbf.js';
import { SgdSteps, type Stepper } from './adam.js';

export type MoeMode = 'cooperative' | 'competitive';
/** What the experts output: linear values (regression, squared error) or softmax class probabilities. */
export type MoeOutput = 'linear' | 'softmax';

export interface MoeConfig {
  dim: number;
  outputs: number;
  experts: number;
  mode: MoeMode;
  /** 'linear' when absent (files written before softmax experts existed). */
  output: MoeOutput;
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

/** The image-classifier recipe of `locus train --model moe`: softmax experts, Adam, mini-batches of 32. */
export const MOE_CLASSIFIER = Object.freeze({ experts: 4, mode: 'cooperative' as MoeMode, epochs: 10, lr: 0.001, batch: 32 });

export class MixtureOfExperts {
  readonly config: Readonly<MoeConfig>;
  readonly rng: Rng;
  experts: Float64Array;
  gate: Float64Array;
  #g: Float64Array;
  #y: Float64Array;
  #h: Float64Array;
  #p: Float64Array;
  #ll: Float64Array;

  constructor(config: Partial<MoeConfig> & { dim: number; outputs: number; experts: number }) {
    const c: MoeConfig = { mode: 'competitive', output: 'linear', seed: 1, ...config };
    positiveInt('MoE dim', c.dim);
    positiveInt('MoE outputs', c.outputs);
    positiveInt('MoE experts', c.experts);
    oneOf('MoE mode', c.mode, ['cooperative', 'competitive']);
    oneOf('MoE output', c.output, ['linear', 'softmax']);
    this.config = Object.freeze(c);
    this.rng = new Rng(c.seed);
    const p = c.dim + 1;
    this.experts = Float64Array.from({ length: c.experts * p * c.outputs }, () => 0.1 * this.rng.normal());
    this.gate = Float64Array.from({ length: p * c.experts }, () => 0.1 * this.rng.normal());
    this.#g = new Float64Array(c.experts);
    this.#y = new Float64Array(c.experts * c.outputs);
    this.#h = new Float64Array(c.experts);
    this.#p = new Float64Array(c.experts * c.outputs);
    this.#ll = new Float64Array(c.experts);
  }

  /**
   * A mixture of softmax experts for classifying standardized inputs. The default start (weights
   * 0.1 N(0, 1)) suits a few inputs; with hundreds of pixels it puts every output far from the targets.
   * Here the experts start at 0 (uniform class probabilities) and the gate near uniform (its remaining
   * randomness, 0.1 N(0, 1) / sqrt(dim), is what makes the experts differ).
   */
  static classifier(c: { dim: number; classes: number; experts?: number; mode?: MoeMode; seed?: number }): MixtureOfExperts {
    const m = new MixtureOfExperts({ dim: c.dim, outputs: c.classes, experts: c.experts ?? MOE_CLASSIFIER.experts, mode: c.mode ?? MOE_CLASSIFIER.mode, output: 'softmax', seed: c.seed ?? 1 });
    m.experts.fill(0);
    for (let q = 0; q < m.gate.length; q++) m.gate[q] /= Math.sqrt(c.dim);
    return m;
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

  /** Every expert's output (linear values, or logits for softmax experts), experts x outputs, into out. */
  expertOutputs(x: Float32Array, xo: number, out: Float64Array = new Float64Array(this.config.experts * this.config.outputs)): Float64Array {
    const { dim: d, outputs: m, experts: E } = this.config;
    const p = d + 1;
    const w = this.experts;
    for (let e = 0; e < E; e++) for (let o = 0; o < m; o++) out[e * m + o] = w[e * p * m + d * m + o];
    for (let q = 0; q < d; q++) {
      const xv = x[xo + q];
      if (xv === 0) continue;
      for (let e = 0; e < E; e++) {
        const row = e * p * m + q * m;
        const oo = e * m;
        for (let o = 0; o < m; o++) out[oo + o] += xv * w[row + o];
      }
    }
    return out;
  }

  /**
   * The blended output: sum_e g_e y_e (linear experts), softmax(sum_e g_e z_e) (softmax, cooperative) or
   * sum_e g_e softmax(z_e) (softmax, competitive).
   */
  predict(x: Float32Array, xo = 0, out: Float64Array = new Float64Array(this.config.outputs)): Float64Array {
    const { outputs: m, experts: E, output, mode } = this.config;
    const g = this.gates(x, xo, this.#g);
    const y = this.expertOutputs(x, xo, this.#y);
    out.fill(0);
    if (output === 'softmax' && mode === 'competitive') {
      this.#expertSoftmax();
      for (let e = 0; e < E; e++) for (let o = 0; o < m; o++) out[o] += g[e] * this.#p[e * m + o];
      return out;
    }
    for (let e = 0; e < E; e++) for (let o = 0; o < m; o++) out[o] += g[e] * y[e * m + o];
    if (output === 'softmax') softmaxInPlace(out);
    return out;
  }

  /** #p = softmax of each expert's logits in #y. */
  #expertSoftmax(): void {
    const { outputs: m, experts: E } = this.config;
    this.#p.set(this.#y);
    for (let e = 0; e < E; e++) softmaxInPlace(this.#p.subarray(e * m, (e + 1) * m));
  }

  /** Posterior responsibilities h_e of the experts for the pair (x, t). */
  responsibilities(x: Float32Array, xo: number, t: Float32Array, to: number, out: Float64Array = new Float64Array(this.config.experts)): Float64Array {
    this.gates(x, xo, this.#g);
    this.expertOutputs(x, xo, this.#y);
    this.#posterior(t, to, out);
    return out;
  }

  /**
   * h from the current #g and #y (and #p for softmax experts, filled here); returns -log sum_e g_e l_e with
   * l_e = exp(-0.5 |t - y_e|^2) (linear) or prod_o p_eo^t_o (softmax).
   */
  #posterior(t: Float32Array, to: number, h: Float64Array): number {
    const { outputs: m, experts: E, output } = this.config;
    if (output === 'softmax') this.#expertSoftmax();
    let mx = -Infinity;
    for (let e = 0; e < E; e++) {
      let s = 0;
      if (output === 'softmax') {
        for (let o = 0; o < m; o++) if (t[to + o] !== 0) s += t[to + o] * Math.log(Math.max(this.#p[e * m + o], 1e-300));
      } else {
        for (let o = 0; o < m; o++) {
          const r = t[to + o] - this.#y[e * m + o];
          s -= 0.5 * r * r;
        }
      }
      h[e] = Math.log(this.#g[e]) + s;
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

  /** Mean squared error 0.5 |y - t|^2 of the blended output (predict's; comparable across modes). */
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
    const { dim: d, outputs: m, experts: E, mode, output } = this.config;
    checkMatrix('MoE inputs', x, n, d);
    checkMatrix('MoE targets', t, n, m);
    const p = d + 1;
    const soft = output === 'softmax';
    const blend = new Float64Array(m);
    const q = new Float64Array(m);
    const delta = new Float64Array(m);
    const res = new Float64Array(m);
    const ds = new Float64Array(E);
    const count = idx ? idx.length : n;
    let total = 0;
    for (let s = 0; s < count; s++) {
      const i = idx ? idx[s] : s;
      const xo = i * d;
      const to = i * m;
      const g = this.gates(x, xo, this.#g);
      const y = this.expertOutputs(x, xo, this.#y);
      let tsum = 0;
      for (let o = 0; o < m; o++) tsum += t[to + o];
      if (mode === 'cooperative') {
        blend.fill(0);
        for (let e = 0; e < E; e++) for (let o = 0; o < m; o++) blend[o] += g[e] * y[e * m + o];
        if (soft) {
          q.set(blend);
          softmaxInPlace(q);
          for (let o = 0; o < m; o++) {
            if (t[to + o] !== 0) total -= t[to + o] * Math.log(Math.max(q[o], 1e-300));
            delta[o] = q[o] * tsum - t[to + o];
          }
        } else {
          for (let o = 0; o < m; o++) {
            delta[o] = blend[o] - t[to + o];
            total += 0.5 * delta[o] ** 2;
          }
        }
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
          for (let o = 0; o < m; o++) dot += delta[o] * (y[e * m + o] - blend[o]);
          ds[e] = g[e] * dot;
          res.set(delta);
        } else {
          coef = this.#h[e];
          ds[e] = g[e] - this.#h[e];
          for (let o = 0; o < m; o++) res[o] = (soft ? this.#p[e * m + o] * tsum : y[e * m + o]) - t[to + o];
        }
        if (coef === 0) continue;
        const base = e * p * m;
        for (let o = 0; o < m; o++) res[o] *= coef;
        for (let k = 0; k < d; k++) {
          const xv = x[xo + k];
          if (xv === 0) continue;
          const row = base + k * m;
          for (let o = 0; o < m; o++) grad.experts[row + o] += res[o] * xv;
        }
        for (let o = 0; o < m; o++) grad.experts[base + d * m + o] += res[o];
      }
      for (let k = 0; k < d; k++) {
        const xv = x[xo + k];
        if (xv === 0) continue;
        for (let e = 0; e < E; e++) grad.gate[k * E + e] += ds[e] * xv;
      }
      for (let e = 0; e < E; e++) grad.gate[d * E + e] += ds[e];
    }
    if (grad) {
      for (const a of [grad.experts, grad.gate]) for (let k = 0; k < a.length; k++) a[k] /= count;
    }
    return total / count;
  }

  /**
   * Mini-batch training, plain gradient descent at `rate` unless a stepper (e.g. AdamSteps, which keeps
   * its moments from call to call) is given; returns the mean loss after each epoch.
   */
  train(x: Float32Array, t: Float32Array, n: number, opts: { epochs: number; rate: number; batch?: number; stepper?: Stepper }): number[] {
    positiveInt('MoE epochs', opts.epochs);
    finiteIn('MoE rate', opts.rate, 0, Infinity, true);
    const batch = positiveInt('MoE batch', opts.batch ?? 16);
    const stepper = opts.stepper ?? new SgdSteps(opts.rate);
    const out: number[] = [];
    for (let ep = 0; ep < opts.epochs; ep++) {
      const order = this.rng.permutation(n);
      for (let s = 0; s < n; s += batch) {
        const g = this.gradients(x, t, n, order.subarray(s, Math.min(n, s + batch)));
        stepper.step([this.experts, this.gate], [g.experts, g.gate]);
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
