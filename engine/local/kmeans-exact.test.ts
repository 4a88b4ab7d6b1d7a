import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { setKernelBackend } from '../kernels/backend.js';
import { argmin, rowDistances, sqNorms } from './distance.js';
import { OnlineKMeans } from './kmeans.js';

/** Lloyd by the plain definition: every distance by rowDistances, argmin (lowest index on ties), sums in sample order. */
function reference(x: Float32Array, n: number, d: number, start: Float32Array, k: number, iterations: number) {
  const c = Float32Array.from(start);
  const xn = sqNorms(x, n, d);
  const row = new Float64Array(k);
  const inertia: number[] = [];
  const labels = new Int32Array(n);
  for (let it = 0; it <= iterations; it++) {
    const cn = sqNorms(c, k, d);
    let s = 0;
    for (let i = 0; i < n; i++) {
      rowDistances(x, i * d, xn[i], c, cn, k, d, row);
      labels[i] = argmin(row, k);
      s += row[labels[i]];
    }
    inertia.push(s);
    if (it === iterations) break;
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const j = labels[i];
      counts[j]++;
      for (let t = 0; t < d; t++) sums[j * d + t] += x[i * d + t];
    }
    for (let j = 0; j < k; j++) if (counts[j] > 0) for (let t = 0; t < d; t++) c[j * d + t] = sums[j * d + t] / counts[j];
  }
  return { c, inertia, labels };
}

test('Lloyd iterations equal the plain definition bit for bit (centroids, inertia, labels; both kernel backends)', () => {
  for (const backend of ['ts', 'wasm'] as const) {
    try {
      if (setKernelBackend(backend) !== backend) continue;
    } catch {
      continue;
    }
    try {
      const r = new Rng(31);
      for (const [n, k, d] of [[3000, 9, 13], [5000, 64, 37], [700, 5, 6]]) {
        const x = Float32Array.from({ length: n * d }, () => r.normal() + (r.next() < 0.5 ? 2 : -1));
        const m = new OnlineKMeans({ k, dim: d, init: 'random', seed: 2 });
        m.init(x, n);
        const start = Float32Array.from(m.prototypes.data);
        const got = m.lloyd(x, n, 3);
        const ref = reference(x, n, d, start, k, 3);
        const what = `${backend} n=${n} k=${k} d=${d}`;
        assert.deepEqual(Float32Array.from(m.prototypes.data), ref.c, `${what}: centroids`);
        assert.deepEqual(got.inertia, ref.inertia, `${what}: inertia`);
        assert.deepEqual(m.assign(x, n), ref.labels, `${what}: labels`);
      }
    } finally {
      setKernelBackend('auto');
    }
  }
});
