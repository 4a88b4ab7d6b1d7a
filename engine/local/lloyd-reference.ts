/**
 * Lloyd by the plain definition: every distance by rowDistances, argmin (lowest index on ties), sums in
 * sample order; frozen and empty centroids stay put. The reference the screened and bounded passes of
 * OnlineKMeans.lloyd are tested against, bit for bit. Not used by the app.
 */
import { argmin, inertiaFromSums, rowDistances, sqNorms } from './distance.js';

/**
 * The centroids after `iterations`, the inertia of every pass (the last's from the scores, the others' from
 * the cluster sums: inertiaFromSums) and the labels of every pass.
 */
export function lloydReference(x: Float32Array, n: number, d: number, start: Float32Array, k: number, iterations: number, frozen: ReadonlySet<number> = new Set()) {
  const c = Float32Array.from(start);
  const xn = sqNorms(x, n, d);
  let normTotal = 0;
  for (let i = 0; i < n; i++) normTotal += xn[i];
  const row = new Float64Array(k);
  const inertia: number[] = [];
  const labels: Int32Array[] = [];
  for (let it = 0; it <= iterations; it++) {
    const cn = sqNorms(c, k, d);
    const lab = new Int32Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      rowDistances(x, i * d, xn[i], c, cn, k, d, row);
      lab[i] = argmin(row, k);
      s += row[lab[i]];
    }
    labels.push(lab);
    if (it === iterations) {
      inertia.push(s);
      break;
    }
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const j = lab[i];
      counts[j]++;
      for (let t = 0; t < d; t++) sums[j * d + t] += x[i * d + t];
    }
    // A pass before the last: the inertia from the cluster sums (as OnlineKMeans.lloyd reports it).
    inertia.push(inertiaFromSums(normTotal, c, cn, k, d, sums, counts));
    for (let j = 0; j < k; j++) if (counts[j] > 0 && !frozen.has(j)) for (let t = 0; t < d; t++) c[j * d + t] = sums[j * d + t] / counts[j];
  }
  return { c, inertia, labels };
}
