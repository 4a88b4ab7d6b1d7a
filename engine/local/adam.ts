/**
 * Adam (Kingma and Ba 2015) on the local models' float64 parameter arrays, with bias correction, the
 * same update as engine/optim/adam.ts (which steps float32 layer params):
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,  w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * A Stepper takes the arrays in the same order on every call (its moments are kept per position).
 */
import { finiteIn } from './checks.js';

/** A parameter or gradient array (the local models keep float64 weights, prototypes in float32). */
export type Values = Float32Array | Float64Array;

export interface Stepper {
  /** Move each params[i] against grads[i] (same lengths). */
  step(params: readonly Values[], grads: readonly Values[]): void;
}

/** Plain gradient descent: w <- w - rate g. */
export class SgdSteps implements Stepper {
  constructor(readonly rate: number) {
    finiteIn('gradient descent rate', rate, 0, Infinity, true);
  }
  step(params: readonly Values[], grads: readonly Values[]): void {
    for (let a = 0; a < params.length; a++) {
      const w = params[a];
      const g = grads[a];
      for (let q = 0; q < w.length; q++) w[q] -= this.rate * g[q];
    }
  }
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class AdamSteps implements Stepper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  t = 0;
  #m: Float64Array[] = [];
  #v: Float64Array[] = [];

  constructor(o: AdamOptions) {
    this.lr = finiteIn('Adam lr', o.lr, 0, Infinity, true);
    this.beta1 = finiteIn('Adam beta1', o.beta1 ?? 0.9, 0, 1);
    this.beta2 = finiteIn('Adam beta2', o.beta2 ?? 0.999, 0, 1);
    this.eps = finiteIn('Adam eps', o.eps ?? 1e-8, 0, Infinity, true);
    if (this.beta1 >= 1 || this.beta2 >= 1) throw new Error('Adam betas must be below 1');
  }

  step(params: readonly Values[], grads: readonly Values[]): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, lr } = this;
    const c1 = 1 / (1 - Math.pow(b1, this.t));
    const c2 = 1 / Math.sqrt(1 - Math.pow(b2, this.t));
    for (let a = 0; a < params.length; a++) {
      const w = params[a];
      const g = grads[a];
      if (!this.#m[a] || this.#m[a].length !== w.length) {
        this.#m[a] = new Float64Array(w.length);
        this.#v[a] = new Float64Array(w.length);
      }
      const m = this.#m[a];
      const v = this.#v[a];
      for (let q = 0; q < w.length; q++) {
        const gq = g[q];
        m[q] = b1 * m[q] + (1 - b1) * gq;
        v[q] = b2 * v[q] + (1 - b2) * gq * gq;
        w[q] -= (lr * m[q] * c1) / (Math.sqrt(v[q]) * c2 + eps);
      }
    }
  }
}
