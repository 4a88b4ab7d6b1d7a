/**
 * Radial basis function network with Gaussian units:
 *   phi_j(x) = exp(-|x - c_j|^2 / (2 s_j^2)),   y = sum_j phi_j(x) W_j + b
 * Regression reads y directly (loss 0.5 |y - t|^2); classification passes y through a softmax (loss
 * cross-entropy). A unit's activity is e^-4.5 = 0.011 at three spreads: beyond that it has faded.
 * Centres live in a PrototypeStore (editable, freezable); spreads and output weights beside them.
 * Training lives in rbf-train.ts; this file is the model, its forward pass and its exact gradients.
 */
import { Rng } from '../core/rng.js';
import { checkVector, oneOf, positiveInt } from './checks.js';
import { checkMatrix, nearestRow, sqDist } from './distance.js';
import type { PrototypeModel } from './editor.js';
import { PrototypeStore, type PrototypeStoreState } from './prototypes.js';
import { EuclideanScorer, type Scorer } from './scorer.js';

export type RbfTask = 'regression' | 'classification';

export interface RbfConfig {
  dim: number;
  outputs: number;
  task: RbfTask;
  seed: number;
}

export interface RbfState {
  type: 'rbf';
  config: RbfConfig;
  prototypes: PrototypeStoreState;
  spreads: number[];
  /** (k + 1) x outputs: one row per unit, then the bias row. */
  weights: number[];
  rng: ReturnType<Rng['getState']>;
}

export interface RbfGradients {
  centres: Float64Array;
  spreads: Float64Array;
  weights: Float64Array;
}

export class RbfNetwork implements PrototypeModel {
  readonly config: Readonly<RbfConfig>;
  readonly dim: number;
  readonly outputs: number;
  readonly prototypes: PrototypeStore;
  readonly rng: Rng;
  spreads: number[] = [];
  /** (k + 1) x outputs, bias row last. Replaced (not resized) when units are added or removed. */
  weights: Float64Array;

  constructor(config: Partial<RbfConfig> & { dim: number; outputs: number }) {
    const c: RbfConfig = { task: 'regression', seed: 1, ...config };
    positiveInt('RBF dim', c.dim);
    positiveInt('RBF outputs', c.outputs);
    oneOf('RBF task', c.task, ['regression', 'classification']);
    this.config = Object.freeze(c);
    this.dim = c.dim;
    this.outputs = c.outputs;
    this.prototypes = new PrototypeStore(c.dim);
    this.rng = new Rng(c.seed);
    this.weights = new Float64Array(c.outputs);
  }

  get units(): number {
    return this.prototypes.count;
  }

  /** Activity of every unit for x[xo..xo+dim), into out[0..k). */
  activations(x: Float32Array, xo: number, out: Float64Array): Float64Array {
    const k = this.units;
    const d = this.dim;
    const c = this.prototypes.data;
    for (let j = 0; j < k; j++) {
      const s = this.spreads[j];
      out[j] = Math.exp(-sqDist(x, xo, c, j * d, d) / (2 * s * s));
    }
    return out;
  }

  /** Linear outputs y from activities phi, into out[0..outputs). */
  outputsFrom(phi: Float64Array, out: Float64Array): Float64Array {
    const k = this.units;
    const m = this.outputs;
    const w = this.weights;
    for (let o = 0; o < m; o++) out[o] = w[k * m + o];
    for (let j = 0; j < k; j++) {
      const p = phi[j];
      if (p === 0) continue;
      for (let o = 0; o < m; o++) out[o] += p * w[j * m + o];
    }
    return out;
  }

  /** Network answer: the outputs (regression) or class probabilities (classification). */
  predict(x: Float32Array, xo = 0, out: Float64Array = new Float64Array(this.outputs)): Float64Array {
    const phi = this.activations(x, xo, new Float64Array(this.units));
    this.outputsFrom(phi, out);
    if (this.config.task === 'classification') softmaxInPlace(out);
    return out;
  }

  /** Most probable class (classification) or the largest output. */
  predictClass(x: Float32Array, xo = 0): number {
    const y = this.predict(x, xo);
    let b = 0;
    for (let o = 1; o < y.length; o++) if (y[o] > y[b]) b = o;
    return b;
  }

  /** Mean loss over n samples: 0.5 |y - t|^2 (regression) or cross-entropy (classification). */
  loss(x: Float32Array, t: Float32Array, n: number): number {
    checkMatrix('RBF inputs', x, n, this.dim);
    checkMatrix('RBF targets', t, n, this.outputs);
    const phi = new Float64Array(this.units);
    const y = new Float64Array(this.outputs);
    let total = 0;
    for (let i = 0; i < n; i++) {
      this.activations(x, i * this.dim, phi);
      this.outputsFrom(phi, y);
      total += sampleLoss(this.config.task, y, t, i * this.outputs, null);
    }
    return total / n;
  }

  /** Mean gradients of the loss over samples idx (all when omitted) w.r.t. centres, spreads and weights. */
  gradients(x: Float32Array, t: Float32Array, n: number, idx?: ArrayLike<number>): RbfGradients {
    const k = this.units;
    const d = this.dim;
    const m = this.outputs;
    const g: RbfGradients = { centres: new Float64Array(k * d), spreads: new Float64Array(k), weights: new Float64Array((k + 1) * m) };
    const phi = new Float64Array(k);
    const y = new Float64Array(m);
    const dy = new Float64Array(m);
    const c = this.prototypes.data;
    const w = this.weights;
    const count = idx ? idx.length : n;
    for (let s = 0; s < count; s++) {
      const i = idx ? idx[s] : s;
      const xo = i * d;
      this.activations(x, xo, phi);
      this.outputsFrom(phi, y);
      sampleLoss(this.config.task, y, t, i * m, dy);
      for (let o = 0; o < m; o++) g.weights[k * m + o] += dy[o];
      for (let j = 0; j < k; j++) {
        let dphi = 0;
        for (let o = 0; o < m; o++) {
          g.weights[j * m + o] += phi[j] * dy[o];
          dphi += dy[o] * w[j * m + o];
        }
        const sj = this.spreads[j];
        const a = (dphi * phi[j]) / (sj * sj); // d phi / d c = phi (x - c) / s^2
        g.spreads[j] += (a * sqDist(x, xo, c, j * d, d)) / sj; // d phi / d s = phi |x - c|^2 / s^3
        for (let q = 0; q < d; q++) g.centres[j * d + q] += a * (x[xo + q] - c[j * d + q]);
      }
    }
    const inv = 1 / count;
    for (const a of [g.centres, g.spreads, g.weights]) for (let q = 0; q < a.length; q++) a[q] *= inv;
    return g;
  }

  /** The reach of unit j: three spreads, where its activity has fallen to about 1%. */
  reach(j: number): number {
    return 3 * this.spreads[j];
  }

  // --- PrototypeModel (samples go to the nearest centre) ---

  scorer(x: Float32Array, n: number): Scorer {
    return new EuclideanScorer(this.prototypes, x, n);
  }

  nearestUnit(x: Float32Array, xo = 0): number {
    return nearestRow(this.prototypes.data, this.units, this.dim, x, xo);
  }

  prototype(j: number, out?: Float32Array): Float32Array {
    return this.prototypes.copyRow(j, out);
  }

  setPrototype(j: number, v: Float32Array): void {
    checkVector('RBF centre', v, this.dim);
    this.prototypes.set(j, v);
  }

  movePrototype(j: number, delta: Float32Array): void {
    checkVector('RBF move', delta, this.dim);
    this.prototypes.shift(j, delta);
  }

  /** A new unit with the mean spread of the others (1 if none) and zero output weights. */
  addPrototype(v: Float32Array, spread?: number): number {
    checkVector('RBF centre', v, this.dim);
    const s = spread ?? (this.spreads.length ? this.spreads.reduce((a, b) => a + b, 0) / this.spreads.length : 1);
    if (!(s > 0)) throw new Error(`RBF spread must be positive, got ${s}`);
    const k = this.units;
    const m = this.outputs;
    const w = new Float64Array((k + 2) * m);
    w.set(this.weights.subarray(0, k * m));
    w.set(this.weights.subarray(k * m), (k + 1) * m);
    this.weights = w;
    this.spreads.push(s);
    return this.prototypes.add(v);
  }

  removePrototype(j: number): void {
    const m = this.outputs;
    this.prototypes.remove(j);
    this.spreads.splice(j, 1);
    const w = new Float64Array(this.weights.length - m);
    w.set(this.weights.subarray(0, j * m));
    w.set(this.weights.subarray((j + 1) * m), j * m);
    this.weights = w;
  }

  /** Replace all units (centres with spreads) and reset the output weights to zero. */
  setUnits(centres: Float32Array, k: number, spreads: ArrayLike<number>): void {
    checkMatrix('RBF centres', centres, k, this.dim);
    if (spreads.length !== k) throw new Error(`RBF: ${k} centres need ${k} spreads, got ${spreads.length}`);
    this.prototypes.clear();
    this.spreads = [];
    this.weights = new Float64Array(this.outputs);
    for (let j = 0; j < k; j++) this.addPrototype(centres.subarray(j * this.dim, (j + 1) * this.dim), spreads[j]);
  }

  toState(): RbfState {
    return {
      type: 'rbf',
      config: { ...this.config },
      prototypes: this.prototypes.toState(),
      spreads: [...this.spreads],
      weights: Array.from(this.weights),
      rng: this.rng.getState(),
    };
  }

  static fromState(st: RbfState): RbfNetwork {
    if (!st || st.type !== 'rbf') throw new Error('not an RBF state');
    const net = new RbfNetwork(st.config);
    const p = PrototypeStore.fromState(st.prototypes);
    if (p.width !== net.dim || st.spreads.length !== p.count || st.weights.length !== (p.count + 1) * net.outputs) {
      throw new Error('RBF state: centres, spreads and weights do not agree in size');
    }
    for (let j = 0; j < p.count; j++) net.prototypes.add(p.row(j), p.isFrozen(j));
    net.spreads = [...st.spreads];
    if (!st.weights.every(Number.isFinite)) throw new Error('RBF state: weights must be finite numbers');
    net.weights = Float64Array.from(st.weights);
    net.rng.setState(st.rng);
    return net;
  }
}

/** Softmax of v in place (max-shifted). */
export function softmaxInPlace(v: Float64Array): void {
  let mx = -Infinity;
  for (let o = 0; o < v.length; o++) if (v[o] > mx) mx = v[o];
  let s = 0;
  for (let o = 0; o < v.length; o++) {
    v[o] = Math.exp(v[o] - mx);
    s += v[o];
  }
  for (let o = 0; o < v.length; o++) v[o] /= s;
}

/**
 * Loss of one sample from linear outputs y and targets t[to..to+m); writes dLoss/dy into dy if given.
 * Regression: 0.5 |y - t|^2, dy = y - t. Classification: cross-entropy of softmax(y), dy = p - t.
 */
export function sampleLoss(task: RbfTask, y: Float64Array, t: Float32Array, to: number, dy: Float64Array | null): number {
  const m = y.length;
  if (task === 'regression') {
    let l = 0;
    for (let o = 0; o < m; o++) {
      const e = y[o] - t[to + o];
      l += 0.5 * e * e;
      if (dy) dy[o] = e;
    }
    return l;
  }
  let mx = -Infinity;
  for (let o = 0; o < m; o++) if (y[o] > mx) mx = y[o];
  let s = 0;
  for (let o = 0; o < m; o++) s += Math.exp(y[o] - mx);
  const lse = mx + Math.log(s);
  let l = 0;
  for (let o = 0; o < m; o++) {
    l -= t[to + o] * (y[o] - lse);
    if (dy) dy[o] = Math.exp(y[o] - lse) - t[to + o];
  }
  return l;
}

/** One-hot targets (n x classes) from integer labels. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const t = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes) throw new Error(`label ${i} is ${l}, expected 0..${classes - 1}`);
    t[i * classes + l] = 1;
  }
  return t;
}
