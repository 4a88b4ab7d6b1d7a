/**
 * The nearest-prototype bench line (k-means, SOM and the other local models): 784-dimensional squared
 * distances evaluated per second by a full pass of engine/local/nearest.ts (4,096 samples against 64
 * prototypes), printed as `nearest-784d locus dist_per_s=<wall> cpu_dist_per_s=<CPU time>`.
 */
import { Rng } from '../core/rng.js';
import { nearestAll } from '../local/nearest.js';
import { measureRates, type Rates } from './timing.js';

export function distanceRates(runs: number): Rates {
  const n = 4096;
  const k = 64;
  const d = 784;
  const rng = new Rng(5);
  const x = new Float32Array(n * d).map(() => rng.next());
  const c = new Float32Array(k * d).map(() => rng.next());
  const norms = (a: Float32Array, rows: number) => {
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += a[i * d + t] * a[i * d + t];
      out[i] = s;
    }
    return out;
  };
  const xn = norms(x, n);
  const cn = norms(c, k);
  const out = { labels: new Int32Array(n), scores: new Float64Array(n) };
  // One call evaluates n * k distances: count them as the "batch".
  return measureRates(() => nearestAll(x, xn, n, c, cn, k, d, out), n * k, runs);
}
