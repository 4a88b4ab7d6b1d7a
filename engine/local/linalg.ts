/** Small dense linear algebra in double precision for least-squares output layers. */

/** In-place Cholesky factorization of a symmetric positive definite p x p matrix (lower triangle L). */
export function cholesky(a: Float64Array, p: number): void {
  for (let j = 0; j < p; j++) {
    let s = a[j * p + j];
    for (let k = 0; k < j; k++) s -= a[j * p + k] * a[j * p + k];
    if (!(s > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${j} = ${s}); increase the ridge`);
    const l = Math.sqrt(s);
    a[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let t = a[i * p + j];
      for (let k = 0; k < j; k++) t -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = t / l;
    }
    for (let i = 0; i < j; i++) a[i * p + j] = 0;
  }
}

/** Solve L L^T X = B for m right-hand sides (B is p x m, overwritten by X). */
export function choleskySolve(l: Float64Array, p: number, b: Float64Array, m: number): void {
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < p; i++) {
      let s = b[i * m + c];
      for (let k = 0; k < i; k++) s -= l[i * p + k] * b[k * m + c];
      b[i * m + c] = s / l[i * p + i];
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = b[i * m + c];
      for (let k = i + 1; k < p; k++) s -= l[k * p + i] * b[k * m + c];
      b[i * m + c] = s / l[i * p + i];
    }
  }
}

/**
 * Ridge least squares: W = (A^T A + ridge I)^-1 A^T Y, with A given row by row (n rows of p values
 * written by `row(i, out)`) and Y n x m. Returns W, p x m.
 */
export function ridgeLeastSquares(
  n: number,
  p: number,
  row: (i: number, out: Float64Array) => void,
  y: Float32Array,
  m: number,
  ridge: number,
): Float64Array {
  if (!(ridge >= 0)) throw new Error(`ridge must be >= 0, got ${ridge}`);
  const g = new Float64Array(p * p);
  const b = new Float64Array(p * m);
  const a = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    row(i, a);
    for (let r = 0; r < p; r++) {
      const ar = a[r];
      if (ar === 0) continue;
      for (let c = 0; c <= r; c++) g[r * p + c] += ar * a[c];
      for (let c = 0; c < m; c++) b[r * m + c] += ar * y[i * m + c];
    }
  }
  for (let r = 0; r < p; r++) {
    for (let c = r + 1; c < p; c++) g[r * p + c] = g[c * p + r];
    g[r * p + r] += ridge;
  }
  cholesky(g, p);
  choleskySolve(g, p, b, m);
  return b;
}

/**
 * Eigen-decomposition of a symmetric p x p matrix (row-major, destroyed) by cyclic Jacobi rotations.
 * Returns the eigenvalues in decreasing order and the unit eigenvectors as the columns of `vectors`.
 */
export function symmetricEigen(a: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < p; i++) {
      diag += a[i * p + i] * a[i * p + i];
      for (let j = i + 1; j < p; j++) off += a[i * p + j] * a[i * p + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j];
        if (aij === 0) continue;
        // Rotation angle that zeroes a[i][j] (Golub and Van Loan, symmetric Schur).
        const tau = (a[j * p + j] - a[i * p + i]) / (2 * aij);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k * p + i];
          const akj = a[k * p + j];
          a[k * p + i] = c * aki - s * akj;
          a[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i * p + k];
          const ajk = a[j * p + k];
          a[i * p + k] = c * aik - s * ajk;
          a[j * p + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k * p + i];
          const vkj = v[k * p + j];
          v[k * p + i] = c * vki - s * vkj;
          v[k * p + j] = s * vki + c * vkj;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((i, j) => a[j * p + j] - a[i * p + i] || i - j);
  const values = Float64Array.from(order, (i) => a[i * p + i]);
  const vectors = new Float64Array(p * p);
  order.forEach((src, dst) => {
    for (let k = 0; k < p; k++) vectors[k * p + dst] = v[k * p + src];
  });
  return { values, vectors };
}
