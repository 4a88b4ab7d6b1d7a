/**
 * Rules and exceptions: a default rule for the whole input space plus RBF units for the regions where
 * it is wrong. The rule is a constant w0 (the mean target) or a linear model (ridge least squares on
 * [x; 1]). Fitting: fit the rule on all samples; samples whose residual |t - rule(x)| exceeds the
 * tolerance are exceptions; refit the rule on the others; place `units` RBF units on the exceptions
 * (k-means centres, RMS spreads) and fit their output weights (no bias) to the residuals of the samples
 * they cover. Prediction: where the largest unit activity is below the threshold, the rule alone
 * answers; inside a unit's region, the answer is the rule plus the units' correction.
 */
import { checkMatrix } from './distance.js';
import { finiteIn, oneOf, positiveInt } from './checks.js';
import { ridgeLeastSquares } from './linalg.js';
import { RbfNetwork } from './rbf.js';
import { trainCentres, trainSpreads } from './rbf-train.js';

export interface DefaultRule {
  kind: 'constant' | 'linear';
  /** constant: outputs values; linear: (dim + 1) x outputs, bias row last. */
  weights: Float64Array;
}

export interface RulesFitOptions {
  rule: 'constant' | 'linear';
  units: number;
  /** Max activity below which the rule answers alone. */
  threshold?: number;
  /** Residual norm above which a sample is an exception (default: twice the mean residual norm). */
  tolerance?: number;
  ridge?: number;
  seed?: number;
}

export interface Explanation {
  source: 'rule' | 'exception';
  /** The most active unit (-1 when there are none). */
  unit: number;
  activity: number;
}

export class RulesAndExceptions {
  readonly net: RbfNetwork;
  rule: DefaultRule;
  threshold: number;

  constructor(net: RbfNetwork, rule: DefaultRule, threshold: number) {
    const p = rule.kind === 'linear' ? net.dim + 1 : 1;
    if (rule.weights.length !== p * net.outputs) throw new Error(`default rule needs ${p * net.outputs} weights, got ${rule.weights.length}`);
    this.net = net;
    this.rule = rule;
    this.threshold = finiteIn('rules threshold', threshold, 0, 1);
  }

  static fit(x: Float32Array, t: Float32Array, n: number, dim: number, outputs: number, opts: RulesFitOptions): RulesAndExceptions {
    checkMatrix('rules inputs', x, n, dim);
    checkMatrix('rules targets', t, n, outputs);
    oneOf('default rule', opts.rule, ['constant', 'linear']);
    positiveInt('exception units', opts.units);
    const ridge = opts.ridge ?? 1e-6;
    const all = Int32Array.from({ length: n }, (_, i) => i);
    let rule = fitRule(x, t, dim, outputs, opts.rule, all, ridge);
    const resid = residuals(x, t, n, dim, outputs, rule);
    const norms = Float64Array.from({ length: n }, (_, i) => Math.hypot(...resid.subarray(i * outputs, (i + 1) * outputs)));
    const tol = opts.tolerance ?? (2 * norms.reduce((a, b) => a + b, 0)) / n;
    const exc = all.filter((i) => norms[i] > tol);
    const ok = all.filter((i) => norms[i] <= tol);
    if (ok.length > 0) rule = fitRule(x, t, dim, outputs, opts.rule, ok, ridge);
    const net = new RbfNetwork({ dim, outputs, seed: opts.seed ?? 1 });
    const model = new RulesAndExceptions(net, rule, opts.threshold ?? 0.1);
    if (exc.length === 0) return model;
    const xe = gather(x, exc, dim);
    trainCentres(net, xe, exc.length, { k: Math.min(opts.units, exc.length) });
    trainSpreads(net, xe, exc.length, 'rms');
    const r = residuals(x, t, n, dim, outputs, rule);
    const phi = new Float64Array(net.units);
    const covered = all.filter((i) => max(net.activations(x, i * dim, phi)) >= model.threshold);
    const w = ridgeLeastSquares(covered.length, net.units, (s, out) => net.activations(x, covered[s] * dim, out), gather(r, covered, outputs), outputs, Math.max(ridge, 1e-8));
    net.weights = new Float64Array((net.units + 1) * outputs);
    net.weights.set(w); // bias row stays 0: outside the units the rule is the whole answer
    return model;
  }

  /** The default rule's output for x. */
  ruleOutput(x: Float32Array, xo = 0, out: Float64Array = new Float64Array(this.net.outputs)): Float64Array {
    return applyRule(this.rule, x, xo, this.net.dim, out);
  }

  predict(x: Float32Array, xo = 0, out: Float64Array = new Float64Array(this.net.outputs)): Float64Array {
    this.ruleOutput(x, xo, out);
    const phi = this.net.activations(x, xo, new Float64Array(this.net.units));
    if (max(phi) < this.threshold) return out;
    const corr = this.net.outputsFrom(phi, new Float64Array(this.net.outputs));
    for (let o = 0; o < out.length; o++) out[o] += corr[o];
    return out;
  }

  /** Which part answers for x, and how strongly the nearest exception is active. */
  explain(x: Float32Array, xo = 0): Explanation {
    const phi = this.net.activations(x, xo, new Float64Array(this.net.units));
    let u = -1;
    for (let j = 0; j < phi.length; j++) if (u < 0 || phi[j] > phi[u]) u = j;
    const a = u < 0 ? 0 : phi[u];
    return { source: a >= this.threshold ? 'exception' : 'rule', unit: u, activity: a };
  }

  /** The exceptions: each unit's centre, spread and output weights. */
  exceptions(): { centre: Float32Array; spread: number; weights: number[] }[] {
    const m = this.net.outputs;
    return Array.from({ length: this.net.units }, (_, j) => ({
      centre: this.net.prototype(j),
      spread: this.net.spreads[j],
      weights: Array.from(this.net.weights.subarray(j * m, (j + 1) * m)),
    }));
  }

  toState() {
    return { type: 'rules' as const, rule: { kind: this.rule.kind, weights: Array.from(this.rule.weights) }, threshold: this.threshold, net: this.net.toState() };
  }

  static fromState(st: ReturnType<RulesAndExceptions['toState']>): RulesAndExceptions {
    if (!st || st.type !== 'rules') throw new Error('not a rules-and-exceptions state');
    return new RulesAndExceptions(RbfNetwork.fromState(st.net), { kind: st.rule.kind, weights: Float64Array.from(st.rule.weights) }, st.threshold);
  }
}

function fitRule(x: Float32Array, t: Float32Array, d: number, m: number, kind: 'constant' | 'linear', idx: Int32Array, ridge: number): DefaultRule {
  if (kind === 'constant') {
    const w = new Float64Array(m);
    for (const i of idx) for (let o = 0; o < m; o++) w[o] += t[i * m + o] / idx.length;
    return { kind, weights: w };
  }
  const w = ridgeLeastSquares(
    idx.length,
    d + 1,
    (s, out) => {
      const i = idx[s];
      for (let q = 0; q < d; q++) out[q] = x[i * d + q];
      out[d] = 1;
    },
    gather(t, idx, m),
    m,
    ridge,
  );
  return { kind, weights: w };
}

function applyRule(rule: DefaultRule, x: Float32Array, xo: number, d: number, out: Float64Array): Float64Array {
  const m = out.length;
  if (rule.kind === 'constant') {
    out.set(rule.weights);
    return out;
  }
  for (let o = 0; o < m; o++) {
    let s = rule.weights[d * m + o];
    for (let q = 0; q < d; q++) s += x[xo + q] * rule.weights[q * m + o];
    out[o] = s;
  }
  return out;
}

function residuals(x: Float32Array, t: Float32Array, n: number, d: number, m: number, rule: DefaultRule): Float32Array {
  const r = new Float32Array(n * m);
  const y = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    applyRule(rule, x, i * d, d, y);
    for (let o = 0; o < m; o++) r[i * m + o] = t[i * m + o] - y[o];
  }
  return r;
}

function gather(a: Float32Array, idx: Int32Array, w: number): Float32Array {
  const out = new Float32Array(idx.length * w);
  idx.forEach((i, s) => out.set(a.subarray(i * w, (i + 1) * w), s * w));
  return out;
}

function max(a: Float64Array): number {
  let m = -Infinity;
  for (const v of a) if (v > m) m = v;
  return m;
}
