import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { setKernelBackend, wasmActive } from '../kernels/backend.js';
import { clusterSumsWasm } from '../kernels/distanceWasm.js';
import { selfOwnedZeros } from '../kernels/resident.js';
import { residentInUse, setResidentBudget, wasmHeap } from '../kernels/wasm/runtime.js';
import { setKernelThreads, wantedThreads } from '../kernels/wasm/threads.js';
import { dot } from './distance.js';
import { OnlineKMeans } from './kmeans.js';
import { onEachBackend, onOneAndTwoThreads } from '../testing/backends.js';
import { addRows, LloydBounds, lloydBoundsTesting } from './lloyd-bounds.js';
import { lloydReference } from './lloyd-reference.js';
import { exactDots } from './nearest.js';


/**
 * Data made for near-ties: points of a small integer lattice (many exact ties between centroids that are
 * lattice points or means of a few of them), each point repeated, a few far outliers, centroids started
 * on duplicated samples (so some clusters go empty) and every fifth one frozen; plus Gaussian clusters
 * with points exactly half-way between two centroids and points a float32 step off them.
 */
function cases(r: Rng): { name: string; x: Float32Array; n: number; d: number; k: number; start: Float32Array; frozen: Set<number> }[] {
  const out = [];
  for (const [n0, d, k, span] of [[400, 2, 12, 3], [600, 3, 20, 2], [500, 5, 9, 2], [300, 1, 7, 4], [800, 8, 16, 1]] as const) {
    const n = 2 * n0 + 4;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n0; i++) for (let t = 0; t < d; t++) x[i * d + t] = x[(n0 + i) * d + t] = Math.floor(r.next() * (span + 1));
    for (let i = 2 * n0; i < n; i++) for (let t = 0; t < d; t++) x[i * d + t] = 50 * (r.next() < 0.5 ? -1 : 1);
    const start = new Float32Array(k * d);
    for (let j = 0; j < k; j++) {
      const i = Math.floor(r.next() * n0); // duplicated starts give empty clusters
      start.set(x.subarray(i * d, (i + 1) * d), j * d);
    }
    const frozen = new Set<number>();
    for (let j = 0; j < k; j += 5) frozen.add(j);
    out.push({ name: `lattice n=${n} d=${d} k=${k}`, x, n, d, k, start, frozen });
  }
  // k = 100: the screen's GEMM blocks (131,072 products) are then shorter than a pass's blocks of 2,048 samples.
  for (const [n, d, k] of [[3000, 13, 9], [4000, 37, 64], [2000, 6, 5], [2600, 9, 100]] as const) {
    const x = new Float32Array(n * d);
    const centers = Float32Array.from({ length: k * d }, () => 3 * r.normal());
    const start = new Float32Array(k * d);
    for (let j = 0; j < k; j++) {
      start.set(centers.subarray(j * d, (j + 1) * d), j * d);
    }
    for (let i = 0; i < n; i++) {
      const a = Math.floor(r.next() * k);
      const b = Math.floor(r.next() * k);
      const kind = r.next();
      for (let t = 0; t < d; t++) {
        const ca = centers[a * d + t];
        const cb = centers[b * d + t];
        if (kind < 0.2) x[i * d + t] = (ca + cb) / 2; // half-way
        else if (kind < 0.3) x[i * d + t] = Math.fround(ca * (1 + 2 ** -23)); // one float32 step off
        else x[i * d + t] = ca + 0.8 * r.normal();
      }
    }
    out.push({ name: `clusters n=${n} d=${d} k=${k}`, x, n, d, k, start, frozen: new Set([1, 3]) });
  }
  // Pixels / 255 over three blocks of 2,048 samples (cluster sums exact in any order: the kernel threads'
  // partial sums), and the same with one value of 2^-40 in the last block (the sums then depend on the
  // order: back to sample order from the first sample on).
  for (const odd of [false, true]) {
    const n = 5000;
    const d = 24;
    const k = 12;
    const proto = Array.from({ length: k }, () => Array.from({ length: d }, () => Math.floor(r.next() * 256)));
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const p = proto[Math.floor(r.next() * k)];
      for (let t = 0; t < d; t++) x[i * d + t] = Math.min(255, Math.max(0, p[t] + Math.round(40 * r.normal()))) / 255;
    }
    if (odd) x[4500 * d + 3] = 2 ** -40;
    const start = new Float32Array(k * d);
    for (let j = 0; j < k; j++) start.set(x.subarray(j * 7 * d, (j * 7 + 1) * d), j * d);
    out.push({ name: `pixels n=${n} d=${d} k=${k}${odd ? ', one value off the grid' : ''}`, x, n, d, k, start, frozen: new Set([2]) });
  }
  // Pixels on a coarse grid (0, 85, 170 or 255 / 255), each point repeated, centroids started on duplicated
  // samples, every fifth frozen: the passes after the first are sparse (integer screen against the possible
  // rivals only) and meet many exact and near ties; d not a multiple of 8 (codeDots's tail), k above and
  // below 64.
  for (const [n0, d, k] of [[700, 11, 20], [600, 37, 70], [900, 5, 6]] as const) {
    const n = 2 * n0;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n0; i++) for (let t = 0; t < d; t++) x[i * d + t] = x[(n0 + i) * d + t] = (85 * Math.floor(r.next() * 4)) / 255;
    const start = new Float32Array(k * d);
    for (let j = 0; j < k; j++) {
      const i = Math.floor(r.next() * n0);
      start.set(x.subarray(i * d, (i + 1) * d), j * d);
    }
    const frozen = new Set<number>();
    for (let j = 0; j < k; j += 5) frozen.add(j);
    out.push({ name: `pixel lattice n=${n} d=${d} k=${k}`, x, n, d, k, start, frozen });
  }
  // An exact tie that the bounds must not hide: x0 = 0 is labelled 1 until centroid 1 reaches (1, 1, -1)
  // (the mean of x0, y1 = (1, 1, -1) and y2 = (2, 2, -2), at the third pass), where it scores 3, as the
  // frozen centroid 0 at (1, 1, 1) always did: the label must become 0 (ties to the lowest index). The
  // square root of 3 rounds down, so a bound without margins (sqrt(3)^2 < 3 < the bound 3) keeps label 1.
  out.push({
    name: 'exact tie after a move',
    x: Float32Array.from([0, 0, 0, 1, 1, -1, 2, 2, -2]),
    n: 3,
    d: 3,
    k: 2,
    start: Float32Array.from([1, 1, 1, 0, 0, 0]),
    frozen: new Set([0]),
  });
  return out;
}

function run(c: ReturnType<typeof cases>[number], iterations: number) {
  const m = new OnlineKMeans({ k: c.k, dim: c.d, init: 'random', seed: 2 });
  for (let j = 0; j < c.k; j++) m.prototypes.add(c.start.subarray(j * c.d, (j + 1) * c.d), c.frozen.has(j));
  // One call: the bounds live across the iterations of a call.
  const whole = m.lloyd(c.x, c.n, iterations);
  return { m, whole };
}

/** Whether Lloyd with bounds equals the plain definition on every case (messages of the first mismatches). */
function mismatches(iterations: number, resident = false): string[] {
  const bad: string[] = [];
  const r = new Rng(77);
  for (const c of cases(r)) {
    if (resident) {
      const x = selfOwnedZeros(c.x.length, 'data');
      x.set(c.x);
      c.x = x;
    }
    const ref = lloydReference(c.x, c.n, c.d, c.start, c.k, iterations, c.frozen);
    const { m, whole } = run(c, iterations);
    const c32 = Float32Array.from(m.prototypes.data.subarray(0, c.k * c.d));
    if (!c32.every((v, q) => Object.is(v, ref.c[q]))) bad.push(`${c.name}: centroids`);
    if (!whole.inertia.every((v, q) => Object.is(v, ref.inertia[q]))) bad.push(`${c.name}: inertia`);
    const lab = m.assign(c.x, c.n);
    if (!lab.every((v, q) => v === ref.labels[iterations][q])) bad.push(`${c.name}: labels`);
    assert.ok(whole.passes.length === iterations + 1, `${c.name}: passes`);
  }
  return bad;
}

test('Lloyd with distance bounds equals the plain definition bit for bit over many iterations (near-ties, duplicates, frozen and empty centroids)', () => {
  onEachBackend((backend) => {
    assert.deepEqual(mismatches(12), [], backend);
  });
});

test('so it does split over two kernel threads (screen by rows, exact dot products by pairs, cluster sums by columns)', (t) => {
  if (!wasmActive()) return t.skip('the WebAssembly kernels do not load here');
  const before = wantedThreads();
  try {
    setKernelThreads(2);
    assert.deepEqual(mismatches(12), []);
  } finally {
    setKernelThreads(before);
  }
});

test('passes with sums on the kernels take cluster sums that are exact in any order (pixels / 255) from the threads\' partial sums, and go back to sample order when a value makes them depend on it; pixels are screened on their integer codes, after the first pass against their possible rivals only', (t) => {
  const ran = onOneAndTwoThreads((_h, threads) => {
    const all = cases(new Rng(77));
    for (const odd of [false, true]) {
      const c = all.find((q) => q.name.startsWith('pixels') && q.name.includes('off the grid') === odd)!;
      const passes = lloydBoundsTesting.partialPasses;
      const codeBlocks = lloydBoundsTesting.codeBlocks;
      const fallbacks = lloydBoundsTesting.orderedFallbacks;
      const sparse = lloydBoundsTesting.sparsePasses;
      const ref = lloydReference(c.x, c.n, c.d, c.start, c.k, 12, c.frozen);
      const { m, whole } = run(c, 12);
      const c32 = Float32Array.from(m.prototypes.data.subarray(0, c.k * c.d));
      assert.ok(c32.every((v, q) => Object.is(v, ref.c[q])), `${c.name}, ${threads} threads: centroids`);
      assert.ok(whole.inertia.every((v, q) => Object.is(v, ref.inertia[q])), `${c.name}, ${threads} threads: inertia`);
      // The first pass is full, the twelve after it sparse, and the eleven of those with sums on partial sums
      // too; with the odd value, the first goes back to sample order at its last block, and every later pass
      // adds in sample order from the start.
      assert.equal(lloydBoundsTesting.partialPasses - passes, odd ? 0 : 12, `${c.name}, ${threads} threads: passes on partial sums`);
      assert.equal(lloydBoundsTesting.sparsePasses - sparse, 12, `${c.name}, ${threads} threads: sparse passes`);
      assert.ok(whole.passes.slice(1).every((q) => q.rivals !== undefined), `${c.name}, ${threads} threads: every pass after the first sparse`);
      assert.equal(lloydBoundsTesting.orderedFallbacks - fallbacks, odd ? 1 : 0, `${c.name}, ${threads} threads: fallbacks`);
      // Pixels / 255 (2^-40 is within the codes' margin too): the full pass's three blocks screened on their
      // codes.
      assert.equal(lloydBoundsTesting.codeBlocks - codeBlocks, 3, `${c.name}, ${threads} threads: blocks on the integer screen`);
    }
  });
  if (!ran) t.skip('the WebAssembly kernels do not load here');
});

test('on the kernels a call reads its samples from one resident copy and gives its room back; without room for it the results are the same', (t) => {
  if (!wasmActive()) return t.skip('the WebAssembly kernels do not load here');
  const h = wasmHeap()!;
  const before = residentInUse(h, 'data');
  const copies = lloydBoundsTesting.residentCopies;
  assert.deepEqual(mismatches(6), []);
  // Every case of more than 1,024 values went through a copy (all but the exact tie's).
  assert.equal(lloydBoundsTesting.residentCopies - copies, cases(new Rng(77)).filter((c) => c.n * c.d >= 1024).length);
  assert.equal(residentInUse(h, 'data'), before, 'every copy given back');
  const budget = setResidentBudget(before, 'data');
  try {
    const copies2 = lloydBoundsTesting.residentCopies;
    assert.deepEqual(mismatches(6), []);
    assert.equal(lloydBoundsTesting.residentCopies, copies2, 'no room: the blocks are copied in as they are read');
  } finally {
    setResidentBudget(budget, 'data');
  }
});

test('samples already in the kernel memory are read where they are: no copy made, the same results', (t) => {
  if (!wasmActive()) return t.skip('the WebAssembly kernels do not load here');
  const h = wasmHeap()!;
  const copies = lloydBoundsTesting.residentCopies;
  const before = residentInUse(h, 'data');
  assert.deepEqual(mismatches(6, true), []);
  assert.equal(lloydBoundsTesting.residentCopies, copies, 'no copy made');
  // Every case of at least 1,024 values was resident (selfOwnedZeros 'data'), and kept its room through the calls.
  const bytes = cases(new Rng(77)).filter((c) => c.n * c.d >= 1024).reduce((b, c) => b + 4 * ((c.n * c.d + 3) & ~3), 0);
  assert.equal(residentInUse(h, 'data') - before, bytes);
});

test('cluster sums on the kernels (1 and 2 threads) add each cluster\'s samples in sample order, as addRows does', (t) => {
  const h = wasmActive();
  if (!h) return t.skip('the WebAssembly kernels do not load here');
  const before = wantedThreads();
  const r = new Rng(31);
  try {
    for (const [rows, d, k] of [[300, 1, 4], [257, 3, 5], [2048, 5, 64], [700, 784, 10], [129, 785, 3]]) {
      const x = selfOwnedZeros(Math.max(1024, rows * d));
      // Values of very different sizes, so any other order of the additions rounds differently.
      for (let q = 0; q < rows * d; q++) x[q] = r.normal() * 2 ** Math.floor(r.next() * 50 - 25);
      const labels = Int32Array.from({ length: rows }, () => Math.floor(r.next() * k));
      const start = Float64Array.from({ length: k * d }, () => r.normal());
      const want = start.slice();
      addRows(want, x, 0, rows, d, labels);
      for (const threads of [1, 2]) {
        setKernelThreads(threads);
        for (const resident of [false, true]) {
          let sums: Float64Array = start.slice();
          if (resident) {
            const room = selfOwnedZeros(2 * k * d + 4);
            sums = new Float64Array(room.buffer, room.byteOffset, k * d);
            sums.set(start);
          }
          assert.ok(clusterSumsWasm(h, x, rows, d, labels, sums));
          assert.ok(sums.every((v, q) => Object.is(v, want[q])), `rows ${rows} d ${d} k ${k}, ${threads} threads, sums resident ${resident}`);
        }
      }
      assert.equal(clusterSumsWasm(h, new Float32Array(rows * d), rows, d, labels, start.slice()), false, 'samples outside the kernel memory');
    }
  } finally {
    setKernelThreads(before);
  }
});

test('so does Lloyd with one bound per sample (Hamerly, used when n x k bounds would be too many)', () => {
  lloydBoundsTesting.maxPairBounds = 0;
  try {
    onEachBackend((backend) => {
      assert.deepEqual(mismatches(12), [], backend);
    });
  } finally {
    lloydBoundsTesting.maxPairBounds = 1 << 24;
  }
});

test('the bounds are used (most samples kept or rescored directly once the centroids settle)', () => {
  onEachBackend(() => {
    const r = new Rng(5);
    const c = cases(r)[6];
    const { whole } = run(c, 8);
    const last = whole.passes[whole.passes.length - 1];
    assert.ok(last.screened < 0.5 * last.samples, JSON.stringify(whole.passes));
  });
});

test('without their safety margins the bounds give wrong results on the same data (the test can fail)', () => {
  // On the TypeScript kernels every bound a pass records is an exact score, so the exact tie above is
  // caught; the GEMM screen's bounds carry a float32 margin of their own, and hide it.
  lloydBoundsTesting.margin = 0;
  try {
    assert.equal(setKernelBackend('ts'), 'ts');
    assert.notDeepEqual(mismatches(12), []);
  } finally {
    lloydBoundsTesting.margin = 1;
    setKernelBackend('auto');
  }
});

/** A finite double as m * 2^e with integer m (BigInt) and e. */
function parts(v: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mant = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? mant : mant | (1n << 52n);
  return [bits >> 63n ? -m : m, biased === 0 ? -1074 : biased - 1075];
}

/** Every float32 times 2^201 is an integer. */
function scaled(a: Float32Array): bigint[] {
  return Array.from(a, (v) => {
    const [m, e] = parts(v);
    return m << BigInt(e + 201);
  });
}

/** The exact squared distance of two rows of scaled values, times 2^402. */
function exactSq(x: bigint[], xo: number, c: bigint[], co: number, d: number): bigint {
  let s = 0n;
  for (let t = 0; t < d; t++) {
    const v = x[xo + t] - c[co + t];
    s += v * v;
  }
  return s;
}

/** Whether m * 2^e <= s * 2^-402 exactly. */
function atMost(m: bigint, e: number, s: bigint): boolean {
  const k = e + 402;
  return k >= 0 ? m << BigInt(k) <= s : m <= s << BigInt(-k);
}

/**
 * Stored bounds above the exact (real-number) distances, over passes of LloydBounds on Gaussian clusters
 * with the centroids nudged between passes: Elkan's (squared, every centroid) after the full passes,
 * Hamerly's (a distance to the nearest other centroid) after every pass.
 */
function boundViolations(hamerly: boolean): number {
  const r = new Rng(19);
  const c = cases(r)[5]; // clusters n=3000 d=13 k=9
  const { x, n, d, k } = c;
  lloydBoundsTesting.maxPairBounds = hamerly ? 0 : 1 << 24;
  try {
    const b = new LloydBounds(x, n, d, k);
    const cent = c.start.slice();
    const labels = new Int32Array(n);
    const scores = new Float64Array(n);
    let bad = 0;
    const xs = scaled(x);
    for (let pass = 0; pass < 5; pass++) {
      b.pass(cent, labels, scores);
      const lb = b.scratch;
      const cs = scaled(cent);
      for (let i = 0; i < n; i++) {
        const e2 = Array.from({ length: k }, (_, j) => exactSq(xs, i * d, cs, j * d, d));
        if (hamerly) {
          const [m, e] = parts(lb[i]);
          const nearest = e2.filter((_, j) => j !== labels[i]).reduce((a, v) => (v < a ? v : a));
          if (!atMost(m * m, 2 * e, nearest)) bad++;
        } else if (pass < 2) {
          for (let j = 0; j < k; j++) {
            const [m, e] = parts(lb[i * k + j]);
            if (!atMost(m, e, e2[j])) bad++;
          }
        }
      }
      for (let q = 0; q < cent.length; q++) cent[q] = Math.fround(cent[q] + 0.05 * r.normal());
    }
    return bad;
  } finally {
    lloydBoundsTesting.maxPairBounds = 1 << 24;
  }
}

test('every bound stored is at most the exact distance (BigInt arithmetic), both kinds, both backends; without the margins it is not', () => {
  onEachBackend((backend) => {
    assert.equal(boundViolations(false), 0, `${backend}: Elkan`);
    assert.equal(boundViolations(true), 0, `${backend}: Hamerly`);
  });
  // On the TypeScript kernels every bound comes from an exact double score, about half of which round
  // above the real distance.
  lloydBoundsTesting.margin = 0;
  try {
    assert.equal(setKernelBackend('ts'), 'ts');
    assert.ok(boundViolations(false) > 0, 'Elkan without margins');
    assert.ok(boundViolations(true) > 0, 'Hamerly without margins');
  } finally {
    lloydBoundsTesting.margin = 1;
    setKernelBackend('auto');
  }
});

test('exact dot products on the kernels (operands in the kernel memory; 1 and 2 threads) equal dot bit for bit', () => {
  const before = wantedThreads();
  onEachBackend((backend) => {
    const r = new Rng(9);
    for (const [d, threads] of [[1, 1], [3, 1], [8, 1], [13, 1], [784, 1], [785, 1], [784, 2], [785, 2], [13, 2]]) {
      setKernelThreads(threads);
      const n = 40;
      const k = 7;
      const x = selfOwnedZeros(Math.max(1024, n * d));
      const c = selfOwnedZeros(Math.max(1024, k * d));
      for (let q = 0; q < n * d; q++) x[q] = (r.normal() * 2 ** Math.floor(r.next() * 40 - 20)) * (r.next() < 0.1 ? 1e6 : 1);
      for (let q = 0; q < k * d; q++) c[q] = r.normal() * 2 ** Math.floor(r.next() * 40 - 20);
      const m = threads === 1 ? 37 : 5003; // two threads from 2^16 products
      const xo = Int32Array.from({ length: m }, () => Math.floor(r.next() * n) * d);
      const jj = Int32Array.from({ length: m }, () => Math.floor(r.next() * k));
      const got = new Float64Array(m);
      exactDots(x, c, d, xo, jj, m, got);
      const want = Float64Array.from({ length: m }, (_, q) => dot(x, xo[q], c, jj[q] * d, d));
      assert.deepEqual(got, want, `${backend} d=${d} threads=${threads}`);
    }
  });
  setKernelThreads(before);
});

test('a model reusing its bounds array from an earlier call (larger data, other values) still equals the plain definition', () => {
  onEachBackend((backend) => {
    const r = new Rng(13);
    const big = cases(r)[6];
    const m = new OnlineKMeans({ k: big.k, dim: big.d, init: 'random', seed: 2 });
    for (let j = 0; j < big.k; j++) m.prototypes.add(big.start.subarray(j * big.d, (j + 1) * big.d));
    m.lloyd(big.x, big.n, 4);
    const n = 1500;
    const x = Float32Array.from(big.x.subarray(0, n * big.d), (v, q) => v + (q % 3) * 0.25);
    m.prototypes.data.set(big.start);
    const got = m.lloyd(x, n, 6);
    const ref = lloydReference(x, n, big.d, big.start, big.k, 6);
    assert.deepEqual(got.inertia, ref.inertia, `${backend}: inertia`);
    assert.deepEqual(Float32Array.from(m.prototypes.data.subarray(0, big.k * big.d)), ref.c, `${backend}: centroids`);
  });
});
