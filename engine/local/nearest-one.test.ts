import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { setKernelBackend, wasmActive } from '../kernels/backend.js';
import { rowSqDistancesWasm } from '../kernels/distanceWasm.js';
import { nearestRow, sqDist, sqNorms } from './distance.js';
import { OnlineKMeans } from './kmeans.js';
import { nearestOne } from './nearest.js';

function data(len: number, r: Rng, scale: number, offset: number): Float32Array {
  return Float32Array.from({ length: len }, () => offset + scale * r.normal());
}

const wasm = setKernelBackend('auto') === 'wasm';

test('rowSqDistances (WebAssembly) gives sqDist\'s doubles bit for bit: odd k and d, wide and offset data', { skip: !wasm && 'no WebAssembly SIMD here' }, () => {
  const h = wasmActive()!;
  const r = new Rng(21);
  let cases = 0;
  for (const k of [1, 2, 3, 7, 8, 9, 15, 17, 64, 65]) {
    for (const d of [1, 2, 3, 5, 31, 97, 784, 785]) {
      // Magnitudes that make every rounding count: values around 1, and a large common offset where the
      // squared differences are small and an accumulation in another order or precision would differ.
      for (const [scale, offset] of [[1, 0], [0.01, 100], [1000, -3]]) {
        const c = data(k * d, r, scale, offset);
        const x = data(d + 3, r, scale, offset);
        const out = new Float64Array(k);
        rowSqDistancesWasm(h, x, 3, c, k, d, out);
        const ref = Float64Array.from({ length: k }, (_, j) => sqDist(x, 3, c, j * d, d));
        assert.deepEqual(out, ref, `k=${k} d=${d} scale=${scale} offset=${offset}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 240);
});

test('nearestOne equals nearestRow and its sqDist on both backends, ties to the lowest index', () => {
  for (const backend of wasm ? (['wasm', 'ts'] as const) : (['ts'] as const)) {
    setKernelBackend(backend);
    try {
      const r = new Rng(22);
      for (const [k, d] of [[64, 784], [9, 129], [3, 401], [1, 1500], [2, 1]]) {
        const c = data(k * d, r, 1, 0);
        // Duplicates of prototype 0 at the end: a sample on them ties at 0 and goes to index 0.
        if (k > 2) c.copyWithin((k - 1) * d, 0, d);
        for (let s = 0; s < 20; s++) {
          const x = s === 0 ? c.slice(0, d) : data(d, r, 1, 0);
          const got = nearestOne(c, k, d, x, 0);
          const j = nearestRow(c, k, d, x, 0);
          assert.equal(got.index, j, `${backend} k=${k} d=${d} sample ${s}`);
          assert.ok(Object.is(got.score, sqDist(x, 0, c, j * d, d)), `${backend} score k=${k} d=${d} sample ${s}`);
        }
        assert.equal(nearestOne(c, k, d, c.slice(0, d), 0).index, 0);
      }
      assert.deepEqual(nearestOne(new Float32Array(0), 0, 4, new Float32Array(4), 0), { index: -1, score: Infinity });
    } finally {
      setKernelBackend('auto');
    }
  }
});

test('online k-means on the WebAssembly kernels and in TypeScript: the same centroids, counts and steps bit for bit', { skip: !wasm && 'no WebAssembly SIMD here' }, () => {
  const r = new Rng(23);
  const n = 600;
  const d = 97;
  const x = data(n * d, r, 1, 0.5);
  const run = (backend: 'wasm' | 'ts') => {
    setKernelBackend(backend);
    try {
      const m = new OnlineKMeans({ k: 13, dim: d, seed: 5 });
      m.init(x, n);
      const sq: number[] = [];
      for (let s = 0; s < 2 * n; s++) sq.push(m.step(x, n).sqDistance);
      return { c: Float32Array.from(m.prototypes.data), counts: [...m.counts], sq };
    } finally {
      setKernelBackend('auto');
    }
  };
  assert.deepEqual(run('wasm'), run('ts'));
});

test('sqNorms: each row summed in order in one double, four rows at a time or alone', () => {
  const r = new Rng(24);
  for (const [n, d] of [[1, 5], [4, 1], [7, 13], [9, 784]]) {
    const x = data(n * d, r, 10, 3);
    const ref = Float64Array.from({ length: n }, (_, i) => sqDist(x, i * d, new Float32Array(d), 0, d));
    assert.deepEqual(sqNorms(x, n, d), ref, `${n} x ${d}`);
  }
});
