import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { setKernelBackend, wasmActive } from '../kernels/backend.js';
import { normsCodesWasm, PartialSums, type ScreenCodes } from '../kernels/distanceWasm.js';
import { selfOwnedF64, selfOwnedZeros } from '../kernels/resident.js';
import { put, reserve, resetHeap, residentOffset, wasmHeap } from '../kernels/wasm/runtime.js';
import { setKernelThreads, wantedThreads } from '../kernels/wasm/threads.js';
import { rowDistances, sqNorms } from './distance.js';
import { addRows } from './lloyd-bounds.js';
import { onOneAndTwoThreads } from '../testing/backends.js';
import { centroidCodes, nearestAll, nearestPlain, nearestScreened } from './nearest.js';

function data(n: number, d: number, r: Rng, scale = 1, offset = 0): Float32Array {
  return Float32Array.from({ length: n * d }, () => offset + scale * r.next());
}

/** Best two (score, index) pairs of each row by the plain row kernel, the definition nearestAll must match. */
function plainTwo(x: Float32Array, n: number, c: Float32Array, k: number, d: number) {
  const xn = sqNorms(x, n, d);
  const cn = sqNorms(c, k, d);
  const row = new Float64Array(k);
  const out = { l1: new Int32Array(n), s1: new Float64Array(n), l2: new Int32Array(n), s2: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    rowDistances(x, i * d, xn[i], c, cn, k, d, row);
    const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => row[a] - row[b] || a - b);
    out.l1[i] = order[0];
    out.s1[i] = row[order[0]];
    out.l2[i] = k > 1 ? order[1] : -1;
    out.s2[i] = k > 1 ? row[order[1]] : Infinity;
  }
  return out;
}

function check(x: Float32Array, n: number, c: Float32Array, k: number, d: number, what: string): void {
  const xn = sqNorms(x, n, d);
  const cn = sqNorms(c, k, d);
  const got = { labels: new Int32Array(n), scores: new Float64Array(n), second: { labels: new Int32Array(n), scores: new Float64Array(n) } };
  nearestScreened(x, xn, n, c, cn, k, d, got);
  const ref = { labels: new Int32Array(n), scores: new Float64Array(n), second: { labels: new Int32Array(n), scores: new Float64Array(n) } };
  nearestPlain(x, xn, n, c, cn, k, d, ref);
  assert.deepEqual(got, ref, `${what}: screened equals plain, bit for bit`);
  // And both equal the definition: each row's smallest (score, index) pairs from the row kernel.
  const two = plainTwo(x, n, c, k, d);
  assert.deepEqual(ref.labels, two.l1, `${what}: labels`);
  assert.deepEqual(ref.scores, two.s1, `${what}: scores`);
  assert.deepEqual(ref.second.labels, two.l2, `${what}: second labels`);
  assert.deepEqual(ref.second.scores, two.s2, `${what}: second scores`);
}

// The screen's bound holds for any float32 GEMM (TypeScript or WebAssembly SIMD): test both that load.
const backends = (['ts', 'wasm'] as const).filter((b) => {
  try {
    return setKernelBackend(b) === b;
  } catch {
    return false;
  }
});
setKernelBackend('auto');

for (const backend of backends) {
  test(`the GEMM-screened pass equals the plain loops bit for bit (random, wide, offset data; ${backend} GEMM)`, () => {
    setKernelBackend(backend);
    try {
      screened();
    } finally {
      setKernelBackend('auto');
    }
  });
}

test('the screened pass split over two kernel threads (GEMM, screen and rescoring per share of rows) equals the plain loops', (t) => {
  if (!wasmActive()) return t.skip('the WebAssembly kernels do not load here');
  const before = wantedThreads();
  try {
    setKernelThreads(2);
    screened();
  } finally {
    setKernelThreads(before);
  }
});

test('lower bounds: at most the exact score (equal where rescored), and lowerSlack subtracts rel * (|x|^2 + base) from each', () => {
  for (const backend of backends) {
    setKernelBackend(backend);
    try {
      const r = new Rng(21);
      for (const [n, k, d] of [[700, 16, 33], [2100, 64, 20], [9, 3, 784]]) {
        const x = data(n, d, r);
        const c = data(k, d, r);
        const xn = sqNorms(x, n, d);
        const cn = sqNorms(c, k, d);
        const out = () => ({ labels: new Int32Array(n), scores: new Float64Array(n), lower: new Float64Array(n * k) });
        const plain = out();
        nearestScreened(x, xn, n, c, cn, k, d, plain);
        const slack = { rel: 3.5e-13, base: 17.25 };
        const slacked = { ...out(), lowerSlack: slack };
        nearestScreened(x, xn, n, c, cn, k, d, slacked);
        // Bounds asked for in the kernel memory (on the kernels) are written where they are, block by block.
        const placed = { labels: new Int32Array(n), scores: new Float64Array(n), lower: selfOwnedF64(n * k), lowerSlack: slack };
        const h = wasmActive();
        if (h && n * k >= 512) assert.ok(residentOffset(h, placed.lower) >= 0, 'resident bounds');
        nearestScreened(x, xn, n, c, cn, k, d, placed);
        assert.ok(placed.lower.every((v, q) => Object.is(v, slacked.lower[q])), `${backend} ${n}x${k}x${d}: bounds in place`);
        const row = new Float64Array(k);
        for (let i = 0; i < n; i++) {
          rowDistances(x, i * d, xn[i], c, cn, k, d, row);
          const eps = slack.rel * (xn[i] + slack.base);
          for (let j = 0; j < k; j++) {
            const lo = plain.lower[i * k + j];
            assert.ok(lo <= row[j], `${backend} ${n}x${k}x${d}: bound ${lo} above score ${row[j]}`);
            if (j === plain.labels[i]) assert.equal(lo, row[j], `${backend}: the winner's bound is its exact score`);
            assert.ok(Object.is(slacked.lower[i * k + j], lo - eps), `${backend} ${n}x${k}x${d}: slack at ${i},${j}`);
          }
        }
        // The plain loops honour lowerSlack the same way.
        const ref = { ...out(), lowerSlack: slack };
        nearestPlain(x, xn, n, c, cn, k, d, ref);
        for (let q = 0; q < n * k; q++) {
          const i = Math.floor(q / k);
          rowDistances(x, i * d, xn[i], c, cn, k, d, row);
          assert.ok(Object.is(ref.lower[q], row[q % k] - slack.rel * (xn[i] + slack.base)), `plain slack at ${q}`);
        }
      }
    } finally {
      setKernelBackend('auto');
    }
  }
});

test('labelsOnly (wasm): the same labels, a sample with one candidate unrescored (score NaN, bound from the screen), the others exact', (t) => {
  if (!backends.includes('wasm')) return t.skip('the WebAssembly kernels do not load here');
  setKernelBackend('wasm');
  try {
    const r = new Rng(23);
    // Clustered samples (most with one candidate) and samples half-way between two prototypes (more).
    for (const [n, k, d] of [[2100, 64, 20], [700, 9, 784]]) {
      const c = data(k, d, r, 4);
      const x = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const a = i % k;
        const b = (i * 7) % k;
        for (let q = 0; q < d; q++) x[i * d + q] = i % 5 === 0 ? (c[a * d + q] + c[b * d + q]) / 2 : c[a * d + q] + 0.3 * r.normal();
      }
      const xn = sqNorms(x, n, d);
      const cn = sqNorms(c, k, d);
      const out = () => ({ labels: new Int32Array(n), scores: new Float64Array(n), lower: new Float64Array(n * k) });
      const exact = out();
      nearestScreened(x, xn, n, c, cn, k, d, exact);
      const quick = { ...out(), labelsOnly: true };
      nearestScreened(x, xn, n, c, cn, k, d, quick);
      assert.deepEqual(quick.labels, exact.labels, `${n}x${k}x${d}: labels`);
      let unscored = 0;
      const row = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        rowDistances(x, i * d, xn[i], c, cn, k, d, row);
        const a = quick.labels[i];
        if (Number.isNaN(quick.scores[i])) {
          unscored++;
          // Its bound is the screen's, below its exact score, and no other prototype's bound reaches that.
          assert.ok(quick.lower[i * k + a] <= row[a]);
          for (let j = 0; j < k; j++) if (j !== a) assert.ok(quick.lower[i * k + j] > row[a], `${n}x${k}x${d}: sample ${i} had a rival`);
        } else assert.equal(quick.scores[i], exact.scores[i], `${n}x${k}x${d}: score ${i}`);
        for (let j = 0; j < k; j++) if (j !== a) assert.equal(quick.lower[i * k + j], exact.lower[i * k + j]);
      }
      assert.ok(unscored > n / 2 && unscored < n, `${n}x${k}x${d}: ${unscored} of ${n} unscored`);
    }
  } finally {
    setKernelBackend('auto');
  }
});

function screened(): void {
  const r = new Rng(11);
  for (const [n, k, d] of [[300, 7, 3], [517, 20, 97], [260, 64, 784], [5, 1, 4], [3, 2, 1]]) {
    const x = data(n, d, r);
    const c = data(k, d, r);
    check(x, n, c, k, d, `${n}x${k}x${d}`);
  }
  // Large common offset: distances are small differences of big norms, where the float32 product is
  // least accurate relative to the gaps; the screen must still pick exactly.
  const x = data(400, 50, r, 0.01, 100);
  const c = data(30, 50, r, 0.01, 100);
  check(x, 400, c, 30, 50, 'offset');
}

test('ties and duplicates go to the lowest index, samples sitting on prototypes score 0', () => {
  const r = new Rng(12);
  const d = 16;
  const c = data(10, d, r);
  const k = 14;
  const cc = new Float32Array(k * d);
  cc.set(c);
  cc.set(c.subarray(3 * d, 4 * d), 10 * d); // duplicate of 3
  cc.set(c.subarray(0, d), 11 * d); // duplicate of 0
  cc.set(c.subarray(0, d), 12 * d);
  cc.set(c.subarray(7 * d, 8 * d), 13 * d);
  const n = 200;
  const x = data(n, d, r);
  for (let i = 0; i < 40; i++) x.set(cc.subarray((i % k) * d, (i % k + 1) * d), i * d); // exactly on prototypes
  check(x, n, cc, k, d, 'ties');
  const labels = new Int32Array(n);
  const scores = new Float64Array(n);
  nearestAll(x, sqNorms(x, n, d), n, cc, sqNorms(cc, k, d), k, d, { labels, scores });
  assert.equal(labels[10], 3, 'a duplicate loses to the lower index');
  assert.equal(scores[10], 0);
  assert.equal(labels[11], 0);
});

test('no prototypes: every sample unassigned (both passes)', () => {
  for (const pass of [nearestScreened, nearestPlain]) {
    const labels = new Int32Array(3);
    const scores = new Float64Array(3);
    pass(new Float32Array(6), new Float64Array(3), 3, new Float32Array(0), new Float64Array(0), 0, 2, { labels, scores });
    assert.deepEqual([...labels], [-1, -1, -1]);
    assert.deepEqual([...scores], [Infinity, Infinity, Infinity]);
  }
});

test('several GEMM blocks and near ties: centroids one float32 step apart, samples half-way between them', () => {
  for (const backend of backends) {
    setKernelBackend(backend);
    try {
      const r = new Rng(13);
      const d = 40;
      const k = 64; // 2,048 samples per block: 5,000 samples make three blocks, the last one short
      const c = data(k, d, r);
      // Prototypes 40..63 are copies of 0..23 nudged by one float32 step in one or two coordinates.
      for (let j = 40; j < k; j++) {
        c.copyWithin(j * d, (j - 40) * d, (j - 39) * d);
        const t = j % d;
        c[j * d + t] = Math.fround(c[j * d + t] * (1 + 2 ** -23));
        if (j % 3 === 0) c[j * d + ((t + 7) % d)] = Math.fround(c[j * d + ((t + 7) % d)] * (1 - 2 ** -24));
      }
      const n = 5000;
      const x = data(n, d, r);
      // A third of the samples sit on a prototype or between a prototype and its nudged copy.
      for (let i = 0; i < n; i += 3) {
        const j = 40 + (i % 24);
        for (let t = 0; t < d; t++) x[i * d + t] = i % 2 ? c[j * d + t] : Math.fround((c[j * d + t] + c[(j - 40) * d + t]) / 2);
      }
      check(x, n, c, k, d, `near ties (${backend} GEMM)`);
    } finally {
      setKernelBackend('auto');
    }
  }
});

test('partial sums (wasm, 1 and 2 threads): every row added to its new label\'s sums, and the smallest nonzero and largest magnitudes seen, lanes and tail alike', (t) => {
  const ran = onOneAndTwoThreads((h, threads) => {
    // d = 13: one vector step of eight values and a tail of five. Small integers and halves (every sum
    // exact, so any order gives the sample-order doubles); n x k x d above the two-thread split.
    const r = new Rng(12);
    const n = 1100;
    const d = 13;
    const k = 6;
    const x = selfOwnedZeros(n * d, 'data');
    for (let i = 0; i < x.length; i++) x[i] = (Math.floor(r.next() * 41) - 20) / 2;
    x[7 * d + 3] = -0;
    x[300 * d + 11] = 2 ** -20; // smallest nonzero, in the tail
    x[900 * d + 6] = -300; // largest, in a lane
    const c = x.slice(0, k * d);
    const ps: PartialSums = PartialSums.make(h, k, d)!;
    assert.ok(ps, 'made in the kernel memory');
    ps.reset();
    const labels = new Int32Array(n);
    nearestAll(x, sqNorms(x, n, d), n, c, sqNorms(c, k, d), k, d, { labels, scores: new Float64Array(n), partials: ps });
    const want = new Float64Array(k * d);
    addRows(want, x, 0, n, d, labels);
    const got = new Float64Array(k * d);
    ps.total(got);
    assert.ok(got.every((v, q) => Object.is(v, want[q])), `${threads} threads: sums`);
    assert.deepEqual(ps.magnitudes(), { minNonzero: 2 ** -20, maxAbs: 300 });
    // reset forgets them; a value that is not finite shows as NaN.
    ps.reset();
    assert.deepEqual(ps.magnitudes(), { minNonzero: Infinity, maxAbs: 0 });
    x[500 * d + 12] = Infinity;
    nearestAll(x, sqNorms(x, n, d), n, c, sqNorms(c, k, d), k, d, { labels, scores: new Float64Array(n), partials: ps });
    assert.ok(Number.isNaN(ps.magnitudes().maxAbs), `${threads} threads: infinity`);
  });
  if (!ran) t.skip('the WebAssembly kernels do not load here');
});

test('partial sums need the kernels: asked for without them, nearestAll refuses', () => {
  const h = wasmActive();
  if (!h) return;
  const ps: PartialSums = PartialSums.make(h, 2, 3)!;
  setKernelBackend('ts');
  try {
    const x = Float32Array.from([0, 1, 2, 3, 4, 5]);
    assert.throws(() => nearestAll(x, sqNorms(x, 2, 3), 2, x, sqNorms(x, 2, 3), 2, 3, { labels: new Int32Array(2), scores: new Float64Array(2), partials: ps }), /need the WebAssembly kernels/);
  } finally {
    setKernelBackend('auto');
  }
});

test('pixel codes (wasm, 1 and 2 threads): an integer nearest 255 x, an error bound at least twice the true error, Infinity for values outside [0, 1]; the norms are sqNorms\'s', (t) => {
  const ran = onOneAndTwoThreads((h, threads) => {
    const r = new Rng(5);
    const n = 300;
    const d = 263; // a tail of three values after the vectors of four
    const x = selfOwnedZeros(n * d, 'data');
    for (let i = 0; i < n * d; i++) x[i] = Math.floor(r.next() * 256) / 255;
    // Rows 1-3 off the grid by various amounts; rows 4-6 with a value out of range (in a vector, in the tail, NaN).
    for (let t = 0; t < d; t++) x[d + t] = r.next();
    x[2 * d + 7] += 1e-3;
    x[3 * d + 261] = 0.5 + 2 ** -30;
    x[4 * d + 5] = 1.0000001;
    x[5 * d + 262] = -1e-9;
    x[6 * d + 100] = NaN;
    const room = selfOwnedZeros(Math.ceil((n * d) / 4), 'data');
    const q = new Uint8Array(room.buffer, room.byteOffset, n * d);
    const err = selfOwnedF64(512).subarray(0, n); // 512 doubles at least: smaller arrays stay ordinary ones
    const norms = new Float64Array(n);
    assert.ok(normsCodesWasm(h, x, n, d, norms, q, err), 'resident operands');
    const want = sqNorms(x, n, d);
    assert.ok(norms.every((v, i) => Object.is(v, want[i])), `${threads} threads: norms`);
    for (let i = 0; i < n; i++) {
      if (i >= 4 && i <= 6) {
        assert.equal(err[i], Infinity, `row ${i}`);
        continue;
      }
      let e2 = 0;
      for (let t = 0; t < d; t++) {
        const v = x[i * d + t];
        assert.ok(Math.abs(q[i * d + t] - 255 * v) <= 0.5 + 2 ** -16, `${threads} threads: code ${i},${t}: ${q[i * d + t]} for ${255 * v}`);
        const e = v - q[i * d + t] / 255;
        e2 += e * e;
      }
      assert.ok(err[i] >= 2 * Math.sqrt(e2), `${threads} threads: row ${i}: bound ${err[i]} below ${2 * Math.sqrt(e2)}`);
      if (i === 0 || i > 6) assert.ok(err[i] < 2 ** -12, `row ${i} on the grid: ${err[i]}`);
    }
  });
  if (!ran) t.skip('the WebAssembly kernels do not load here');
});

test('the integer screen (pixel codes x i16 centroid codes) equals the plain loops bit for bit and keeps every bound below the exact score; without its error terms it does not (the test can fail)', (t) => {
  const ran = onOneAndTwoThreads((h, threads) => {
    const r = new Rng(9);
    // d odd (a zero-padded last pair), k not a multiple of 8, more than one GEMM block of rows.
    const n = 2500;
    const d = 101;
    const k = 61;
    const x = selfOwnedZeros(n * d, 'data');
    for (let i = 0; i < n * d; i++) x[i] = Math.floor(r.next() * 256) / 255;
    // Every tenth row off the grid (its error bound then counts).
    for (let i = 0; i < n; i += 10) for (let t = 0; t < d; t++) x[i * d + t] = r.next();
    const c = new Float32Array(k * d);
    for (let j = 0; j < k; j++) {
      const a = Math.floor(r.next() * n);
      for (let t = 0; t < d; t++) c[j * d + t] = j === 3 ? 0 : j === 4 ? -0.25 + x[a * d + t] : (x[a * d + t] + x[((a + 1) % n) * d + t]) / 2;
    }
    // Near ties: prototype 60 is prototype 59 moved by a float32 step.
    for (let t = 0; t < d; t++) c[60 * d + t] = Math.fround(c[59 * d + t] * (1 + 2 ** -23));
    const xn = sqNorms(x, n, d);
    const cn = sqNorms(c, k, d);
    const room = selfOwnedZeros(Math.ceil((n * d) / 4), 'data');
    const q = new Uint8Array(room.buffer, room.byteOffset, n * d);
    const xErr = selfOwnedF64(n);
    assert.ok(normsCodesWasm(h, x, n, d, new Float64Array(n), q, xErr));
    const cc = centroidCodes(c, k, d)!;
    assert.ok(cc, 'codes for 101 values');
    const ref = plainTwo(x, n, c, k, d);
    const run = (codes: ScreenCodes) => {
      const out = { labels: new Int32Array(n), scores: new Float64Array(n), lower: new Float64Array(n * k) };
      nearestAll(x, xn, n, c, cn, k, d, { ...out, codes });
      return out;
    };
    const got = run({ x: q, xErr, ...cc });
    assert.deepEqual([...got.labels], [...ref.l1], `${threads} threads: labels`);
    assert.ok(got.scores.every((v, i) => Object.is(v, ref.s1[i])), `${threads} threads: scores`);
    const row = new Float64Array(k);
    // Without the prototypes' error terms, or without the samples', some bounds are above their scores.
    const noC = run({ x: q, xErr, ...cc, cErr: new Float64Array(k) });
    const noX = run({ x: q, xErr: new Float64Array(n), ...cc });
    let aboveC = 0;
    let aboveX = 0;
    for (let i = 0; i < n; i++) {
      rowDistances(x, i * d, xn[i], c, cn, k, d, row);
      for (let j = 0; j < k; j++) {
        assert.ok(got.lower[i * k + j] <= row[j], `${threads} threads: bound above the score at ${i},${j}`);
        if (noC.lower[i * k + j] > row[j]) aboveC++;
        if (noX.lower[i * k + j] > row[j]) aboveX++;
      }
    }
    assert.ok(aboveC > 0 && aboveX > 0, `without the error terms some bounds are above their scores (${aboveC}, ${aboveX})`);
  });
  if (!ran) t.skip('the WebAssembly kernels do not load here');
});

test('centroidCodes: none for samples too long for exact 32-bit sums, none for prototypes that are not finite', () => {
  assert.ok(centroidCodes(new Float32Array(64 * 784).fill(0.5), 64, 784));
  assert.ok(centroidCodes(new Float32Array(4 * 8224), 4, 8224), 'the largest codes 1,024');
  assert.equal(centroidCodes(new Float32Array(4 * 8300), 4, 8300), null);
  const c = new Float32Array(2 * 10).fill(0.1);
  c[13] = Infinity;
  assert.equal(centroidCodes(c, 2, 10), null);
  const z = centroidCodes(new Float32Array(3 * 5), 3, 5)!;
  assert.deepEqual([...z.scale], [0, 0, 0]);
  assert.deepEqual([...z.cErr], [0, 0, 0]);
});

test('norms and pixel codes come in chunks of rows from a counter: thread 0 of 2 alone takes every chunk, a late thread none', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('the WebAssembly kernels do not load here');
  const r = new Rng(6);
  const n = 1000; // four chunks of 256 rows, the last short
  const d = 20;
  const x = Float32Array.from({ length: n * d }, () => Math.floor(r.next() * 256) / 255);
  const want = sqNorms(x, n, d);
  resetHeap(h);
  const px = reserve(h, n * d);
  put(h, px, x, 0, n * d);
  const pa = reserve(h, n);
  const rowsAt = new Int32Array(h.f32.buffer, pa, n);
  for (let i = 0; i < n; i++) rowsAt[i] = px + 4 * i * d;
  const pn = reserve(h, 2 * n);
  const pq = reserve(h, Math.ceil((n * d) / 4));
  const pe = reserve(h, 2 * n);
  const next = reserve(h, 1);
  new Int32Array(h.f32.buffer, next, 1)[0] = 0;
  const norms = new Float64Array(h.f32.buffer, pn, n);
  norms.fill(Number.NaN);
  h.fn.normsCodes(pa, px, n, d, pn, pq, pe, next, 0, 2);
  assert.ok(norms.every((v, i) => Object.is(v, want[i])), 'every row by thread 0 alone');
  norms.fill(Number.NaN);
  h.fn.normsCodes(pa, px, n, d, pn, pq, pe, next, 1, 2);
  assert.ok(norms.every(Number.isNaN), 'a late thread on a spent counter writes nothing');
});
