/**
 * Initial centroids for k-means: k distinct random samples, or k-means++ (Arthur and Vassilvitskii
 * 2007: the first centre uniform, each next one drawn with probability proportional to the squared
 * distance to the nearest centre chosen so far).
 */
import type { Rng } from '../core/rng.js';
import { checkMatrix, columnDistances, sqNorms } from './distance.js';

export type KMeansInit = 'random' | 'kmeans++';

/** Indices of the k samples chosen as initial centroids. */
export function initIndices(x: Float32Array, n: number, d: number, k: number, how: KMeansInit, rng: Rng): Int32Array {
  checkMatrix('k-means init', x, n, d);
  if (k > n) throw new Error(`k-means init: k = ${k} centroids need at least ${k} samples, got ${n}`);
  if (how === 'random') return rng.permutation(n).slice(0, k);
  if (how !== 'kmeans++') throw new Error(`k-means init: unknown method "${String(how)}" (random, kmeans++)`);
  const out = new Int32Array(k);
  const xn = sqNorms(x, n, d);
  const best = new Float64Array(n).fill(Infinity);
  const col = new Float64Array(n);
  out[0] = rng.int(n);
  for (let c = 1; c <= k; c++) {
    const j = out[c - 1];
    columnDistances(x, xn, n, x, j * d, xn[j], d, col);
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (col[i] < best[i]) best[i] = col[i];
      total += best[i];
    }
    if (c === k) break;
    if (!(total > 0)) {
      // Every sample sits on a chosen centre: take the first sample not chosen yet.
      const chosen = new Set(out.subarray(0, c));
      let i = 0;
      while (chosen.has(i)) i++;
      out[c] = i;
      continue;
    }
    let r = rng.next() * total;
    let pick = -1;
    let lastPositive = 0;
    for (let i = 0; i < n; i++) {
      if (best[i] > 0) lastPositive = i;
      r -= best[i];
      if (r < 0) {
        pick = i;
        break;
      }
    }
    out[c] = pick < 0 ? lastPositive : pick; // rounding can leave r >= 0 after the last sample
  }
  return out;
}
