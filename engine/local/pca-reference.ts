/**
 * The plain-loop PCA (two-vector power iteration, covariance applied sample by sample in double
 * precision): the reference the GEMM-based Pca.fit is tested against. Not used by the app.
 */
import type { Rng } from '../core/rng.js';
import { checkMatrix } from './distance.js';
import { fixSign, type PcaOptions, type PcaState } from './pca.js';

export function pcaReference(x: Float32Array, n: number, d: number, rng: Rng, opts: PcaOptions = {}): PcaState {
  checkMatrix('pca', x, n, d);
  if (n < 2) throw new Error('pca: need at least two samples');
  const iterations = opts.iterations ?? 200;
  const tol = opts.tol ?? 1e-9;
  const m = Math.min(n, opts.maxSamples ?? 10000);
  const idx = m === n ? Int32Array.from({ length: n }, (_, i) => i) : rng.permutation(n).subarray(0, m);
  const mean = new Float64Array(d);
  for (const i of idx) for (let t = 0; t < d; t++) mean[t] += x[i * d + t];
  for (let t = 0; t < d; t++) mean[t] /= m;
  const mean32 = Float32Array.from(mean);

  let v0 = new Float64Array(d);
  let v1 = new Float64Array(d);
  for (let t = 0; t < d; t++) {
    v0[t] = rng.normal();
    v1[t] = rng.normal();
  }
  orthonormalize(v0, v1);
  const w0 = new Float64Array(d);
  const w1 = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    covTimes(x, idx, d, mean, v0, v1, w0, w1);
    const n0 = Float64Array.from(w0);
    const n1 = Float64Array.from(w1);
    orthonormalize(n0, n1);
    const change = Math.max(1 - Math.abs(dot64(n0, v0)), 1 - Math.abs(dot64(n1, v1)));
    v0 = n0;
    v1 = n1;
    if (change < tol) break;
  }
  // Rayleigh-Ritz: eigen-decompose H = V^T C V (2 x 2) and rotate V so its rows are ordered eigenvectors.
  covTimes(x, idx, d, mean, v0, v1, w0, w1);
  const a = dot64(v0, w0);
  const b = dot64(v0, w1);
  const c = dot64(v1, w1);
  const half = (a - c) / 2;
  const r = Math.hypot(half, b);
  const l1 = (a + c) / 2 + r;
  const l2 = (a + c) / 2 - r;
  const theta = 0.5 * Math.atan2(2 * b, a - c);
  const cs = Math.cos(theta);
  const sn = Math.sin(theta);
  const comps = new Float32Array(2 * d);
  for (let t = 0; t < d; t++) {
    comps[t] = cs * v0[t] + sn * v1[t];
    comps[d + t] = -sn * v0[t] + cs * v1[t];
  }
  for (let k = 0; k < 2; k++) fixSign(comps.subarray(k * d, (k + 1) * d));
  return { dim: d, mean: mean32, components: comps, variances: [Math.max(l1, 0), Math.max(l2, 0)] };
}

/** w0 = C v0, w1 = C v1 with C the covariance of the rows idx (divided by their count). */
function covTimes(
  x: Float32Array,
  idx: Int32Array,
  d: number,
  mean: Float64Array,
  v0: Float64Array,
  v1: Float64Array,
  w0: Float64Array,
  w1: Float64Array,
): void {
  w0.fill(0);
  w1.fill(0);
  const m0 = dot64(mean, v0);
  const m1 = dot64(mean, v1);
  for (const i of idx) {
    const o = i * d;
    let p0 = -m0;
    let p1 = -m1;
    for (let t = 0; t < d; t++) {
      const v = x[o + t];
      p0 += v * v0[t];
      p1 += v * v1[t];
    }
    // sum_i p_i (x_i - mean) = sum_i p_i x_i because sum_i p_i = 0 over the same rows.
    for (let t = 0; t < d; t++) {
      const v = x[o + t];
      w0[t] += p0 * v;
      w1[t] += p1 * v;
    }
  }
  const inv = 1 / idx.length;
  for (let t = 0; t < d; t++) {
    w0[t] *= inv;
    w1[t] *= inv;
  }
}

function dot64(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
}

/** Gram-Schmidt on two vectors; a degenerate second vector is replaced by a unit axis orthogonal to the first. */
function orthonormalize(a: Float64Array, b: Float64Array): void {
  normalize(a, 0);
  const p = dot64(a, b);
  for (let t = 0; t < b.length; t++) b[t] -= p * a[t];
  if (!normalize(b, 1e-12)) {
    b.fill(0);
    let k = 0;
    for (let t = 1; t < a.length; t++) if (Math.abs(a[t]) < Math.abs(a[k])) k = t;
    b[k] = 1;
    const q = a[k];
    for (let t = 0; t < b.length; t++) b[t] -= q * a[t];
    normalize(b, 0);
  }
}

function normalize(a: Float64Array, eps: number): boolean {
  const nrm = Math.sqrt(dot64(a, a));
  if (!(nrm > eps)) {
    if (eps === 0 && !(nrm > 0)) {
      a.fill(0);
      a[0] = 1;
    }
    return eps === 0;
  }
  for (let t = 0; t < a.length; t++) a[t] /= nrm;
  return true;
}
