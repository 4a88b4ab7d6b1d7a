import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { inertiaFromSums } from './distance.js';
import { initIndices } from './kmeans-init.js';
import { OnlineKMeans } from './kmeans.js';

/** Two-dimensional blobs around the given centres. */
export function blobs(centres: number[][], per: number, spread: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const x = new Float32Array(centres.length * per * 2);
  let o = 0;
  for (let p = 0; p < per; p++) {
    for (const c of centres) {
      x[o++] = c[0] + spread * r.normal();
      x[o++] = c[1] + spread * r.normal();
    }
  }
  return x;
}

test('one online k-means step moves the nearest centroid by the rate', () => {
  const m = new OnlineKMeans({ k: 2, dim: 2, rate: 0.5 });
  m.addPrototype(Float32Array.of(0, 0));
  m.addPrototype(Float32Array.of(4, 4));
  // x = (1, 2): |x-c0|^2 = 1 + 4 = 5, |x-c1|^2 = 9 + 4 = 13 -> c0 wins;
  // c0 <- (0,0) + 0.5 ((1,2) - (0,0)) = (0.5, 1); moved by 0.5 * sqrt(5).
  const s = m.present(Float32Array.of(1, 2));
  assert.equal(s.winner, 0);
  assert.equal(s.sqDistance, 5);
  assert.deepEqual([...m.prototype(0)], [0.5, 1]);
  assert.deepEqual([...m.prototype(1)], [4, 4]);
  assert.equal(s.moved.length, 1);
  assert.ok(Math.abs(s.moved[0].distance - 0.5 * Math.sqrt(5)) < 1e-6);
});

test('count rate makes the centroid the running mean of the samples it won', () => {
  const m = new OnlineKMeans({ k: 1, dim: 1, rate: 'count' });
  m.addPrototype(Float32Array.of(100));
  // eta = 1, 1/2, 1/3: c = 3, then 3 + (5-3)/2 = 4, then 4 + (10-4)/3 = 6 = mean(3, 5, 10).
  for (const v of [3, 5, 10]) m.present(Float32Array.of(v));
  assert.equal(m.prototype(0)[0], 6);
  assert.deepEqual(m.counts, [3]);
});

test('k-means++ init is reproducible by seed and picks spread-out samples', () => {
  const x = blobs([[0, 0], [10, 0], [0, 10], [10, 10]], 50, 0.3, 3);
  const a = initIndices(x, 200, 2, 4, 'kmeans++', new Rng(7));
  const b = initIndices(x, 200, 2, 4, 'kmeans++', new Rng(7));
  const c = initIndices(x, 200, 2, 4, 'kmeans++', new Rng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  // samples are laid out blob by blob (i % 4 is the blob): k-means++ lands in 4 different blobs here.
  assert.equal(new Set([...a].map((i) => i % 4)).size, 4);
});

test('Lloyd inertia never increases and frozen centroids stay put', () => {
  const x = blobs([[0, 0], [6, 0], [3, 5]], 40, 1.0, 5);
  const m = new OnlineKMeans({ k: 3, dim: 2, init: 'random', seed: 11 });
  m.init(x, 120);
  m.prototypes.setFrozen(1, true);
  const frozen = m.prototype(1);
  const r = m.lloyd(x, 120, 8);
  assert.equal(r.inertia.length, 9);
  for (let t = 1; t < r.inertia.length; t++) assert.ok(r.inertia[t] <= r.inertia[t - 1] + 1e-9, `step ${t}`);
  assert.ok(r.inertia[8] < r.inertia[0]);
  assert.deepEqual(m.prototype(1), frozen);
  m.train(x, 120, 2);
  assert.deepEqual(m.prototype(1), frozen);
});

test('online training is reproducible by seed and resumes exactly from a state', () => {
  const x = blobs([[0, 0], [6, 0], [3, 5]], 30, 1.0, 9);
  const make = () => {
    const m = new OnlineKMeans({ k: 3, dim: 2, seed: 4, rate: 0.1 });
    m.init(x, 90);
    return m;
  };
  const a = make();
  for (let s = 0; s < 200; s++) a.step(x, 90);
  const b = make();
  for (let s = 0; s < 77; s++) b.step(x, 90); // stop mid-epoch
  const st = JSON.parse(JSON.stringify(b.toState(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
  const c = OnlineKMeans.fromState(st);
  for (let s = 77; s < 200; s++) c.step(x, 90);
  assert.deepEqual(c.prototypes.data, a.prototypes.data);
  assert.deepEqual(c.counts, a.counts);
  const d = make();
  for (let s = 0; s < 200; s++) d.step(x, 90);
  assert.deepEqual(d.prototypes.data, a.prototypes.data);
});

test('bad settings are refused with a reason', () => {
  assert.throws(() => new OnlineKMeans({ k: 0, dim: 2 }), /k-means k must be a positive integer/);
  assert.throws(() => new OnlineKMeans({ k: 2, dim: 2, rate: 2 }), /rate must be in/);
  const m = new OnlineKMeans({ k: 2, dim: 2 });
  assert.throws(() => m.present(Float32Array.of(1, 2)), /no centroids/);
  assert.throws(() => m.addPrototype(Float32Array.of(1)), /expected 2 values/);
});

test('inertiaFromSums: the sum of squared distances to the assigned centroids, from the cluster sums', () => {
  // By hand: x = 0, 2 (cluster 0 at 1) and 5 (cluster 1 at 4): 1 + 1 + 1.
  const hand = inertiaFromSums(0 + 4 + 25, Float32Array.of(1, 4), Float64Array.of(1, 16), 2, 1, Float64Array.of(2, 5), Float64Array.of(2, 1));
  assert.equal(hand, 3);
  const r = new Rng(5);
  const [n, k, d] = [500, 7, 30];
  const x = Float32Array.from({ length: n * d }, () => r.normal() + 3);
  const c = Float32Array.from({ length: k * d }, () => r.normal() + 3);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let exact = 0;
  let normTotal = 0;
  for (let i = 0; i < n; i++) {
    const a = (i * 3) % (k - 1); // centroid k - 1 has no samples
    counts[a]++;
    for (let t = 0; t < d; t++) {
      const v = x[i * d + t];
      sums[a * d + t] += v;
      exact += (v - c[a * d + t]) ** 2;
      normTotal += v * v;
    }
  }
  const cn = Float64Array.from({ length: k }, (_, j) => c.subarray(j * d, (j + 1) * d).reduce((s, v) => s + v * v, 0));
  const got = inertiaFromSums(normTotal, c, cn, k, d, sums, counts);
  assert.ok(Math.abs(got - exact) <= 1e-9 * exact, `${got} against ${exact}`);
});
