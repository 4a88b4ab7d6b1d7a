/**
 * Fuzzy ART (Carpenter, Grossberg and Rosen 1991) on inputs in [0, 1]^d with complement coding
 * I = (a, 1 - a), so |I| = d. For a sample:
 *   choice   T_j = |I ^ w_j| / (alpha + |w_j|)         (^ = element-wise min, |.| = L1 norm)
 *   match    M_j = |I ^ w_j| / |I|
 * categories are tried in order of decreasing T (lowest index first on ties); the first with
 * M_j >= rho resonates and learns w_j <- beta (I ^ w_j) + (1 - beta) w_j (beta = 1: fast learning);
 * a category that fails is reset and the next one tried; if none passes, a new category w = I is made.
 * Each weight vector is a box [u, v] in input space: u = w[0..d), v = 1 - w[d..2d).
 * The vigilance may be changed while learning. Frozen categories can resonate but do not learn.
 */
import { Rng } from '../core/rng.js';
import { artEpochs, newCategory, type ArtEpoch, type ArtStep, type ArtTrial } from './art-common.js';
import { finiteIn, positiveInt } from './checks.js';
import { checkMatrix } from './distance.js';
import type { PrototypeModel } from './editor.js';
import { SampleOrder, type SampleOrderState } from './order.js';
import { PrototypeStore, type PrototypeStoreState } from './prototypes.js';
import { allByRows, type Scorer } from './scorer.js';

export interface FuzzyArtConfig {
  dim: number;
  /** Choice parameter alpha > 0 (small: prefer the tightest box). */
  alpha: number;
  /** Learning rate beta in (0, 1]; 1 is fast learning. */
  beta: number;
  /** Initial vigilance rho in [0, 1] (see `vigilance`). */
  rho: number;
  /** Most categories allowed (0: no limit). */
  maxCategories: number;
  seed: number;
  shuffle: boolean;
}

export const FUZZY_ART_DEFAULTS: Readonly<Omit<FuzzyArtConfig, 'dim'>> = Object.freeze({
  alpha: 0.001,
  beta: 1,
  rho: 0.75,
  maxCategories: 0,
  seed: 1,
  shuffle: true,
});

export interface FuzzyArtState {
  type: 'fuzzy-art';
  config: FuzzyArtConfig;
  vigilance: number;
  prototypes: PrototypeStoreState;
  counts: number[];
  steps: number;
  order: SampleOrderState;
}

/** |I ^ w| for the complement-coded a[ao..ao+d) against w[wo..wo+2d). */
export function fuzzyAnd(a: Float32Array, ao: number, w: Float32Array, wo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = a[ao + t];
    const lo = w[wo + t];
    const hi = w[wo + d + t];
    const c = 1 - x;
    s += (x < lo ? x : lo) + (c < hi ? c : hi);
  }
  return s;
}

export class FuzzyArt implements PrototypeModel {
  readonly config: Readonly<FuzzyArtConfig>;
  readonly dim: number;
  /** Category weights, 2*dim wide. */
  readonly prototypes: PrototypeStore;
  #rho: number;
  #counts: number[] = [];
  #steps = 0;
  #order: SampleOrder;
  #code: Float32Array;

  constructor(config: Partial<FuzzyArtConfig> & { dim: number }) {
    const c = { ...FUZZY_ART_DEFAULTS, ...config };
    positiveInt('fuzzy ART dim', c.dim);
    finiteIn('fuzzy ART alpha', c.alpha, 0, Infinity, true);
    finiteIn('fuzzy ART beta', c.beta, 0, 1, true);
    finiteIn('fuzzy ART vigilance', c.rho, 0, 1);
    if (!Number.isInteger(c.maxCategories) || c.maxCategories < 0) throw new Error('fuzzy ART maxCategories must be an integer >= 0');
    this.config = Object.freeze(c);
    this.dim = c.dim;
    this.#rho = c.rho;
    this.prototypes = new PrototypeStore(2 * c.dim);
    this.#order = new SampleOrder(new Rng(c.seed), c.shuffle);
    this.#code = new Float32Array(2 * c.dim);
  }

  /** Current vigilance; may be changed between steps. */
  get vigilance(): number {
    return this.#rho;
  }

  set vigilance(rho: number) {
    this.#rho = finiteIn('fuzzy ART vigilance', rho, 0, 1);
  }

  get counts(): readonly number[] {
    return this.#counts;
  }

  get steps(): number {
    return this.#steps;
  }

  /** Choice and match of category j for a[ao..ao+dim). */
  evaluate(a: Float32Array, ao: number, j: number): { choice: number; match: number } {
    const w = this.prototypes.data;
    const d = this.dim;
    const and = fuzzyAnd(a, ao, w, j * 2 * d, d);
    return { choice: and / (this.config.alpha + l1(w, j * 2 * d, 2 * d)), match: and / d };
  }

  /** Present one input in [0, 1]^dim; `sample` is only echoed back. */
  present(a: Float32Array, ao = 0, sample = -1): ArtStep {
    const d = this.dim;
    checkUnit(a, ao, d);
    this.#steps++;
    const k = this.prototypes.count;
    const choice = new Float64Array(k);
    const ands = new Float64Array(k);
    const w = this.prototypes.data;
    for (let j = 0; j < k; j++) {
      ands[j] = fuzzyAnd(a, ao, w, j * 2 * d, d);
      choice[j] = ands[j] / (this.config.alpha + l1(w, j * 2 * d, 2 * d));
    }
    const order = Array.from({ length: k }, (_, j) => j).sort((p, q) => choice[q] - choice[p] || p - q);
    const tried: ArtTrial[] = [];
    for (const j of order) {
      const match = ands[j] / d;
      const passed = match >= this.#rho;
      tried.push({ index: j, choice: choice[j], match, passed });
      if (!passed) continue;
      this.#counts[j]++;
      const moved = this.prototypes.isFrozen(j) ? [] : [{ index: j, distance: this.#learn(j, a, ao) }];
      return { sample, winner: j, resonated: j, created: false, moved, tried };
    }
    return newCategory(this.prototypes, this.#counts, this.config.maxCategories, sample, tried, () => this.#complement(a, ao));
  }

  /** Present the next sample of the data in the model's sample order. */
  step(x: Float32Array, n: number): ArtStep {
    checkMatrix('fuzzy ART data', x, n, this.dim);
    const i = this.#order.next(n);
    return this.present(x, i * this.dim, i);
  }

  /** Epochs over the data; per epoch the category count, categories created and samples unplaced. */
  train(x: Float32Array, n: number, epochs: number): ArtEpoch[] {
    return artEpochs(this, 'fuzzy ART', x, n, epochs);
  }

  /** Category of an input without learning: the highest choice among those passing vigilance (-1: none). */
  classify(a: Float32Array, ao = 0): number {
    let best = -1;
    let bv = -Infinity;
    for (let j = 0; j < this.prototypes.count; j++) {
      const { choice, match } = this.evaluate(a, ao, j);
      if (match >= this.#rho && choice > bv) {
        bv = choice;
        best = j;
      }
    }
    return best;
  }

  /** Category j's box in input space. */
  box(j: number): { lower: Float32Array; upper: Float32Array } {
    const w = this.prototypes.row(j);
    const d = this.dim;
    const lower = Float32Array.from(w.subarray(0, d));
    const upper = Float32Array.from(w.subarray(d), (v) => 1 - v);
    return { lower, upper };
  }

  #learn(j: number, a: Float32Array, ao: number): number {
    const d = this.dim;
    const w = this.prototypes.row(j);
    const b = this.config.beta;
    let s = 0;
    for (let t = 0; t < 2 * d; t++) {
      const i = t < d ? a[ao + t] : 1 - a[ao + t - d];
      const old = w[t];
      const nw = b * (i < old ? i : old) + (1 - b) * old;
      w[t] = nw;
      s += (nw - old) * (nw - old);
    }
    return Math.sqrt(s);
  }

  #complement(a: Float32Array, ao: number): Float32Array {
    const d = this.dim;
    for (let t = 0; t < d; t++) {
      this.#code[t] = a[ao + t];
      this.#code[d + t] = 1 - a[ao + t];
    }
    return this.#code;
  }

  // --- PrototypeModel ---

  /** Score = -T_j when category j passes vigilance for the sample, +Infinity otherwise. */
  scorer(x: Float32Array, n: number): Scorer {
    checkMatrix('fuzzy ART data', x, n, this.dim);
    return new FuzzyArtScorer(this, x, n);
  }

  /** Box centre in input space. */
  prototype(j: number, out: Float32Array = new Float32Array(this.dim)): Float32Array {
    const w = this.prototypes.row(j);
    const d = this.dim;
    for (let t = 0; t < d; t++) out[t] = (w[t] + 1 - w[d + t]) / 2;
    return out;
  }

  /** A dim-vector sets a point box at it; a 2*dim vector sets the raw weights. */
  setPrototype(j: number, v: Float32Array): void {
    this.prototypes.set(j, this.#weightsOf(v));
  }

  /** Shift the box by delta (clamped to [0, 1]). */
  movePrototype(j: number, delta: Float32Array): void {
    const d = this.dim;
    if (delta.length !== d) throw new Error(`fuzzy ART move: expected ${d} values, got ${delta.length}`);
    const w = this.prototypes.row(j);
    for (let t = 0; t < d; t++) {
      w[t] = clamp01(w[t] + delta[t]);
      w[d + t] = clamp01(w[d + t] - delta[t]);
    }
  }

  addPrototype(v: Float32Array): number {
    this.#counts.push(0);
    return this.prototypes.add(this.#weightsOf(v));
  }

  removePrototype(j: number): void {
    this.prototypes.remove(j);
    this.#counts.splice(j, 1);
  }

  #weightsOf(v: Float32Array): Float32Array {
    const d = this.dim;
    if (v.length === 2 * d) {
      for (let t = 0; t < 2 * d; t++) if (!(v[t] >= 0 && v[t] <= 1)) throw new Error(`fuzzy ART weight ${t} must be in [0, 1], got ${v[t]}`);
      return Float32Array.from(v);
    }
    if (v.length !== d) throw new Error(`fuzzy ART prototype: expected ${d} (a point) or ${2 * d} (weights) values, got ${v.length}`);
    checkUnit(v, 0, d);
    return Float32Array.from(this.#complement(v, 0));
  }

  // --- state ---

  toState(): FuzzyArtState {
    return {
      type: 'fuzzy-art',
      config: { ...this.config },
      vigilance: this.#rho,
      prototypes: this.prototypes.toState(),
      counts: [...this.#counts],
      steps: this.#steps,
      order: this.#order.toState(),
    };
  }

  static fromState(st: FuzzyArtState): FuzzyArt {
    if (!st || st.type !== 'fuzzy-art') throw new Error('not a fuzzy ART state');
    const m = new FuzzyArt(st.config);
    const p = PrototypeStore.fromState(st.prototypes);
    if (p.width !== 2 * m.dim) throw new Error(`fuzzy ART state: weights have ${p.width} values, expected ${2 * m.dim}`);
    if (st.counts.length !== p.count) throw new Error('fuzzy ART state: counts do not match the categories');
    for (let j = 0; j < p.count; j++) m.prototypes.add(p.row(j), p.isFrozen(j));
    m.vigilance = st.vigilance;
    m.#counts = [...st.counts];
    m.#steps = st.steps;
    m.#order = SampleOrder.fromState(st.order);
    return m;
  }
}

class FuzzyArtScorer implements Scorer {
  readonly n: number;
  readonly #art: FuzzyArt;
  readonly #x: Float32Array;
  #norms = new Float64Array(0);

  constructor(art: FuzzyArt, x: Float32Array, n: number) {
    this.#art = art;
    this.#x = x;
    this.n = n;
    this.prepare();
  }

  get k(): number {
    return this.#art.prototypes.count;
  }

  prepare(): void {
    const k = this.k;
    const w = this.#art.prototypes.data;
    const width = 2 * this.#art.dim;
    if (this.#norms.length < k) this.#norms = new Float64Array(Math.max(k, 2 * this.#norms.length));
    for (let j = 0; j < k; j++) this.#norms[j] = l1(w, j * width, width);
  }

  #score(i: number, j: number): number {
    const d = this.#art.dim;
    const and = fuzzyAnd(this.#x, i * d, this.#art.prototypes.data, j * 2 * d, d);
    if (and / d < this.#art.vigilance) return Infinity;
    return -and / (this.#art.config.alpha + this.#norms[j]);
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

function l1(w: Float32Array, o: number, len: number): number {
  let s = 0;
  for (let t = 0; t < len; t++) s += w[o + t];
  return s;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function checkUnit(a: Float32Array, ao: number, d: number): void {
  if (a.length < ao + d) throw new Error(`fuzzy ART: input needs ${d} values`);
  for (let t = 0; t < d; t++) {
    const v = a[ao + t];
    if (!(v >= 0 && v <= 1)) throw new Error(`fuzzy ART inputs must be in [0, 1] (normalize first); value ${t} is ${v}`);
  }
}
