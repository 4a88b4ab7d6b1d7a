/**
 * ART-2A (Carpenter, Grossberg and Rosen 1991b) for real vectors of any scale, e.g. image embeddings
 * or raw pixels when brightness should not matter. Inputs are preprocessed to
 *   I = N(F(N(x)))      N = scale to unit length, F(v) = v if v > theta else 0 (contrast enhancement),
 * so categories compare directions (cosine similarity), not magnitudes. For a sample:
 *   choice  T_j = I . w_j for committed categories, alpha * sum(I) for an uncommitted one;
 * the winner J is the committed category with the largest T; it resonates if T_J >= max(rho,
 * alpha sum(I)); otherwise a new category w = I is made. Learning (beta = 1: w_J = I):
 *   w_J <- N(beta N(psi) + (1 - beta) w_J),  psi_i = I_i if w_Ji > theta else 0.
 * A zero vector has no direction: it is skipped (reported), not learnt.
 */
import { Rng } from '../core/rng.js';
import { artEpochs, newCategory, type ArtEpoch, type ArtStep } from './art-common.js';
import { finiteIn, positiveInt } from './checks.js';
import { checkMatrix, dot } from './distance.js';
import type { PrototypeModel } from './editor.js';
import { SampleOrder, type SampleOrderState } from './order.js';
import { PrototypeStore, type PrototypeStoreState } from './prototypes.js';
import { allByRows, type Scorer } from './scorer.js';

export interface Art2aConfig {
  dim: number;
  /** Choice value of an uncommitted category per unit of sum(I); at most 1/sqrt(dim). */
  alpha: number;
  /** Learning rate in (0, 1]. */
  beta: number;
  /** Initial vigilance in [0, 1]: the least cosine similarity to join a category. */
  rho: number;
  /** Contrast threshold theta in [0, 1/sqrt(dim)) (0: off). */
  theta: number;
  maxCategories: number;
  seed: number;
  shuffle: boolean;
}

export const ART2A_DEFAULTS: Readonly<Omit<Art2aConfig, 'dim' | 'alpha'>> = Object.freeze({
  beta: 0.1,
  rho: 0.9,
  theta: 0,
  maxCategories: 0,
  seed: 1,
  shuffle: true,
});

export interface Art2aState {
  type: 'art2a';
  config: Art2aConfig;
  vigilance: number;
  prototypes: PrototypeStoreState;
  counts: number[];
  steps: number;
  order: SampleOrderState;
}

export class Art2a implements PrototypeModel {
  readonly config: Readonly<Art2aConfig>;
  readonly dim: number;
  readonly prototypes: PrototypeStore;
  #rho: number;
  #counts: number[] = [];
  #steps = 0;
  #order: SampleOrder;
  #buf: Float32Array;

  constructor(config: Partial<Art2aConfig> & { dim: number }) {
    positiveInt('ART-2A dim', config.dim);
    const c = { ...ART2A_DEFAULTS, alpha: 0.5 / Math.sqrt(config.dim), ...config };
    finiteIn('ART-2A alpha', c.alpha, 0, 1 / Math.sqrt(c.dim));
    finiteIn('ART-2A beta', c.beta, 0, 1, true);
    finiteIn('ART-2A vigilance', c.rho, 0, 1);
    finiteIn('ART-2A theta', c.theta, 0, 1 / Math.sqrt(c.dim));
    if (!Number.isInteger(c.maxCategories) || c.maxCategories < 0) throw new Error('ART-2A maxCategories must be an integer >= 0');
    this.config = Object.freeze(c);
    this.dim = c.dim;
    this.#rho = c.rho;
    this.prototypes = new PrototypeStore(c.dim);
    this.#order = new SampleOrder(new Rng(c.seed), c.shuffle);
    this.#buf = new Float32Array(c.dim);
  }

  get vigilance(): number {
    return this.#rho;
  }

  set vigilance(rho: number) {
    this.#rho = finiteIn('ART-2A vigilance', rho, 0, 1);
  }

  get counts(): readonly number[] {
    return this.#counts;
  }

  get steps(): number {
    return this.#steps;
  }

  /** The preprocessed input I into out; false for a zero vector. */
  preprocess(x: Float32Array, xo: number, out: Float32Array): boolean {
    const d = this.dim;
    const th = this.config.theta;
    let s = 0;
    for (let t = 0; t < d; t++) s += x[xo + t] * x[xo + t];
    if (!(s > 0)) return false;
    const inv = 1 / Math.sqrt(s);
    let s2 = 0;
    for (let t = 0; t < d; t++) {
      const v = x[xo + t] * inv;
      const f = v > th ? v : 0;
      out[t] = f;
      s2 += f * f;
    }
    if (!(s2 > 0)) return false;
    const inv2 = 1 / Math.sqrt(s2);
    for (let t = 0; t < d; t++) out[t] *= inv2;
    return true;
  }

  present(x: Float32Array, xo = 0, sample = -1): ArtStep {
    const d = this.dim;
    if (x.length < xo + d) throw new Error(`ART-2A: input needs ${d} values`);
    this.#steps++;
    const I = this.#buf;
    if (!this.preprocess(x, xo, I)) {
      return { sample, winner: -1, resonated: -1, created: false, moved: [], tried: [], skipped: 'zero vector (no direction)' };
    }
    const k = this.prototypes.count;
    const w = this.prototypes.data;
    let J = -1;
    let tJ = -Infinity;
    for (let j = 0; j < k; j++) {
      const t = dot(I, 0, w, j * d, d);
      if (t > tJ) {
        tJ = t;
        J = j;
      }
    }
    let sumI = 0;
    for (let t = 0; t < d; t++) sumI += I[t];
    const threshold = Math.max(this.#rho, this.config.alpha * sumI);
    const tried = J < 0 ? [] : [{ index: J, choice: tJ, match: tJ, passed: tJ >= threshold }];
    if (J >= 0 && tJ >= threshold) {
      this.#counts[J]++;
      const moved = this.prototypes.isFrozen(J) ? [] : [{ index: J, distance: this.#learn(J, I) }];
      return { sample, winner: J, resonated: J, created: false, moved, tried };
    }
    return newCategory(this.prototypes, this.#counts, this.config.maxCategories, sample, tried, () => I);
  }

  step(x: Float32Array, n: number): ArtStep {
    checkMatrix('ART-2A data', x, n, this.dim);
    const i = this.#order.next(n);
    return this.present(x, i * this.dim, i);
  }

  train(x: Float32Array, n: number, epochs: number): ArtEpoch[] {
    return artEpochs(this, 'ART-2A', x, n, epochs);
  }

  /** Category without learning: the best committed one if it passes vigilance, else -1. */
  classify(x: Float32Array, xo = 0): number {
    const s = new Art2aScorer(this, x.subarray(xo, xo + this.dim), 1);
    const row = new Float64Array(Math.max(1, this.prototypes.count));
    s.row(0, row);
    let best = -1;
    for (let j = 0; j < this.prototypes.count; j++) if (row[j] < (best < 0 ? Infinity : row[best])) best = j;
    return best;
  }

  #learn(j: number, I: Float32Array): number {
    const d = this.dim;
    const w = this.prototypes.row(j);
    const b = this.config.beta;
    const th = this.config.theta;
    let ps = 0;
    for (let t = 0; t < d; t++) if (w[t] > th) ps += I[t] * I[t];
    const pinv = ps > 0 ? 1 / Math.sqrt(ps) : 0;
    const nw = new Float64Array(d);
    let s = 0;
    for (let t = 0; t < d; t++) {
      const psi = w[t] > th ? I[t] * pinv : 0;
      nw[t] = b * psi + (1 - b) * w[t];
      s += nw[t] * nw[t];
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    let m = 0;
    for (let t = 0; t < d; t++) {
      const v = nw[t] * inv;
      m += (v - w[t]) * (v - w[t]);
      w[t] = v;
    }
    return Math.sqrt(m);
  }

  // --- PrototypeModel ---

  /** Score = -cos(I, w_j) when it reaches the vigilance, +Infinity otherwise. */
  scorer(x: Float32Array, n: number): Scorer {
    checkMatrix('ART-2A data', x, n, this.dim);
    return new Art2aScorer(this, x, n);
  }

  prototype(j: number, out?: Float32Array): Float32Array {
    return this.prototypes.copyRow(j, out);
  }

  /** Any non-zero vector; stored normalized. */
  setPrototype(j: number, v: Float32Array): void {
    this.prototypes.set(j, this.#unit(v));
  }

  movePrototype(j: number, delta: Float32Array): void {
    if (delta.length !== this.dim) throw new Error(`ART-2A move: expected ${this.dim} values, got ${delta.length}`);
    const v = Float32Array.from(this.prototypes.row(j), (w, t) => w + delta[t]);
    this.prototypes.set(j, this.#unit(v));
  }

  addPrototype(v: Float32Array): number {
    this.#counts.push(0);
    return this.prototypes.add(this.#unit(v));
  }

  removePrototype(j: number): void {
    this.prototypes.remove(j);
    this.#counts.splice(j, 1);
  }

  #unit(v: Float32Array): Float32Array {
    if (v.length !== this.dim) throw new Error(`ART-2A prototype: expected ${this.dim} values, got ${v.length}`);
    const out = new Float32Array(this.dim);
    let s = 0;
    for (let t = 0; t < this.dim; t++) s += v[t] * v[t];
    if (!(s > 0) || !Number.isFinite(s)) throw new Error('ART-2A prototype must be a finite non-zero vector');
    const inv = 1 / Math.sqrt(s);
    for (let t = 0; t < this.dim; t++) out[t] = v[t] * inv;
    return out;
  }

  toState(): Art2aState {
    return {
      type: 'art2a',
      config: { ...this.config },
      vigilance: this.#rho,
      prototypes: this.prototypes.toState(),
      counts: [...this.#counts],
      steps: this.#steps,
      order: this.#order.toState(),
    };
  }

  static fromState(st: Art2aState): Art2a {
    if (!st || st.type !== 'art2a') throw new Error('not an ART-2A state');
    const m = new Art2a(st.config);
    const p = PrototypeStore.fromState(st.prototypes);
    if (p.width !== m.dim) throw new Error(`ART-2A state: weights have ${p.width} values, expected ${m.dim}`);
    if (st.counts.length !== p.count) throw new Error('ART-2A state: counts do not match the categories');
    for (let j = 0; j < p.count; j++) m.prototypes.add(p.row(j), p.isFrozen(j));
    m.vigilance = st.vigilance;
    m.#counts = [...st.counts];
    m.#steps = st.steps;
    m.#order = SampleOrder.fromState(st.order);
    return m;
  }
}

class Art2aScorer implements Scorer {
  readonly n: number;
  readonly #art: Art2a;
  /** Preprocessed samples (zero rows for zero vectors, which no category takes). */
  readonly #I: Float32Array;
  readonly #ok: Uint8Array;
  /** alpha * sum(I) per sample: the uncommitted category's choice. */
  readonly #floor: Float64Array;

  constructor(art: Art2a, x: Float32Array, n: number) {
    const d = art.dim;
    this.#art = art;
    this.n = n;
    this.#I = new Float32Array(n * d);
    this.#ok = new Uint8Array(n);
    this.#floor = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row = this.#I.subarray(i * d, (i + 1) * d);
      this.#ok[i] = art.preprocess(x, i * d, row) ? 1 : 0;
      let s = 0;
      for (let t = 0; t < d; t++) s += row[t];
      this.#floor[i] = art.config.alpha * s;
    }
  }

  get k(): number {
    return this.#art.prototypes.count;
  }

  prepare(): void {}

  #score(i: number, j: number): number {
    if (!this.#ok[i]) return Infinity;
    const d = this.#art.dim;
    const t = dot(this.#I, i * d, this.#art.prototypes.data, j * d, d);
    return t >= Math.max(this.#art.vigilance, this.#floor[i]) ? -t : Infinity;
  }

  row(i: number, out: Float64Array): void {
    for (let j = 0; j < this.k; j++) out[j] = this.#score(i, j);
  }

  column(j: number, out: Float64Array): void {
    for (let i = 0; i < this.n; i++) out[i] = this.#score(i, j);
  }

  all(labels: Int32Array, scores: Float64Array): void {
    allByRows(this, labels, scores);
  }
}
