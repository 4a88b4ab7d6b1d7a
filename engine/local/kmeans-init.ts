/**
 * Initial centroids for k-means: k distinct random samples, or k-means++ (Arthur and Vassilvitskii
 * 2007: the first centre uniform, each next one drawn with probability proportional to the squared
 * distance to the nearest centre chosen so far). Greedy k-means++ (as scikit-learn's KMeans, after
 * Arthur and Vassilvitskii's section 6) draws `trials` candidates that way for each next centre and keeps
 * the one that lowers the total squared distance most; scikit-learn uses 2 + floor(ln k) trials.
 */
import type { Rng } from '../core/rng.js';
import { checkMatrix, columnDistances, sqNorms } from './distance.js';

export type KMeansInit = 'random' | 'kmeans++';

/** The number of candidates per centre scikit-learn's greedy k-means++ draws. */
export function greedyTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/** Indices of the k samples chosen as initial centroids (`trials` > 1: greedy k-means++). */
export function initIndices(x: Float32Array, n: number, d: number, k: number, how: KMeansInit, rng: Rng, trials = 1): Int32Array {
  checkMatrix('k-means init', x, n, d);
  if (k > n) throw new Error(`k-means init: k = ${k} centroids need at least ${k} samples, got ${n}`);
  if (how === 'random') return rng.permutation(n).slice(0, k);
  if (how !== 'kmeans++') throw new Error(`k-means init: unknown method "${String(how)}" (random, kmeans++)`);
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`k-means++ trials must be a positive integer, got ${trials}`);
  const out = new Int32Array(k);
  const xn = sqNorms(x, n, d);
  const best = new Float64Array(n).fill(Infinity);
  const col = new Float64Array(n);
  const cand = new Float64Array(n);
  const bestCand = new Float64Array(n);
  out[0] = rng.int(n);
  columnDistances(x, xn, n, x, out[0] * d, xn[out[0]], d, col);
  let total = 0;
  for (let i = 0; i < n; i++) total += best[i] = col[i];
  for (let c = 1; c < k; c++) {
    if (!(total > 0)) {
      // Every sample sits on a chosen centre: take the first sample not chosen yet.
      const chosen = new Set(out.subarray(0, c));
      let i = 0;
      while (chosen.has(i)) i++;
      out[c] = i;
      continue;
    }
    let pick = -1;
    let pickTotal = Infinity;
    for (let tr = 0; tr < trials; tr++) {
      const i = drawByWeight(best, total, rng);
      columnDistances(x, xn, n, x, i * d, xn[i], d, col);
      let s = 0;
      for (let q = 0; q < n; q++) s += cand[q] = col[q] < best[q] ? col[q] : best[q];
      if (s < pickTotal) {
        pick = i;
        pickTotal = s;
        bestCand.set(cand);
      }
    }
    out[c] = pick;
    best.set(bestCand);
    total = pickTotal;
  }
  return out;
}

/** A sample drawn with probability w[i] / total (rounding can leave r >= 0 after the last one). */
function drawByWeight(w: Float64Array, total: number, rng: Rng): number {
  let r = rng.next() * total;
  let lastPositive = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] > 0) lastPositive = i;
    r -= w[i];
    if (r < 0) return i;
  }
  return lastPositive;
}
