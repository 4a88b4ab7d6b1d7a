/**
 * Self-organizing map (Kohonen), online: for each presented x at step t the best-matching unit c is
 * the nearest unit, and every unit u moves by
 *   w_u <- w_u + eta(t) h(u, c, sigma(t)) (x - w_u)
 * with eta and sigma from schedules over a planned total of steps (MiniSom's update, see
 * som-lattice.ts and schedule.ts). The step count is saved in the state, so a resumed run follows the
 * same schedules. Quantization error = mean distance to the BMU; topographic error = share of samples
 * whose two best units are not adjacent; U-matrix = per unit the sum (or mean) of distances to adjacent
 * units, divided by the largest (all as in MiniSom).
 */
import { Rng } from '../core/rng.js';
import { checkVector, oneOf, positiveInt } from './checks.js';
import { somUpdate } from '../kernels/somUpdate.js';
import { checkMatrix, sqDist, sqNorms } from './distance.js';
import { nearestAll, nearestOne, type Nearest } from './nearest.js';
import type { PrototypeModel } from './editor.js';
import { Lattice, type Neighbourhood, type Topology } from './som-lattice.js';
import { SampleOrder, type SampleOrderState } from './order.js';
import { Pca } from './pca.js';
import { PrototypeStore, type PrototypeStoreState } from './prototypes.js';
import { checkSchedule, scheduleValue, type Schedule } from './schedule.js';
import { EuclideanScorer, type Scorer } from './scorer.js';
import type { StepResult } from './step.js';

export type SomInit = 'random' | 'sample' | 'pca';

export interface SomConfig {
  dim: number;
  width: number;
  /** 1 for a 1-D lattice. */
  height: number;
  topology: Topology;
  neighbourhood: Neighbourhood;
  /** Learning rate schedule (MiniSom default: asymptotic from 0.5). */
  rate: Schedule;
  /** Neighbourhood radius schedule (MiniSom default: asymptotic from 1). */
  radius: Schedule;
  seed: number;
  shuffle: boolean;
}

export interface SomStep extends StepResult {
  eta: number;
  sigma: number;
  /** eta * h(u, winner, sigma) for every unit (frozen units included, though they do not move). */
  influence: Float64Array;
}

export interface SomState {
  type: 'som';
  config: SomConfig;
  prototypes: PrototypeStoreState;
  hits: number[];
  steps: number;
  order: SampleOrderState;
}

export interface SomEpoch {
  quantizationError: number;
  topographicError: number;
}

export class Som implements PrototypeModel {
  readonly config: Readonly<SomConfig>;
  readonly dim: number;
  readonly lattice: Lattice;
  readonly prototypes: PrototypeStore;
  #steps = 0;
  #hits: number[];
  #order: SampleOrder;
  #h: Float64Array;
  readonly #best: Nearest = { index: -1, score: Infinity };
  #units = new Int32Array(0);
  #gains = new Float64Array(0);
  #moves = new Float64Array(0);

  constructor(config: Partial<SomConfig> & { dim: number; width: number }) {
    const total = 10000;
    const c: SomConfig = {
      height: 1,
      topology: 'rectangular',
      neighbourhood: 'gaussian',
      rate: { kind: 'asymptotic', start: 0.5, total },
      radius: { kind: 'asymptotic', start: 1, total },
      seed: 1,
      shuffle: true,
      ...config,
    };
    positiveInt('SOM dim', c.dim);
    oneOf('SOM neighbourhood', c.neighbourhood, ['gaussian', 'bubble', 'mexican-hat']);
    checkSchedule(c.rate, 'SOM rate');
    checkSchedule(c.radius, 'SOM radius');
    this.lattice = new Lattice(c.width, c.height, c.topology);
    this.config = Object.freeze({ ...c, rate: { ...c.rate }, radius: { ...c.radius } });
    this.dim = c.dim;
    this.prototypes = new PrototypeStore(c.dim, this.lattice.size);
    for (let u = 0; u < this.lattice.size; u++) this.prototypes.add(new Float32Array(c.dim));
    this.#hits = new Array<number>(this.lattice.size).fill(0);
    this.#order = new SampleOrder(new Rng(c.seed), c.shuffle);
    this.#h = new Float64Array(this.lattice.size);
  }

  get steps(): number {
    return this.#steps;
  }

  /** Times each unit was the BMU during training. */
  get hits(): readonly number[] {
    return this.#hits;
  }

  /** Learning rate and radius the next step will use. */
  current(): { eta: number; sigma: number } {
    return { eta: scheduleValue(this.config.rate, this.#steps), sigma: scheduleValue(this.config.radius, this.#steps) };
  }

  /**
   * Initialize the units: 'random' uniform in the data's per-feature range, 'sample' random samples
   * (with replacement, as MiniSom), 'pca' a grid spanning +-sqrt(variance) along the first two principal
   * components around the mean (the first one only on a 1-D lattice).
   */
  init(x: Float32Array, n: number, how: SomInit): void {
    checkMatrix('SOM data', x, n, this.dim);
    oneOf('SOM init', how, ['random', 'sample', 'pca']);
    const d = this.dim;
    const rng = this.#order.rng;
    const { width, height } = this.lattice;
    if (how === 'sample') {
      for (let u = 0; u < this.lattice.size; u++) {
        const i = rng.int(n);
        this.prototypes.set(u, x.subarray(i * d, (i + 1) * d));
      }
    } else if (how === 'random') {
      const lo = new Float64Array(d).fill(Infinity);
      const hi = new Float64Array(d).fill(-Infinity);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < d; t++) {
          const v = x[i * d + t];
          if (v < lo[t]) lo[t] = v;
          if (v > hi[t]) hi[t] = v;
        }
      }
      for (let u = 0; u < this.lattice.size; u++) {
        const r = this.prototypes.row(u);
        for (let t = 0; t < d; t++) r[t] = rng.uniform(lo[t], hi[t]);
      }
    } else {
      const pca = Pca.fit(x, n, d, rng);
      const s1 = Math.sqrt(pca.variances[0]);
      const s2 = Math.sqrt(pca.variances[1]);
      const lin = (i: number, m: number) => (m === 1 ? 0 : -1 + (2 * i) / (m - 1));
      for (let u = 0; u < this.lattice.size; u++) {
        const [ux, uy] = this.lattice.position(u);
        this.prototypes.set(u, pca.unproject(lin(ux, width) * s1, lin(uy, height) * s2));
      }
    }
  }

  /** Best-matching unit of any input vector. */
  bmu(x: Float32Array, xo = 0): number {
    return nearestOne(this.prototypes.data, this.lattice.size, this.dim, x, xo, this.#best).index;
  }

  present(x: Float32Array, xo = 0, sample = -1): SomStep {
    const d = this.dim;
    if (x.length < xo + d) throw new Error(`SOM: input needs ${d} values`);
    const c = this.bmu(x, xo);
    const { eta, sigma } = this.current();
    this.lattice.neighbourhood(this.config.neighbourhood, c, sigma, this.#h);
    const size = this.lattice.size;
    const influence = new Float64Array(size);
    if (this.#units.length < size) {
      this.#units = new Int32Array(size);
      this.#gains = new Float64Array(size);
      this.#moves = new Float64Array(size);
    }
    let count = 0;
    for (let u = 0; u < size; u++) {
      const g = eta * this.#h[u];
      influence[u] = g;
      if (g === 0 || this.prototypes.isFrozen(u)) continue;
      this.#units[count] = u;
      this.#gains[count++] = g;
    }
    // Every listed unit moves by g (x - w) (kernels/somUpdate.ts; on the WebAssembly kernels when active).
    somUpdate(this.prototypes.data, d, x, xo, this.#units, this.#gains, count, this.#moves);
    const moved = new Array<{ index: number; distance: number }>(count);
    for (let i = 0; i < count; i++) moved[i] = { index: this.#units[i], distance: Math.sqrt(this.#moves[i]) };
    this.#hits[c]++;
    this.#steps++;
    return { sample, winner: c, moved, created: false, eta, sigma, influence };
  }

  step(x: Float32Array, n: number): SomStep {
    checkMatrix('SOM data', x, n, this.dim);
    const i = this.#order.next(n);
    return this.present(x, i * this.dim, i);
  }

  /** Epochs of online steps; quantization and topographic error after each. */
  train(x: Float32Array, n: number, epochs: number): SomEpoch[] {
    positiveInt('SOM epochs', epochs);
    const out: SomEpoch[] = [];
    for (let e = 0; e < epochs; e++) {
      for (let s = 0; s < n; s++) this.step(x, n);
      out.push(this.errors(x, n));
    }
    return out;
  }

  /** Quantization error (mean distance to the BMU) and topographic error, in one pass. */
  errors(x: Float32Array, n: number): SomEpoch {
    checkMatrix('SOM data', x, n, this.dim);
    const k = this.lattice.size;
    if (k < 2) throw new Error('SOM: the topographic error needs at least two units');
    const d = this.dim;
    const c = this.prototypes.data;
    const best = { labels: new Int32Array(n), scores: new Float64Array(n) };
    const second = { labels: new Int32Array(n), scores: new Float64Array(n) };
    nearestAll(x, sqNorms(x, n, d), n, c, sqNorms(c, k, d), k, d, { ...best, second });
    let qe = 0;
    let te = 0;
    for (let i = 0; i < n; i++) {
      qe += Math.sqrt(sqDist(x, i * d, c, best.labels[i] * d, d));
      if (!this.lattice.adjacent(best.labels[i], second.labels[i])) te++;
    }
    return { quantizationError: qe / n, topographicError: te / n };
  }

  quantizationError(x: Float32Array, n: number): number {
    return this.errors(x, n).quantizationError;
  }

  topographicError(x: Float32Array, n: number): number {
    return this.errors(x, n).topographicError;
  }

  /** U-matrix: per unit the sum ('sum') or mean ('mean') distance to its adjacent units, over the largest. */
  uMatrix(scaling: 'sum' | 'mean' = 'sum'): Float64Array {
    oneOf('U-matrix scaling', scaling, ['sum', 'mean']);
    const k = this.lattice.size;
    const d = this.dim;
    const w = this.prototypes.data;
    const um = new Float64Array(k);
    let max = 0;
    for (let u = 0; u < k; u++) {
      const nb = this.lattice.neighbours[u];
      let s = 0;
      for (const v of nb) s += Math.sqrt(sqDist(w, u * d, w, v * d, d));
      um[u] = scaling === 'mean' && nb.length > 0 ? s / nb.length : s;
      if (um[u] > max) max = um[u];
    }
    if (max > 0) for (let u = 0; u < k; u++) um[u] /= max;
    return um;
  }

  // --- PrototypeModel ---

  scorer(x: Float32Array, n: number): Scorer {
    return new EuclideanScorer(this.prototypes, x, n);
  }

  prototype(j: number, out?: Float32Array): Float32Array {
    return this.prototypes.copyRow(j, out);
  }

  setPrototype(j: number, v: Float32Array): void {
    checkVector('SOM unit', v, this.dim);
    this.prototypes.set(j, v);
  }

  movePrototype(j: number, delta: Float32Array): void {
    checkVector('SOM move', delta, this.dim);
    this.prototypes.shift(j, delta);
  }

  addPrototype(): number {
    throw new Error('a SOM lattice has a fixed set of units: change its width or height instead');
  }

  removePrototype(): void {
    throw new Error('a SOM lattice has a fixed set of units: freeze a unit instead of removing it');
  }

  toState(): SomState {
    return {
      type: 'som',
      config: { ...this.config, rate: { ...this.config.rate }, radius: { ...this.config.radius } },
      prototypes: this.prototypes.toState(),
      hits: [...this.#hits],
      steps: this.#steps,
      order: this.#order.toState(),
    };
  }

  static fromState(st: SomState): Som {
    if (!st || st.type !== 'som') throw new Error('not a SOM state');
    const m = new Som(st.config);
    const p = PrototypeStore.fromState(st.prototypes);
    if (p.width !== m.dim || p.count !== m.lattice.size) {
      throw new Error(`SOM state: expected ${m.lattice.size} units of ${m.dim} values, got ${p.count} of ${p.width}`);
    }
    for (let u = 0; u < p.count; u++) {
      m.prototypes.set(u, p.row(u));
      m.prototypes.setFrozen(u, p.isFrozen(u));
    }
    m.#hits = [...st.hits];
    m.#steps = st.steps;
    m.#order = SampleOrder.fromState(st.order);
    return m;
  }
}
