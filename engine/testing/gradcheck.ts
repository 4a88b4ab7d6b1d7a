/**
 * Finite-difference gradient checking for layers, losses and anything else with a scalar loss.
 *
 * How it keeps float32 noise from looking like a bug:
 *  - a layer is reduced to the scalar L = sum(r * y) with a fixed random r in [-1, 1], summed in double,
 *    so dL/dy = r and the only rounding is the layer's own float32 arithmetic;
 *  - central differences, dividing by the step actually taken after rounding to float32
 *    ((x + eps) - (x - eps) in float32 is not exactly 2 eps);
 *  - the default step eps = 5e-3 balances truncation error (~eps^2) against rounding noise (~1e-7/eps);
 *  - a coordinate where the estimates with eps and eps/2 disagree sits on a kink (ReLU at 0, a max-pool
 *    tie, a dropout boundary) within the step: it is counted as skipped, not compared, and
 *    assertGradients fails when more than a small fraction is skipped;
 *  - the tolerance is |analytic - numeric| <= atol * scale + rtol * max(|analytic|, |numeric|), where
 *    scale is the largest gradient magnitude in the tensor (for a layer: in the input and all its params),
 *    so tiny entries of a large gradient are not held to a relative test that noise cannot pass.
 * Keep inputs away from kinks where you can (e.g. distinct values for max pooling) and gradients of
 * order one (scale inputs and weights to about unit size).
 */
import { Rng } from '../core/rng.js';
import { sizeOf, tensor, type Tensor } from '../core/tensor.js';
import type { Layer, Param } from '../layers/layer.js';

export interface GradCheckOptions {
  /** Finite-difference step (default 5e-3). */
  eps?: number;
  /** Relative tolerance (default 1e-2). */
  rtol?: number;
  /** Absolute tolerance as a fraction of the tensor's largest gradient (default 1e-3). */
  atol?: number;
  /** Coordinates checked per tensor; a random subset beyond this (default 400). */
  maxChecks?: number;
  /** Seed for the projection r, the subset, and the Rng handed to each forward pass (default 1). */
  seed?: number;
  /**
   * Smallest gradient scale for atol (default 1e-3). checkLayerGradients sets it to the largest gradient
   * over the input and all params, so a param whose true gradient is 0 (a conv bias before batchNorm)
   * is judged against the layer's scale, not against its own rounding noise.
   */
  scale?: number;
}

export interface GradMismatch {
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradCheckResult {
  name: string;
  size: number;
  checked: number;
  /** Coordinates on a kink (the eps and eps/2 estimates disagree): not compared. */
  skipped: number;
  /** Largest |analytic - numeric| among compared coordinates. */
  maxAbsError: number;
  failures: GradMismatch[];
}

const DEFAULTS = { eps: 5e-3, rtol: 1e-2, atol: 1e-3, maxChecks: 400, seed: 1, scale: 1e-3 };

function centralDifference(value: Float32Array, i: number, eps: number, loss: () => number): number {
  const orig = value[i];
  value[i] = orig + eps;
  const up = value[i];
  const fp = loss();
  value[i] = orig - eps;
  const down = value[i];
  const fm = loss();
  value[i] = orig;
  return (fp - fm) / (up - down);
}

function pickIndices(size: number, maxChecks: number, rng: Rng): number[] {
  if (size <= maxChecks) return Array.from({ length: size }, (_, i) => i);
  return Array.from(rng.permutation(size).subarray(0, maxChecks)).sort((a, b) => a - b);
}

/**
 * Compare `analytic` (the gradient of loss() with respect to `value`) with central differences.
 * loss() must recompute from the current contents of `value`, which is perturbed in place and restored.
 */
export function checkGradient(
  name: string,
  value: Float32Array,
  analytic: ArrayLike<number>,
  loss: () => number,
  options: GradCheckOptions = {},
): GradCheckResult {
  const o = { ...DEFAULTS, ...options };
  if (analytic.length !== value.length) {
    throw new Error(`gradcheck ${name}: analytic gradient has ${analytic.length} values, the tensor ${value.length}`);
  }
  const idx = pickIndices(value.length, o.maxChecks, new Rng(o.seed + 7919));
  const numeric: number[] = [];
  const half: number[] = [];
  let scale = o.scale;
  for (const i of idx) {
    const c1 = centralDifference(value, i, o.eps, loss);
    numeric.push(c1);
    half.push(centralDifference(value, i, o.eps / 2, loss));
    scale = Math.max(scale, Math.abs(analytic[i]), Math.abs(c1));
  }
  const tol = (p: number, q: number) => o.atol * scale + o.rtol * Math.max(Math.abs(p), Math.abs(q));
  const res: GradCheckResult = { name, size: value.length, checked: idx.length, skipped: 0, maxAbsError: 0, failures: [] };
  idx.forEach((i, t) => {
    const nu = numeric[t];
    if (!(Math.abs(nu - half[t]) <= tol(nu, half[t]))) {
      res.skipped++;
      return;
    }
    const a = analytic[i];
    const err = Math.abs(a - nu);
    res.maxAbsError = Math.max(res.maxAbsError, err);
    if (!(err <= tol(a, nu))) res.failures.push({ index: i, analytic: a, numeric: nu });
  });
  return res;
}

/** A layer's params with unique names, its own first, then its children's (depth first). */
export function namedParams(layer: Layer, prefix = layer.type): { name: string; param: Param }[] {
  const out = layer.params().map((p) => ({ name: `${prefix}.${p.name}`, param: p }));
  (layer.children?.() ?? []).forEach((c, i) => out.push(...namedParams(c, `${prefix}/${i}:${c.type}`)));
  return out;
}

export interface LayerCheckOptions extends GradCheckOptions {
  /** Forward in training mode (default true). */
  training?: boolean;
  /** Also check the input gradient (default true). */
  checkInput?: boolean;
}

/**
 * Check a layer's input gradient and every parameter gradient (its children's too) on input x.
 * Each forward pass gets a fresh Rng(seed), so dropout masks repeat exactly between evaluations.
 */
export function checkLayerGradients(layer: Layer, x: Tensor, options: LayerCheckOptions = {}): GradCheckResult[] {
  const o = { ...DEFAULTS, training: true, checkInput: true, ...options };
  const ctx = () => ({ training: o.training, rng: new Rng(o.seed) });
  const { y, cache } = layer.forward(x, ctx());
  const projRng = new Rng(o.seed + 104729);
  const r = new Float32Array(sizeOf(y.shape));
  for (let i = 0; i < r.length; i++) r[i] = projRng.uniform(-1, 1);
  const params = namedParams(layer);
  for (const { param } of params) param.grad.fill(0);
  const dx = new Float32Array(layer.backward(cache, tensor(y.shape, r)).data);
  const grads = params.map(({ param }) => new Float32Array(param.grad));
  const loss = () => {
    const out = layer.forward(x, ctx()).y.data;
    let s = 0;
    for (let i = 0; i < out.length; i++) s += out[i] * r[i];
    return s;
  };
  let scale = o.scale;
  for (const g of [dx, ...grads]) for (let i = 0; i < g.length; i++) scale = Math.max(scale, Math.abs(g[i]));
  o.scale = scale;
  const results: GradCheckResult[] = [];
  if (o.checkInput) results.push(checkGradient('input', x.data, dx, loss, o));
  params.forEach(({ name, param }, k) => results.push(checkGradient(name, param.value, grads[k], loss, o)));
  return results;
}

/** Check a loss function's gradient with respect to its input. */
export function checkLossGradient(
  name: string,
  input: Tensor,
  lossFn: (t: Tensor) => { loss: number; grad: Tensor },
  options: GradCheckOptions = {},
): GradCheckResult {
  const analytic = new Float32Array(lossFn(input).grad.data);
  return checkGradient(name, input.data, analytic, () => lossFn(input).loss, options);
}

/** Throw a readable summary unless every result passed and at most maxSkipFraction were skipped. */
export function assertGradients(results: readonly GradCheckResult[], label = 'gradcheck', maxSkipFraction = 0.05): void {
  const problems: string[] = [];
  for (const r of results) {
    if (r.failures.length > 0) {
      const f = r.failures.slice(0, 3).map((m) => `[${m.index}] analytic ${m.analytic.toPrecision(5)} numeric ${m.numeric.toPrecision(5)}`);
      problems.push(`${r.name}: ${r.failures.length}/${r.checked} mismatched, e.g. ${f.join('; ')}`);
    }
    if (r.skipped > maxSkipFraction * r.checked) problems.push(`${r.name}: ${r.skipped}/${r.checked} coordinates on kinks (skipped)`);
  }
  if (problems.length > 0) throw new Error(`${label} failed:\n  ${problems.join('\n  ')}`);
}
