/**
 * Training an RBF network.
 * Hybrid, stage by stage (the app shows each stage):
 *   1. centres  k-means (k-means++ then Lloyd) on the inputs; with centres already present (e.g. from
 *               prior rules) Lloyd refines them and frozen centres stay;
 *   2. spreads  'rms': s_j = scale * sqrt(mean |x - c_j|^2 over the samples nearest to c_j) (a unit with
 *               fewer than two members, or all members on it, falls back to the next rule);
 *               'nearest': s_j = scale * distance from c_j to the nearest other centre;
 *   3. weights  least squares on the activities plus a bias, solving (P^T P + ridge I) W = P^T T by
 *               Cholesky, or LMS (delta rule) epochs on the activities. For classification the targets
 *               are one-hot and the linear outputs fit them.
 * Fully supervised: mini-batch gradient descent on centres, spreads and weights of the loss in rbf.ts
 * (softmax cross-entropy for classification), spreads stepped on a log scale (each multiplied by at most
 * e^{+-1} per step) so they stay positive. Frozen centres do not move. With a stepper (e.g. AdamSteps)
 * the same gradients go to it instead: centres, log-spreads and weights as three arrays.
 *
 * From the hybrid start, a classifier's least-squares weights fit one-hot targets with linear outputs
 * (about 0..1), so the softmax over them is nearly flat: its cross-entropy is close to log(classes) even
 * where the argmax is right, and its gradients mostly ask for confidence. Plain gradient descent then
 * moves the centres and spreads far to get it, and accuracy falls before it recovers. `calibrate` first
 * scales the output weights by the factor that minimizes the cross-entropy (a 1-D convex problem; the
 * argmax, hence the accuracy, does not change), so fine-tuning starts where the loss agrees with it.
 */
import { finiteIn, oneOf, positiveInt } from './checks.js';
import { checkMatrix, sqDist, sqNorms } from './distance.js';
import { nearestAll } from './nearest.js';
import { OnlineKMeans } from './kmeans.js';
import { ridgeLeastSquares } from './linalg.js';
import type { Stepper } from './adam.js';
import { softmaxInPlace, type RbfNetwork } from './rbf.js';

export interface CentresStage {
  units: number;
  /** Lloyd inertia, first and last. */
  inertia: number[];
}

/** Stage 1: place k centres by k-means (or refine the existing ones when k is omitted). */
export function trainCentres(net: RbfNetwork, x: Float32Array, n: number, opts: { k?: number; iterations?: number } = {}): CentresStage {
  checkMatrix('RBF inputs', x, n, net.dim);
  const iterations = opts.iterations ?? 20;
  const km = new OnlineKMeans({ k: Math.max(1, opts.k ?? net.units), dim: net.dim, seed: net.rng.nextU32() });
  const fresh = opts.k !== undefined || net.units === 0;
  if (fresh) {
    positiveInt('RBF units', opts.k);
    km.init(x, n);
  } else {
    for (let j = 0; j < net.units; j++) {
      km.addPrototype(net.prototype(j));
      km.prototypes.setFrozen(j, net.prototypes.isFrozen(j));
    }
  }
  const r = km.lloyd(x, n, iterations);
  const spreads = fresh ? new Array<number>(km.prototypes.count).fill(1) : net.spreads;
  const frozen = fresh ? [] : net.prototypes.frozenIndices();
  const weights = net.weights;
  net.setUnits(km.prototypes.data, km.prototypes.count, spreads);
  if (!fresh) net.weights = weights;
  for (const j of frozen) net.prototypes.setFrozen(j, true);
  return { units: net.units, inertia: [r.inertia[0], r.inertia[r.inertia.length - 1]] };
}

export type SpreadRule = 'rms' | 'nearest';

/** Stage 2: spreads from the clusters. Returns them. */
export function trainSpreads(net: RbfNetwork, x: Float32Array, n: number, rule: SpreadRule = 'rms', scale = 1): number[] {
  checkMatrix('RBF inputs', x, n, net.dim);
  oneOf('RBF spread rule', rule, ['rms', 'nearest']);
  finiteIn('RBF spread scale', scale, 0, Infinity, true);
  const k = net.units;
  if (k === 0) throw new Error('RBF: place the centres before the spreads');
  const d = net.dim;
  const c = net.prototypes.data;
  const nearest = new Float64Array(k).fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) if (a !== b) nearest[a] = Math.min(nearest[a], Math.sqrt(sqDist(c, a * d, c, b * d, d)));
  }
  const sum = new Float64Array(k);
  const cnt = new Float64Array(k);
  if (rule === 'rms') {
    const labels = new Int32Array(n);
    nearestAll(x, sqNorms(x, n, d), n, c, sqNorms(c, k, d), k, d, { labels, scores: new Float64Array(n) });
    for (let i = 0; i < n; i++) {
      const j = labels[i];
      sum[j] += sqDist(x, i * d, c, j * d, d);
      cnt[j]++;
    }
  }
  // Fallback for a lone centre: the RMS distance of all samples to it.
  const lone = () => {
    let s = 0;
    for (let i = 0; i < n; i++) s += sqDist(x, i * d, c, 0, d);
    return Math.sqrt(s / n) || 1;
  };
  for (let j = 0; j < k; j++) {
    let s = rule === 'rms' && cnt[j] >= 2 && sum[j] > 0 ? Math.sqrt(sum[j] / cnt[j]) : nearest[j];
    if (!Number.isFinite(s) || s <= 0) s = k === 1 ? lone() : 1;
    net.spreads[j] = scale * s;
  }
  return [...net.spreads];
}

export type WeightsOptions = { method: 'least-squares'; ridge?: number } | { method: 'lms'; epochs?: number; rate?: number };

/** Stage 3: output weights with centres and spreads fixed. Returns the mean loss after. */
export function trainWeights(net: RbfNetwork, x: Float32Array, t: Float32Array, n: number, opts: WeightsOptions = { method: 'least-squares' }): number {
  checkMatrix('RBF inputs', x, n, net.dim);
  checkMatrix('RBF targets', t, n, net.outputs);
  const k = net.units;
  const m = net.outputs;
  const phi = new Float64Array(k);
  if (opts.method === 'least-squares') {
    const ridge = opts.ridge ?? 1e-6;
    net.weights = ridgeLeastSquares(
      n,
      k + 1,
      (i, out) => {
        net.activations(x, i * net.dim, phi);
        out.set(phi);
        out[k] = 1;
      },
      t,
      m,
      ridge,
    );
  } else if (opts.method === 'lms') {
    const epochs = positiveInt('LMS epochs', opts.epochs ?? 50);
    const rate = finiteIn('LMS rate', opts.rate ?? 0.05, 0, Infinity, true);
    const y = new Float64Array(m);
    const w = net.weights;
    for (let e = 0; e < epochs; e++) {
      const order = net.rng.permutation(n);
      for (const i of order) {
        net.activations(x, i * net.dim, phi);
        net.outputsFrom(phi, y);
        for (let o = 0; o < m; o++) {
          const err = t[i * m + o] - y[o];
          for (let j = 0; j < k; j++) w[j * m + o] += rate * err * phi[j];
          w[k * m + o] += rate * err;
        }
      }
    }
  } else {
    throw new Error(`RBF weights: unknown method "${(opts as { method: string }).method}" (least-squares, lms)`);
  }
  return linearLoss(net, x, t, n);
}

/** Mean 0.5 |y - t|^2 of the linear outputs (what the hybrid weights minimize). */
export function linearLoss(net: RbfNetwork, x: Float32Array, t: Float32Array, n: number): number {
  const phi = new Float64Array(net.units);
  const y = new Float64Array(net.outputs);
  let s = 0;
  for (let i = 0; i < n; i++) {
    net.outputsFrom(net.activations(x, i * net.dim, phi), y);
    for (let o = 0; o < net.outputs; o++) {
      const e = y[o] - t[i * net.outputs + o];
      s += 0.5 * e * e;
    }
  }
  return s / n;
}

export interface HybridOptions {
  k: number;
  spreadRule?: SpreadRule;
  spreadScale?: number;
  weights?: WeightsOptions;
}

/** All three hybrid stages in order; returns what each produced. */
export function trainHybrid(net: RbfNetwork, x: Float32Array, t: Float32Array, n: number, opts: HybridOptions) {
  const centres = trainCentres(net, x, n, { k: opts.k });
  const spreads = trainSpreads(net, x, n, opts.spreadRule ?? 'rms', opts.spreadScale ?? 1);
  const loss = trainWeights(net, x, t, n, opts.weights ?? { method: 'least-squares' });
  return { centres, spreads, loss };
}

export interface SupervisedOptions {
  epochs: number;
  rate: number;
  batch?: number;
  /** Which parameters learn (all by default). */
  centres?: boolean;
  spreads?: boolean;
  /** Smallest spread allowed. */
  minSpread?: number;
  /** Takes the steps instead of plain gradient descent at `rate` (its state carries over between calls). */
  stepper?: Stepper;
}

/** Fully supervised gradient descent; returns the mean loss after each epoch. */
export function trainSupervised(net: RbfNetwork, x: Float32Array, t: Float32Array, n: number, opts: SupervisedOptions): number[] {
  positiveInt('RBF epochs', opts.epochs);
  finiteIn('RBF rate', opts.rate, 0, Infinity, true);
  const batch = positiveInt('RBF batch', opts.batch ?? 16);
  const minSpread = opts.minSpread ?? 1e-3;
  const d = net.dim;
  const losses: number[] = [];
  const stepper = opts.stepper;
  const logS = new Float64Array(net.units);
  for (let e = 0; e < opts.epochs; e++) {
    const order = net.rng.permutation(n);
    for (let s = 0; s < n; s += batch) {
      const g = net.gradients(x, t, n, order.subarray(s, Math.min(n, s + batch)));
      if (stepper) {
        stepWith(stepper, net, g, opts, minSpread, logS);
        continue;
      }
      for (let q = 0; q < net.weights.length; q++) net.weights[q] -= opts.rate * g.weights[q];
      for (let j = 0; j < net.units; j++) {
        if (opts.spreads !== false) {
          // A step on log s (s <- s exp(-rate s dL/ds)) keeps spreads positive and stops them collapsing.
          const sj = net.spreads[j];
          net.spreads[j] = Math.max(minSpread, sj * Math.exp(-clamp(opts.rate * sj * g.spreads[j], 1)));
        }
        if (opts.centres === false || net.prototypes.isFrozen(j)) continue;
        const c = net.prototypes.row(j);
        for (let q = 0; q < d; q++) c[q] -= opts.rate * g.centres[j * d + q];
      }
    }
    losses.push(net.loss(x, t, n));
  }
  return losses;
}

function stepWith(stepper: Stepper, net: RbfNetwork, g: ReturnType<RbfNetwork['gradients']>, opts: SupervisedOptions, minSpread: number, logS: Float64Array): void {
  const k = net.units;
  const d = net.dim;
  // d L / d log s = s dL/ds; parameters that must not learn get no gradient, and are put back after.
  for (let j = 0; j < k; j++) {
    logS[j] = Math.log(net.spreads[j]);
    g.spreads[j] = opts.spreads === false ? 0 : g.spreads[j] * net.spreads[j];
  }
  const fixed: [number, Float32Array][] = [];
  for (let j = 0; j < k; j++) {
    if (opts.centres === false || net.prototypes.isFrozen(j)) {
      g.centres.fill(0, j * d, (j + 1) * d);
      fixed.push([j, Float32Array.from(net.prototypes.row(j))]);
    }
  }
  stepper.step([net.weights, net.prototypes.data, logS], [g.weights, g.centres, g.spreads]);
  for (const [j, row] of fixed) net.prototypes.row(j).set(row);
  if (opts.spreads !== false) for (let j = 0; j < k; j++) net.spreads[j] = Math.max(minSpread, Math.exp(logS[j]));
}

/**
 * Scale a classifier's output weights (bias included) by the a > 0 that minimizes the mean softmax
 * cross-entropy of a * y on the samples (Newton's method on the convex 1-D loss; argmaxes unchanged).
 * Returns a.
 */
export function calibrate(net: RbfNetwork, x: Float32Array, t: Float32Array, n: number): number {
  checkMatrix('RBF inputs', x, n, net.dim);
  checkMatrix('RBF targets', t, n, net.outputs);
  if (net.config.task !== 'classification') throw new Error('RBF calibrate: only for classification');
  const m = net.outputs;
  const y = new Float64Array(n * m);
  const phi = new Float64Array(net.units);
  for (let i = 0; i < n; i++) net.outputsFrom(net.activations(x, i * net.dim, phi), y.subarray(i * m, (i + 1) * m));
  const q = new Float64Array(m);
  const at = (a: number) => {
    let f = 0;
    let f1 = 0;
    let f2 = 0;
    for (let i = 0; i < n; i++) {
      const yi = y.subarray(i * m, (i + 1) * m);
      for (let o = 0; o < m; o++) q[o] = a * yi[o];
      let mx = -Infinity;
      for (let o = 0; o < m; o++) if (q[o] > mx) mx = q[o];
      let z = 0;
      for (let o = 0; o < m; o++) z += Math.exp(q[o] - mx);
      const lse = mx + Math.log(z);
      let ts = 0;
      let ty = 0;
      for (let o = 0; o < m; o++) {
        ts += t[i * m + o];
        ty += t[i * m + o] * yi[o];
        f -= t[i * m + o] * (q[o] - lse);
      }
      for (let o = 0; o < m; o++) q[o] = a * yi[o];
      softmaxInPlace(q);
      let ey = 0;
      let ey2 = 0;
      for (let o = 0; o < m; o++) {
        ey += q[o] * yi[o];
        ey2 += q[o] * yi[o] * yi[o];
      }
      f1 += ts * ey - ty;
      f2 += ts * (ey2 - ey * ey);
    }
    return [f / n, f1 / n, f2 / n];
  };
  let a = 1;
  let [f] = at(a);
  for (let it = 0; it < 50; it++) {
    const [, f1, f2] = at(a);
    let step = f2 > 0 ? f1 / f2 : Math.sign(f1) * a;
    let next = a - step;
    if (!(next > 0)) next = a / 4;
    let [fn] = at(next);
    // backtrack if Newton's step overshoots
    for (let b = 0; b < 30 && !(fn <= f); b++) {
      step /= 2;
      next = Math.max(a - step, a / 4);
      [fn] = at(next);
    }
    if (!(fn <= f)) break;
    const done = Math.abs(next - a) <= 1e-6 * a;
    a = next;
    f = fn;
    if (done) break;
  }
  for (let q2 = 0; q2 < net.weights.length; q2++) net.weights[q2] *= a;
  return a;
}

function clamp(v: number, lim: number): number {
  return v > lim ? lim : v < -lim ? -lim : v;
}
