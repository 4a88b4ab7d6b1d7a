/**
 * Discriminator-free measures of how close generated points are to real ones (for the 2-D GAN).
 *  - energyDistance: 2 E|X - Y| - E|X - X'| - E|Y - Y'| (Székely), >= 0, 0 only when the distributions match;
 *    the plug-in estimate over all pairs (V-statistic), O(n m) distances.
 *  - slicedWasserstein: the mean over `projections` random directions of the 1-D Wasserstein-1 distance
 *    between the projected samples (equal counts: sorted values matched in order).
 * Points are row-major [n, dim] Float32Arrays.
 */
import { Rng } from '../core/rng.js';

function meanDistance(a: Float32Array, b: Float32Array, dim: number): number {
  const n = a.length / dim;
  const m = b.length / dim;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let d2 = 0;
      for (let k = 0; k < dim; k++) {
        const d = a[i * dim + k] - b[j * dim + k];
        d2 += d * d;
      }
      s += Math.sqrt(d2);
    }
  }
  return s / (n * m);
}

function checkPoints(name: string, a: Float32Array, b: Float32Array, dim: number): void {
  if (!Number.isInteger(dim) || dim < 1 || a.length % dim !== 0 || b.length % dim !== 0 || a.length === 0 || b.length === 0) {
    throw new Error(`${name}: needs non-empty point sets of ${dim} values per point, got ${a.length} and ${b.length} values`);
  }
}

export function energyDistance(x: Float32Array, y: Float32Array, dim = 2): number {
  checkPoints('energyDistance', x, y, dim);
  return Math.max(0, 2 * meanDistance(x, y, dim) - meanDistance(x, x, dim) - meanDistance(y, y, dim));
}

export function slicedWasserstein(x: Float32Array, y: Float32Array, dim = 2, projections = 64, seed = 1): number {
  checkPoints('slicedWasserstein', x, y, dim);
  const n = x.length / dim;
  if (y.length / dim !== n) throw new Error(`slicedWasserstein: needs equal counts, got ${n} and ${y.length / dim} points`);
  const rng = new Rng(seed);
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  const dir = new Float64Array(dim);
  let total = 0;
  for (let p = 0; p < projections; p++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += (dir[k] = rng.normal()) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n; i++) {
      let a = 0;
      let b = 0;
      for (let k = 0; k < dim; k++) {
        a += x[i * dim + k] * dir[k];
        b += y[i * dim + k] * dir[k];
      }
      px[i] = a / norm;
      py[i] = b / norm;
    }
    px.sort();
    py.sort();
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(px[i] - py[i]);
    total += s / n;
  }
  return total / projections;
}
