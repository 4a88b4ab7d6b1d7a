/**
 * PCA to two dimensions for drawing samples and prototypes on a plane, fitted once by subspace (block
 * power) iteration on an 8-vector block with a Rayleigh-Ritz step, on at most `maxSamples` samples drawn
 * with the Rng. The covariance is never formed: each iteration applies it as two GEMMs on the centred
 * samples (P = Xc V, W = Xc^T P / m), so a fit costs a few passes over the data at GEMM speed.
 * pca-reference.ts keeps the plain-loop version it is tested against.
 * The inverse of a drag: a displacement (dx, dy) on the plane maps to dx*pc1 + dy*pc2 in input space,
 * which moves a prototype within the principal subspace and leaves its other coordinates alone.
 */
import type { Rng } from '../core/rng.js';
import { gemm } from '../kernels/gemm.js';
import { checkMatrix } from './distance.js';
import { symmetricEigen } from './linalg.js';
import { toF32 } from './prototypes.js';

export interface PcaOptions {
  iterations?: number;
  /** Stop when the subspace changes less than this (1 - |cos| of each vector). */
  tol?: number;
  maxSamples?: number;
}

export interface PcaState {
  dim: number;
  mean: Float32Array;
  /** 2 x dim, row-major, unit rows. */
  components: Float32Array;
  /** Variance along each component. */
  variances: number[];
}

export class Pca {
  readonly dim: number;
  readonly mean: Float32Array;
  readonly components: Float32Array;
  readonly variances: [number, number];

  private constructor(dim: number, mean: Float32Array, components: Float32Array, variances: [number, number]) {
    this.dim = dim;
    this.mean = mean;
    this.components = components;
    this.variances = variances;
  }

  static fit(x: Float32Array, n: number, d: number, rng: Rng, opts: PcaOptions = {}): Pca {
    checkMatrix('pca', x, n, d);
    if (n < 2) throw new Error('pca: need at least two samples');
    if (d < 2) throw new Error('pca: need at least two dimensions to draw on a plane');
    const iterations = opts.iterations ?? 100;
    const tol = opts.tol ?? 1e-9;
    const m = Math.min(n, opts.maxSamples ?? 10000);
    const s = m === n ? x : gatherRows(x, rng.permutation(n).subarray(0, m), d);
    const mean = new Float64Array(d);
    for (let i = 0; i < m; i++) for (let t = 0; t < d; t++) mean[t] += s[i * d + t];
    for (let t = 0; t < d; t++) mean[t] /= m;

    const b = Math.min(BLOCK, d);
    const v = Float64Array.from({ length: d * b }, () => rng.normal()); // d x b
    orthonormalColumns(v, d, b);
    const v32 = new Float32Array(d * b);
    const p = new Float32Array(m * b);
    const w32 = new Float32Array(d * b);
    const w = new Float64Array(d * b);
    const h = new Float64Array(b * b);
    let ritz = new Float64Array(2 * d);
    let prev: Float64Array | null = null;
    let values: Float64Array = new Float64Array(b);
    for (let it = 0; it < iterations; it++) {
      // W = C V with C the covariance: P = (S - 1 mean^T) V, W = (S - 1 mean^T)^T P / m, by two GEMMs.
      v32.set(v);
      gemm(false, false, m, b, d, 1, s, 0, v32, 0, 0, p, 0);
      const colSum = new Float64Array(b);
      for (let j = 0; j < b; j++) {
        let mv = 0;
        for (let t = 0; t < d; t++) mv += mean[t] * v[t * b + j];
        let cs = 0;
        for (let i = 0; i < m; i++) cs += p[i * b + j] -= mv;
        colSum[j] = cs;
      }
      gemm(true, false, d, b, m, 1, s, 0, p, 0, 0, w32, 0);
      for (let t = 0; t < d; t++) for (let j = 0; j < b; j++) w[t * b + j] = (w32[t * b + j] - mean[t] * colSum[j]) / m;
      // Rayleigh-Ritz in span(V): H = V^T C V, its top eigenvectors mapped back are the estimates.
      for (let i = 0; i < b; i++) {
        for (let j = 0; j < b; j++) {
          let acc = 0;
          for (let t = 0; t < d; t++) acc += v[t * b + i] * w[t * b + j];
          h[i * b + j] = acc;
        }
      }
      for (let i = 0; i < b; i++) for (let j = 0; j < i; j++) h[i * b + j] = h[j * b + i] = (h[i * b + j] + h[j * b + i]) / 2;
      const eig = symmetricEigen(h, b);
      values = eig.values;
      ritz = new Float64Array(2 * d);
      for (let c = 0; c < 2; c++) {
        for (let t = 0; t < d; t++) {
          let acc = 0;
          for (let j = 0; j < b; j++) acc += v[t * b + j] * eig.vectors[j * b + c];
          ritz[c * d + t] = acc;
        }
      }
      const change = prev ? Math.max(1 - Math.abs(dotRows(ritz, prev, 0, d)), 1 - Math.abs(dotRows(ritz, prev, 1, d))) : Infinity;
      prev = ritz;
      if (change < tol) break;
      v.set(w);
      orthonormalColumns(v, d, b);
    }
    const comps = new Float32Array(2 * d);
    for (let c = 0; c < 2; c++) {
      let nrm = 0;
      for (let t = 0; t < d; t++) nrm += ritz[c * d + t] * ritz[c * d + t];
      const inv = 1 / Math.sqrt(nrm);
      for (let t = 0; t < d; t++) comps[c * d + t] = ritz[c * d + t] * inv;
      fixSign(comps.subarray(c * d, (c + 1) * d));
    }
    return new Pca(d, Float32Array.from(mean), comps, [Math.max(values[0], 0), Math.max(values[1], 0)]);
  }

  /** Plane coordinates of x[xo..xo+dim) into out[oo], out[oo+1]. */
  project(x: Float32Array, xo: number, out: Float32Array, oo = 0): void {
    const d = this.dim;
    const c = this.components;
    let p0 = 0;
    let p1 = 0;
    for (let t = 0; t < d; t++) {
      const v = x[xo + t] - this.mean[t];
      p0 += v * c[t];
      p1 += v * c[d + t];
    }
    out[oo] = p0;
    out[oo + 1] = p1;
  }

  /** Plane coordinates of n rows (n x 2). */
  projectAll(x: Float32Array, n: number, out: Float32Array = new Float32Array(2 * n)): Float32Array {
    checkMatrix('pca project', x, n, this.dim);
    for (let i = 0; i < n; i++) this.project(x, i * this.dim, out, 2 * i);
    return out;
  }

  /** The input-space displacement for a drag (dx, dy) on the plane. */
  backProject(dx: number, dy: number, out: Float32Array = new Float32Array(this.dim)): Float32Array {
    const d = this.dim;
    for (let t = 0; t < d; t++) out[t] = dx * this.components[t] + dy * this.components[d + t];
    return out;
  }

  /** A point of the plane mapped back to input space (mean + x pc1 + y pc2). */
  unproject(px: number, py: number, out: Float32Array = new Float32Array(this.dim)): Float32Array {
    this.backProject(px, py, out);
    for (let t = 0; t < this.dim; t++) out[t] += this.mean[t];
    return out;
  }

  toState(): PcaState {
    return { dim: this.dim, mean: new Float32Array(this.mean), components: new Float32Array(this.components), variances: [...this.variances] };
  }

  static fromState(st: PcaState): Pca {
    const mean = toF32(st.mean, 'pca mean');
    const comps = toF32(st.components, 'pca components');
    if (mean.length !== st.dim || comps.length !== 2 * st.dim) throw new Error(`pca state: sizes do not match dimension ${st.dim}`);
    return new Pca(st.dim, Float32Array.from(mean), Float32Array.from(comps), [st.variances[0], st.variances[1]]);
  }
}

/** Subspace size: two components plus oversampling, so the iteration converges at the rate lambda_9 / lambda_2. */
const BLOCK = 8;

function gatherRows(x: Float32Array, idx: Int32Array, d: number): Float32Array {
  const out = new Float32Array(idx.length * d);
  for (let r = 0; r < idx.length; r++) out.set(x.subarray(idx[r] * d, idx[r] * d + d), r * d);
  return out;
}

/** Dot product of row r of a and row r of b (both 2 x d). */
function dotRows(a: Float64Array, b: Float64Array, r: number, d: number): number {
  let acc = 0;
  for (let t = 0; t < d; t++) acc += a[r * d + t] * b[r * d + t];
  return acc;
}

/**
 * Modified Gram-Schmidt (two passes) on the b columns of the d x b matrix v. A column that is (nearly)
 * dependent on the earlier ones is replaced by the first unit axis that is not.
 */
function orthonormalColumns(v: Float64Array, d: number, b: number): void {
  let axis = 0;
  for (let j = 0; j < b; j++) {
    let before = 0;
    for (let t = 0; t < d; t++) before += v[t * b + j] * v[t * b + j];
    for (;;) {
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < j; q++) {
          let pr = 0;
          for (let t = 0; t < d; t++) pr += v[t * b + q] * v[t * b + j];
          for (let t = 0; t < d; t++) v[t * b + j] -= pr * v[t * b + q];
        }
      }
      let nrm = 0;
      for (let t = 0; t < d; t++) nrm += v[t * b + j] * v[t * b + j];
      if (nrm > 1e-20 * before && nrm > 0) {
        const inv = 1 / Math.sqrt(nrm);
        for (let t = 0; t < d; t++) v[t * b + j] *= inv;
        break;
      }
      if (axis >= d) throw new Error('pca: cannot complete an orthonormal basis');
      for (let t = 0; t < d; t++) v[t * b + j] = t === axis ? 1 : 0;
      before = 1;
      axis++;
    }
  }
}

/** Deterministic sign: the entry of largest magnitude is positive. */
export function fixSign(c: Float32Array): void {
  let k = 0;
  for (let t = 1; t < c.length; t++) if (Math.abs(c[t]) > Math.abs(c[k])) k = t;
  if (c[k] < 0) for (let t = 0; t < c.length; t++) c[t] = -c[t];
}

