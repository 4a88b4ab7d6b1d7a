/**
 * Online k-means (MacQueen): each presented sample pulls its nearest centroid toward it,
 *   c_j <- c_j + eta (x - c_j),
 * with eta constant or 1/count_j (the centroid is then the running mean of the samples it won).
 * A batch (Lloyd) mode refines the same centroids for comparison. Frozen centroids still win samples
 * but never move.
 */
import { Rng } from '../core/rng.js';
import { checkVector, finiteIn, oneOf, positiveInt } from './checks.js';
import { checkMatrix, inertiaFromSums, sqNorms } from './distance.js';
import type { PrototypeModel } from './editor.js';
import { initIndices, type KMeansInit } from './kmeans-init.js';
import { addRows, LloydBounds, type LloydPassStats } from './lloyd-bounds.js';
import { nearestOne, type Nearest } from './nearest.js';
import { SampleOrder, type SampleOrderState } from './order.js';
import { PrototypeStore, type PrototypeStoreState } from './prototypes.js';
import { EuclideanScorer, type Scorer } from './scorer.js';
import { moveToward, type StepResult } from './step.js';

export interface KMeansConfig {
  k: number;
  dim: number;
  seed: number;
  /** A constant learning rate in (0, 1], or 'count' for 1/count per centroid. */
  rate: number | 'count';
  init: KMeansInit;
  /** Present samples in a fresh random order each epoch (else in data order). */
  shuffle: boolean;
}

export const KMEANS_DEFAULTS: Readonly<Omit<KMeansConfig, 'k' | 'dim'>> = Object.freeze({
  seed: 1,
  rate: 'count',
  init: 'kmeans++',
  shuffle: true,
});

export interface KMeansState {
  type: 'kmeans';
  config: KMeansConfig;
  prototypes: PrototypeStoreState;
  counts: number[];
  steps: number;
  order: SampleOrderState;
}

export interface KMeansStep extends StepResult {
  /** Squared distance from the sample to the winner before the move. */
  sqDistance: number;
  /** The rate used. */
  eta: number;
}

export interface LloydResult {
  /**
   * Inertia of the centroids at the start of each iteration, then after the last one: the last pass's the
   * sum of its exact scores, the others' from their cluster sums (distance.ts's inertiaFromSums: the same
   * quantity, rounded differently; a pass before the last computes only its labels for sure).
   */
  inertia: number[];
  /** Samples that changed cluster in each iteration. */
  changed: number[];
  /** Per assignment pass: samples whose label the bounds kept, rescored directly, screened (a sparse pass: rivals screened). */
  passes: LloydPassStats[];
}

export class OnlineKMeans implements PrototypeModel {
  readonly config: Readonly<KMeansConfig>;
  readonly prototypes: PrototypeStore;
  readonly dim: number;
  #counts: number[] = [];
  #steps = 0;
  #order: SampleOrder;
  readonly #near: Nearest = { index: -1, score: Infinity };
  /** Lloyd's bounds array, kept for the next call (lloyd-bounds.ts). */
  #lloydScratch: Float64Array | undefined;

  constructor(config: Partial<KMeansConfig> & { k: number; dim: number }) {
    const c = { ...KMEANS_DEFAULTS, ...config };
    positiveInt('k-means k', c.k);
    positiveInt('k-means dim', c.dim);
    if (c.rate !== 'count') finiteIn('k-means rate', c.rate, 0, 1, true);
    oneOf('k-means init', c.init, ['random', 'kmeans++']);
    this.config = Object.freeze(c);
    this.dim = c.dim;
    this.prototypes = new PrototypeStore(c.dim, c.k);
    this.#order = new SampleOrder(new Rng(c.seed), c.shuffle);
  }

  /** Centroid counts (samples won so far, or cluster sizes after Lloyd). */
  get counts(): readonly number[] {
    return this.#counts;
  }

  get steps(): number {
    return this.#steps;
  }

  get epoch(): number {
    return this.#order.epoch;
  }

  /**
   * Replace all centroids by k samples chosen by the configured method (the model's Rng); with k-means++,
   * `trials` > 1 is the greedy variant (greedyTrials(k) as scikit-learn).
   */
  init(x: Float32Array, n: number, trials = 1): Int32Array {
    const idx = initIndices(x, n, this.dim, this.config.k, this.config.init, this.#order.rng, trials);
    this.prototypes.clear();
    this.#counts = [];
    for (const i of idx) {
      this.prototypes.add(x.subarray(i * this.dim, (i + 1) * this.dim));
      this.#counts.push(0);
    }
    return idx;
  }

  /** Nearest centroid of a vector (-1 when there is none). */
  predict(v: Float32Array, vo = 0): number {
    return nearestOne(this.prototypes.data, this.prototypes.count, this.dim, v, vo, this.#near).index;
  }

  /** Present one vector (x[xo..xo+dim)); `sample` is only echoed back. */
  present(x: Float32Array, xo = 0, sample = -1): KMeansStep {
    const k = this.prototypes.count;
    if (k === 0) throw new Error('k-means: no centroids (call init or add one first)');
    const d = this.dim;
    const c = this.prototypes.data;
    // The winner's score is its sqDist (nearestOne's scores are sqDist's, bit for bit).
    const { index: j, score: sq } = nearestOne(c, k, d, x, xo, this.#near);
    this.#counts[j]++;
    this.#steps++;
    const eta = this.config.rate === 'count' ? 1 / this.#counts[j] : this.config.rate;
    const moved = [];
    if (!this.prototypes.isFrozen(j)) moved.push({ index: j, distance: moveToward(c, j * d, x, xo, d, eta) });
    return { sample, winner: j, moved, created: false, sqDistance: sq, eta };
  }

  /** Present the next sample of the data in the model's sample order. */
  step(x: Float32Array, n: number): KMeansStep {
    checkMatrix('k-means data', x, n, this.dim);
    const i = this.#order.next(n);
    return this.present(x, i * this.dim, i);
  }

  /** Online epochs; returns the inertia after each one. */
  train(x: Float32Array, n: number, epochs: number): number[] {
    positiveInt('k-means epochs', epochs);
    const out: number[] = [];
    for (let e = 0; e < epochs; e++) {
      for (let s = 0; s < n; s++) this.step(x, n);
      out.push(this.inertia(x, n));
    }
    return out;
  }

  /**
   * Batch (Lloyd) iterations: assign every sample, then move each unfrozen centroid to its cluster mean.
   * `untilStable` stops early once no sample changes cluster (the means, hence everything after, would
   * stay the same: this is exact, not a tolerance).
   */
  lloyd(x: Float32Array, n: number, iterations = 1, opts: { untilStable?: boolean } = {}): LloydResult {
    positiveInt('lloyd iterations', iterations);
    const d = this.dim;
    checkMatrix('samples', x, n, d);
    // With centroids, the passes carry distance bounds across iterations (the same labels and scores).
    const k0 = this.prototypes.count;
    const bounds = k0 > 0 ? new LloydBounds(x, n, d, k0, this.#lloydScratch) : null;
    if (bounds) this.#lloydScratch = bounds.scratch;
    try {
      return this.#lloyd(x, n, iterations, opts.untilStable ?? false, bounds);
    } finally {
      bounds?.dispose();
    }
  }

  #lloyd(x: Float32Array, n: number, iterations: number, untilStable: boolean, bounds: LloydBounds | null): LloydResult {
    const d = this.dim;
    const scorer = bounds ? null : this.scorer(x, n);
    const labels = new Int32Array(n).fill(-1);
    const scores = new Float64Array(n);
    const inertia: number[] = [];
    const changed: number[] = [];
    const before = new Int32Array(n);
    for (let it = 0; it <= iterations; it++) {
      before.set(labels);
      const k = this.prototypes.count;
      // The cluster sums come with the pass (the sample-order doubles, added as its blocks' labels are known).
      const sums = new Float64Array(it < iterations ? k * d : 0);
      // The pass without sums is the call's last (its bounds are not kept).
      if (bounds) bounds.pass(this.prototypes.data, labels, scores, it < iterations ? sums : undefined, it === iterations);
      else {
        scorer!.prepare();
        scorer!.all(labels, scores);
        if (it < iterations) addRows(sums, x, 0, n, d, labels);
      }
      const counts = new Float64Array(k);
      const c = this.prototypes.data;
      if (it < iterations) for (let i = 0; i < n; i++) counts[labels[i]]++;
      // A pass before the last has only its labels for sure (LloydBounds.pass): its inertia from the sums.
      if (it === iterations || !bounds) inertia.push(sum(scores));
      else inertia.push(inertiaFromSums(bounds.normTotal, c, sqNorms(c, k, d), k, d, sums, counts));
      if (it === iterations) break;
      let ch = 0;
      for (let i = 0; i < n; i++) if (labels[i] !== before[i]) ch++;
      if (ch === 0 && it > 0 && untilStable) break;
      changed.push(ch);
      for (let j = 0; j < k; j++) {
        this.#counts[j] = counts[j];
        if (counts[j] === 0 || this.prototypes.isFrozen(j)) continue; // empty clusters stay put
        for (let t = 0; t < d; t++) c[j * d + t] = sums[j * d + t] / counts[j];
      }
    }
    return { inertia, changed, passes: bounds ? bounds.stats : [] };
  }

  /** Sum of squared distances from each sample to its nearest centroid. */
  inertia(x: Float32Array, n: number): number {
    const s = this.scorer(x, n);
    const labels = new Int32Array(n);
    const scores = new Float64Array(n);
    s.all(labels, scores);
    return sum(scores);
  }

  /** Nearest centroid of every sample. */
  assign(x: Float32Array, n: number): Int32Array {
    const s = this.scorer(x, n);
    const labels = new Int32Array(n);
    s.all(labels, new Float64Array(n));
    return labels;
  }

  // --- PrototypeModel ---

  scorer(x: Float32Array, n: number): Scorer {
    return new EuclideanScorer(this.prototypes, x, n);
  }

  prototype(j: number, out?: Float32Array): Float32Array {
    return this.prototypes.copyRow(j, out);
  }

  setPrototype(j: number, v: Float32Array): void {
    checkVector('k-means centroid', v, this.dim);
    this.prototypes.set(j, v);
  }

  movePrototype(j: number, delta: Float32Array): void {
    checkVector('k-means move', delta, this.dim);
    this.prototypes.shift(j, delta);
  }

  addPrototype(v: Float32Array): number {
    checkVector('k-means centroid', v, this.dim);
    this.#counts.push(0);
    return this.prototypes.add(v);
  }

  removePrototype(j: number): void {
    this.prototypes.remove(j);
    this.#counts.splice(j, 1);
  }

  // --- state ---

  toState(): KMeansState {
    return {
      type: 'kmeans',
      config: { ...this.config },
      prototypes: this.prototypes.toState(),
      counts: [...this.#counts],
      steps: this.#steps,
      order: this.#order.toState(),
    };
  }

  static fromState(st: KMeansState): OnlineKMeans {
    if (!st || st.type !== 'kmeans') throw new Error('not a k-means state');
    const m = new OnlineKMeans(st.config);
    const p = PrototypeStore.fromState(st.prototypes);
    if (p.width !== m.dim) throw new Error(`k-means state: centroids have ${p.width} values, dim is ${m.dim}`);
    if (st.counts.length !== p.count) throw new Error('k-means state: counts do not match the centroids');
    m.#copyFrom(p);
    m.#counts = [...st.counts];
    m.#steps = st.steps;
    m.#order = SampleOrder.fromState(st.order);
    return m;
  }

  #copyFrom(p: PrototypeStore): void {
    this.prototypes.clear();
    for (let j = 0; j < p.count; j++) this.prototypes.add(p.row(j), p.isFrozen(j));
  }
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
