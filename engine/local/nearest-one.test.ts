import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { setKernelBackend, wasmActive } from '../kernels/backend.js';
import { nearestOneScreenedWasm, rowSqDistancesWasm } from '../kernels/distanceWasm.js';
import { setKernelThreads } from '../kernels/wasm/threads.js';
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

/** The plain definition: nearestRow (sqDist to every row, lowest index on ties) and that row's sqDist. */
function plainNearest(c: Float32Array, k: number, d: number, x: Float32Array, xo: number): { index: number; score: number } {
  const index = nearestRow(c, k, d, x, xo);
  return { index, score: index < 0 ? Infinity : sqDist(x, xo, c, index * d, d) };
}

/** The next float32 after v toward +Infinity (dir 1) or -Infinity (dir -1). */
function ulpStep(v: number, dir: number): number {
  const b = new Float32Array([v]);
  const u = new Int32Array(b.buffer);
  if (v === 0) return dir * 2 ** -149;
  u[0] += (v > 0) === (dir > 0) ? 1 : -1;
  return b[0];
}

test('the float32 screen for one sample (WebAssembly) gives the plain nearest and its sqDist bit for bit, near ties included; not finite: no answer', { skip: !wasm && 'no WebAssembly SIMD here' }, () => {
  const h = wasmActive()!;
  const r = new Rng(25);
  let cases = 0;
  const check = (c: Float32Array, k: number, d: number, x: Float32Array, xo: number, what: string) => {
    const got = nearestOneScreenedWasm(h, x, xo, c, k, d);
    assert.ok(got, `${what}: screened`);
    const ref = plainNearest(c, k, d, x, xo);
    assert.equal(got.index, ref.index, `${what}: index`);
    assert.ok(Object.is(got.score, ref.score), `${what}: score ${got.score} against ${ref.score}`);
    cases++;
  };
  for (const k of [1, 3, 4, 5, 8, 67]) {
    for (const d of [1, 3, 4, 5, 31, 784, 785]) {
      for (const [scale, offset] of [[1, 0], [0.01, 100], [1e-20, 0]]) {
        const c = data(k * d, r, scale, offset);
        const x = data(d + 2, r, scale, offset);
        check(c, k, d, x, 2, `random k=${k} d=${d} scale=${scale}`);
        // Near ties: every prototype a copy of the first moved by one float32 step in a few places, so the
        // distances differ by far less than the screen's error; duplicates tie exactly (lowest index wins).
        const near = new Float32Array(k * d);
        for (let j = 0; j < k; j++) {
          near.set(c.subarray(0, d), j * d);
          if (j % 5 === 4) continue; // an exact duplicate of the first
          for (let m = 0; m < 3; m++) {
            const t = j * d + r.int(d);
            near[t] = ulpStep(near[t], r.next() < 0.5 ? -1 : 1);
          }
        }
        for (let s = 0; s < 4; s++) check(near, k, d, data(d, r, scale, offset), 0, `near ties k=${k} d=${d} scale=${scale} sample ${s}`);
        check(near, k, d, near.slice(0, d), 0, `on the first k=${k} d=${d}`);
      }
    }
  }
  // Subnormal differences (products that underflow in float32).
  const tiny = Float32Array.from({ length: 5 * 33 }, (_, i) => (i % 7) * 2 ** -140);
  check(tiny, 5, 33, tiny.slice(33, 66), 0, 'subnormal');
  assert.equal(cases, 6 * 7 * 3 * 6 + 1);
  // Not finite in float32 (overflow, infinity, NaN): no answer, for the exact pass over every prototype.
  const big = Float32Array.from({ length: 3 * 4 }, (_, i) => (i < 4 ? 3e38 : -3e38));
  assert.equal(nearestOneScreenedWasm(h, big.slice(0, 4), 0, big, 3, 4), null);
  const withNaN = data(2 * 9, r, 1, 0);
  withNaN[11] = NaN;
  assert.equal(nearestOneScreenedWasm(h, data(9, r, 1, 0), 0, withNaN, 2, 9), null);
  // Samples too long for the margins (d over 2^20): no answer either.
  const long = 2 ** 20 + 1;
  assert.equal(nearestOneScreenedWasm(h, new Float32Array(long), 0, new Float32Array(2 * long), 2, long), null);
  assert.ok(nearestOneScreenedWasm(h, new Float32Array(long - 1), 0, new Float32Array(2 * (long - 1)), 2, long - 1));
});

test('nearestOne on the kernels: many prototypes screened on one thread and split over two, the plain nearest either way', { skip: !wasm && 'no WebAssembly SIMD here' }, () => {
  const r = new Rng(26);
  const k = 403; // past the split threshold, with a last share of three
  const d = 201;
  const c = data(k * d, r, 1, 0);
  // Near ties across the two threads' shares: the last prototype a copy of the first moved by one step.
  c.set(c.subarray(0, d), (k - 1) * d);
  c[(k - 1) * d + 7] = ulpStep(c[(k - 1) * d + 7], 1);
  try {
    for (const threads of [1, 2, 3]) {
      setKernelThreads(threads);
      for (let s = 0; s < 6; s++) {
        const x = s === 0 ? c.slice(0, d) : s === 1 ? c.slice((k - 1) * d, k * d) : data(d, r, 1, 0);
        assert.deepEqual(nearestOne(c, k, d, x, 0), plainNearest(c, k, d, x, 0), `threads ${threads} sample ${s}`);
      }
    }
  } finally {
    setKernelThreads('auto');
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
