/**
 * Distances on the WebAssembly kernels, the same doubles bit for bit as the TypeScript in
 * engine/local/distance.ts and nearest.ts: squared distances from one sample to k prototypes
 * (rowSqDistances), exact dot products of listed pairs (pairDots), the screened nearest-prototype pass of
 * one block of samples (nearestBlock) and cluster sums (clusterSums). Operands are used where they are
 * when resident (in the kernel memory), else copied in.
 */
import { put, putBits, putF64, reserve, resetHeap, residentOffset, takeBits, takeF64, unitCounter, zeroCounter, type WasmHeap } from './wasm/runtime.js';
import { input } from './pointwiseWasm.js';
import { selfOwnedZeros } from './resident.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/** Below this many prototype values (k x d) the TypeScript loop wins over the call and the copies. */
export const WASM_MIN_DISTANCE_VALUES = 1024;

/**
 * From this many products (pairs x d, rows x k x d; one sample's k x d for rowSqDistances) a call is split
 * over the kernel threads (~50 us of work).
 */
const SPLIT_PRODUCTS = 1 << 16;

/**
 * out[j] = squared distance from x[xo..xo+d) to row j of c (k x d) for j < k; `out` must hold k values.
 */
export function rowSqDistancesWasm(h: WasmHeap, x: Float32Array, xo: number, c: Float32Array, k: number, d: number, out: Float64Array): void {
  if (c.length < k * d || x.length < xo + d || out.length < k) throw new Error(`rowSqDistances: needs ${k} x ${d} prototypes, a sample of ${d} and ${k} outputs`);
  resetHeap(h);
  const px = reserve(h, d);
  put(h, px, x, xo, d);
  const pc = input(h, c, k * d);
  const po = reserve(h, 2 * k);
  runThreaded(h, k * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1, 'rowSqDistances', [px, pc, k, d, po]);
  takeF64(h, po, out, k);
}

/**
 * The nearest of k rows of c (k x d) to x[xo..xo+d) with its squared distance, exactly as rowSqDistances
 * and a scan for the smallest (lowest index on ties), screened in float32 first (kernels.as,
 * nearestOneScreened). From SPLIT_PRODUCTS products the screen is split over the kernel threads by
 * prototypes in groups of four (screenOne: a SOM's units as somUpdate splits them, so each thread reads the
 * rows its own moves left in its cache), and the rest runs on the calling thread (nearestFromScreen).
 * null when a screen value is not finite (NaN, infinity, float32 overflow): the caller then takes
 * rowSqDistancesWasm over every prototype.
 */
export function nearestOneScreenedWasm(h: WasmHeap, x: Float32Array, xo: number, c: Float32Array, k: number, d: number): { index: number; score: number } | null {
  if (c.length < k * d || x.length < xo + d) throw new Error(`nearestOneScreened: needs ${k} x ${d} prototypes and a sample of ${d}`);
  resetHeap(h);
  const px = reserve(h, d);
  put(h, px, x, xo, d);
  const pc = input(h, c, k * d);
  const ps = reserve(h, 2 * k);
  const po = reserve(h, 2);
  const nt = k * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1;
  let index: number;
  if (nt > 1) {
    runThreaded(h, nt, 'screenOne', [px, pc, k, d, ps]);
    index = h.fn.nearestFromScreen(px, pc, k, d, ps, po);
  } else index = h.fn.nearestOneScreened(px, pc, k, d, ps, po);
  if (index < 0) return null;
  return { index, score: new Float64Array(h.memory.buffer, po, 1)[0] };
}

let addr = new Int32Array(0);

/**
 * out[q] = dot(x, xo[q], c, jj[q] * d, d) for q < m (engine/local/distance.ts's `dot`, bit for bit: pairDots
 * in kernels.as) when x and c are both resident in the kernel memory, so nothing but the pair list is
 * copied in; returns false, doing nothing, when either is not.
 */
export function pairDotsWasm(h: WasmHeap, x: Float32Array, xo: Int32Array, c: Float32Array, jj: Int32Array, m: number, d: number, out: Float64Array): boolean {
  const bx = residentOffset(h, x);
  const bc = bx < 0 ? -1 : residentOffset(h, c);
  if (bc < 0) return false;
  if (addr.length < 2 * m) addr = new Int32Array(Math.max(2 * m, 2 * addr.length));
  for (let q = 0; q < m; q++) {
    addr[q] = bx + 4 * xo[q];
    addr[m + q] = bc + 4 * jj[q] * d;
  }
  resetHeap(h);
  const pa = reserve(h, 2 * m);
  putBits(h, pa, addr, 2 * m);
  const po = reserve(h, 2 * m);
  runThreaded(h, m * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1, 'pairDots', [pa, pa + 4 * m, m, d, po]);
  takeF64(h, po, out, m);
  return true;
}


function placedF64(h: WasmHeap, a: Float64Array, off: number, len: number): number {
  const r = residentOffset(h, a);
  if (r >= 0) return r + 8 * off;
  const p = reserve(h, 2 * len);
  putF64(h, p, off === 0 ? a : a.subarray(off), len);
  return p;
}

/** Where one nearestBlockWasm call writes (rows from row `at` of each array; lower from at * k). */
export interface NearestBlockOut {
  labels: Int32Array;
  scores: Float64Array;
  second?: { labels: Int32Array; scores: Float64Array };
  lower?: Float64Array;
  /** Without `second`: a sample with one candidate takes it unrescored, its score NaN (nearestBlock's labelsOnly). */
  labelsOnly?: boolean;
  /** Each thread also adds its rows to its partial cluster sums here, by their new labels (see PartialSums). */
  partials?: PartialSums;
  /** With these, the screen's products come from integer codes (see ScreenCodes). */
  codes?: ScreenCodes;
}

/**
 * An integer screen's operands (engine/local/nearest.ts's centroidCodes says why its margins hold): the
 * samples' pixel codes x (normsCodesWasm; in the kernel memory, aligned with the samples: row i0 + i of
 * the block at byte (i0 + i) d) and their error bounds xErr (>= 2 |x - codes / 255|), and the prototypes'
 * i16 codes c (k rows of dp = d rounded up to even values, zero-padded; byteOffset a multiple of 4), the
 * factor scale[j] that takes an integer product to x . c_j's estimate, and cErr[j] >= 2 |c_j - s_j q_j|.
 */
export interface ScreenCodes {
  x: Uint8Array;
  xErr: Float64Array;
  c: Int16Array;
  dp: number;
  scale: Float64Array;
  cErr: Float64Array;
}

/**
 * The squared norms of rows x d resident samples into norms (the doubles of pairDotsWasm on each row with
 * itself, so of engine/local/distance.ts's sqNorms) and their pixel codes in one pass over the rows:
 * codes[r * d + t] an integer nearest 255 x[r * d + t] in [0, 255], err[r] >= 2 |x_r - codes_r / 255|
 * (Infinity for a row with a value outside [0, 1]; kernels.as's normsCodes). false, doing nothing, when x,
 * codes or err is not in the kernel memory.
 */
export function normsCodesWasm(h: WasmHeap, x: Float32Array, rows: number, d: number, norms: Float64Array, codes: Uint8Array, err: Float64Array): boolean {
  const px = residentOffset(h, x);
  const pq = px < 0 ? -1 : residentOffset(h, codes);
  const pe = pq < 0 ? -1 : residentOffset(h, err);
  if (pe < 0) return false;
  if (x.length < rows * d || codes.length < rows * d || err.length < rows || norms.length < rows) throw new Error('normsCodes: operands too short');
  resetHeap(h);
  const pa = reserve(h, rows);
  const a = new Int32Array(h.f32.buffer, pa, rows);
  for (let r = 0; r < rows; r++) a[r] = px + 4 * r * d;
  const pn = reserve(h, 2 * rows);
  const nt = rows * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1;
  runThreaded(h, nt, 'normsCodes', [pa, px, rows, d, pn, pq, pe, unitCounter(h, nt)]);
  takeF64(h, pn, norms, rows);
  return true;
}

/**
 * Per-thread partial cluster sums (k x d doubles a kernel thread) in the kernel memory, which nearestBlock
 * adds its rows to while they are in cache, in no fixed order, with the smallest nonzero and largest
 * magnitude of the values added: the caller uses the total only when those make every order's sums the
 * same (engine/local/distance.ts, sumsExact). Made by `make` when the kernels are active.
 */
export class PartialSums {
  readonly k: number;
  readonly d: number;
  readonly threads: number;
  /** Thread t's block at t * (k * d + 2): two words of magnitudes' bits, a spare word pair, then its sums. */
  readonly area: Float64Array;
  readonly #words: Uint32Array;
  /** The resident room the views above are of, kept referenced so that it is not recycled under them. */
  readonly #room: Float32Array;

  private constructor(room: Float32Array, k: number, d: number, threads: number) {
    this.#room = room;
    this.k = k;
    this.d = d;
    this.threads = threads;
    this.area = new Float64Array(room.buffer, room.byteOffset, threads * (k * d + 2));
    this.#words = new Uint32Array(room.buffer, room.byteOffset, 2 * this.area.length);
  }

  /** Resident room for the kernel threads of h, or null when the kernel memory has none. */
  static make(h: WasmHeap, k: number, d: number): PartialSums | null {
    const threads = kernelThreads(h);
    // At least 1,024 floats: selfOwnedZeros keeps smaller arrays out of the kernel memory.
    const room = selfOwnedZeros(Math.max(1024, 2 * threads * (k * d + 2)));
    return residentOffset(h, room) >= 0 ? new PartialSums(room, k, d, threads) : null;
  }

  /** Zero every sum; no value seen. */
  reset(): void {
    this.area.fill(0);
    const stride = 2 * (this.k * this.d + 2);
    for (let t = 0; t < this.threads; t++) this.#words[t * stride] = 0xffffffff;
  }

  /** The smallest nonzero |v| (Infinity: none) and the largest |v| (NaN if any value was not finite) added so far. */
  magnitudes(): { minNonzero: number; maxAbs: number } {
    const stride = 2 * (this.k * this.d + 2);
    let lo = 0xffffffff;
    let hi = 0;
    for (let t = 0; t < this.threads; t++) {
      lo = Math.min(lo, this.#words[t * stride]);
      hi = Math.max(hi, this.#words[t * stride + 1]);
    }
    const bits = new Uint32Array([lo === 0xffffffff ? 0x7f800000 : lo + 1, hi]);
    const f = new Float32Array(bits.buffer);
    return { minNonzero: f[0], maxAbs: hi >= 0x7f800000 ? NaN : f[1] };
  }

  /** sums = the threads' partial sums added, thread by thread. */
  total(sums: Float64Array): void {
    const kd = this.k * this.d;
    sums.set(this.area.subarray(2, 2 + kd));
    for (let t = 1; t < this.threads; t++) {
      const o = t * (kd + 2) + 2;
      for (let i = 0; i < kd; i++) sums[i] += this.area[o + i];
    }
  }
}

/**
 * nearestScreened (engine/local/nearest.ts) on one block, rows x d samples of x from row i0 (squared norms
 * xn from i0), against k x d prototypes c (squared norms cn, their square roots cRoot), with the screen's
 * margins rel and abs: labels, scores (second), and every lower bound less slackRel * (xn + slackBase) when
 * `lower` is asked for; written from row `at` of the outputs. Split over the kernel threads by chunks of rows (a counter), GEMM
 * included. Returns how many pairs were rescored exactly.
 */
export function nearestBlockWasm(
  h: WasmHeap, x: Float32Array, i0: number, xn: Float64Array, rows: number, c: Float32Array, cn: Float64Array, cRoot: Float64Array, k: number, d: number,
  rel: number, abs: number, out: NearestBlockOut, at: number, slackRel = 0, slackBase = 0,
): number {
  const nt = rows * k * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1;
  resetHeap(h);
  const px = input(h, x.subarray(i0 * d, (i0 + rows) * d), rows * d);
  const pc = input(h, c, k * d);
  const pxn = placedF64(h, xn, i0, rows);
  const pcn = placedF64(h, cn, 0, k);
  const pcr = placedF64(h, cRoot, 0, k);
  const cells = rows * k;
  const prod = reserve(h, cells);
  const candX = reserve(h, cells);
  const candC = reserve(h, cells);
  const candV = reserve(h, 2 * cells);
  const count = reserve(h, rows);
  const labels = reserve(h, rows);
  const scores = reserve(h, 2 * rows);
  const labels2 = out.second ? reserve(h, rows) : 0;
  const scores2 = out.second ? reserve(h, 2 * rows) : 0;
  // Lower bounds asked for in the kernel memory are written where they are.
  const lowAt = out.lower ? residentOffset(h, out.lower) : -1;
  const low = lowAt >= 0 ? lowAt + 8 * at * k : reserve(h, 2 * cells);
  const ps = out.partials;
  const pps = ps ? residentOffset(h, ps.area) : 0;
  if (ps && (pps < 0 || ps.k !== k || ps.d !== d || nt > ps.threads)) throw new Error('nearestBlock: partial sums not made for these kernels or shapes');
  const q = out.codes;
  let codes = [0, 0, 0, 0, 0, 0];
  if (q) {
    const pq = residentOffset(h, q.x);
    if (pq < 0 || q.x.length < (i0 + rows) * d || q.c.length < k * q.dp) throw new Error('nearestBlock: codes not in the kernel memory or too short');
    const pcq = reserve(h, (k * q.dp + 1) >> 1);
    putBits(h, pcq, new Int32Array(q.c.buffer, q.c.byteOffset, (k * q.dp) >> 1), (k * q.dp) >> 1);
    codes = [pq + i0 * d, placedF64(h, q.xErr, i0, rows), pcq, q.dp, placedF64(h, q.scale, 0, k), placedF64(h, q.cErr, 0, k)];
  }
  // Split over the threads by chunks of rows taken from a counter (the rows' results do not depend on
  // which thread takes them), so a thread that starts late or runs slow takes fewer.
  const next = zeroCounter(h); // always: nearestBlock takes its chunks with atomic.add on one thread too
  runThreaded(h, nt, 'nearestBlock', [
    px, rows, d, pc, k, pxn, pcn, pcr, rel, abs, prod, candX, candC, candV, count, labels, scores, labels2, scores2, low, slackRel, slackBase,
    out.labelsOnly && !out.second ? 1 : 0, pps, ...codes, next,
  ]);
  takeBits(h, labels, out.labels.subarray(at), rows);
  takeF64(h, scores, out.scores.subarray(at), rows);
  if (out.second) {
    takeBits(h, labels2, out.second.labels.subarray(at), rows);
    takeF64(h, scores2, out.second.scores.subarray(at), rows);
  }
  if (out.lower && lowAt < 0) takeF64(h, low, out.lower.subarray(at * k), cells);
  let rescored = 0;
  for (const v of new Int32Array(h.f32.buffer, count, rows)) rescored += v;
  return rescored;
}

/** The operands of one block of a bounded Lloyd pass (lloydBoundedWasm); row arrays start at the block's first sample. */
export interface LloydBlock {
  /** In: the labels; out: the new labels of the samples rescored directly. */
  labels: Int32Array;
  xn: Float64Array;
  /** The block's bounds, rows x k. */
  lb: Float64Array;
  stamp: Int32Array;
  /** Out: the exact score to the (new) label. */
  scores: Float64Array;
  /** Out: 0 kept by the bounds, 1 rivals rescored directly, 2 to be screened. */
  verdict: Int32Array;
}

/**
 * A block of a bounded Lloyd pass on the kernels (lloydBounded in kernels.as; engine/local/lloyd-bounds.ts
 * is the TypeScript of the same doubles and says why the test holds) when the gathered samples x (rows x d)
 * and the centroids c (k x d) are resident; returns false, doing nothing, when they are not. cn: the
 * centroids' squared norms; decay: bound on each centroid's moves since each earlier pass; epsRel, cnMax,
 * up, down: the rounding margins; few: the most rivals rescored directly. Split over the threads by rows.
 */
export function lloydBoundedWasm(
  h: WasmHeap, x: Float32Array, rows: number, d: number, c: Float32Array, k: number, cn: Float64Array, decay: Float64Array,
  epsRel: number, cnMax: number, up: number, down: number, few: number, b: LloydBlock,
): boolean {
  const px = residentOffset(h, x);
  const pc = px < 0 ? -1 : residentOffset(h, c);
  if (pc < 0) return false;
  resetHeap(h);
  const pl = reserve(h, rows);
  putBits(h, pl, b.labels, rows);
  const pxn = placedF64(h, b.xn, 0, rows);
  const pcn = placedF64(h, cn, 0, k);
  const plb = placedF64(h, b.lb, 0, rows * k);
  const pst = reserve(h, rows);
  putBits(h, pst, b.stamp, rows);
  const pdc = placedF64(h, decay, 0, Math.max(1, decay.length));
  const ps = reserve(h, 2 * rows);
  const pv = reserve(h, rows);
  const pairs = rows * (few + 1);
  const candX = reserve(h, pairs);
  const candC = reserve(h, pairs);
  const candV = reserve(h, 2 * pairs);
  const count = reserve(h, rows);
  const nt = rows * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1;
  runThreaded(h, nt, 'lloydBounded', [
    px, rows, d, pc, k, pl, pxn, pcn, plb, pst, pdc, epsRel, cnMax, up, down, few, ps, pv, candX, candC, candV, count, unitCounter(h, nt),
  ]);
  takeBits(h, pl, b.labels, rows);
  takeF64(h, ps, b.scores, rows);
  takeBits(h, pv, b.verdict, rows);
  return true;
}

/** The operands of one block of a sparse Lloyd pass (lloydSparseWasm); row arrays start at the block's first sample. */
export interface LloydSparseBlock {
  /** In: the labels; out: the new labels. */
  labels: Int32Array;
  xn: Float64Array;
  /** The block's bounds, rows x k, in the kernel memory: read, and the screened ones rewritten (unless last). */
  lb: Float64Array;
  /** The pass each row's bounds date from (kept). */
  stamp: Int32Array;
  /** Out: the exact score to the new label (with partial sums: where one was computed, else NaN). */
  scores: Float64Array;
  /** Out: the number of rivals each row was screened against. */
  rivals: Int32Array;
}

/**
 * A block of a Lloyd pass after the first on the samples' pixel codes and the distance bounds (lloydSparse
 * in kernels.as; engine/local/lloyd-bounds.ts says why the test holds): each sample is screened against its
 * label and the centroids its bounds leave as possible rivals only. With partials (a pass that wants only
 * the labels and the sums), each is added to the kernel threads' partial sums and a score is exact only
 * where one was computed; without, every score is exact. x: the block's rows in the kernel memory, codes
 * their pixel codes (from the block's first sample), c the centroids (resident), cn and cRoot their
 * squared norms and square roots, decay the bound on each centroid's moves since each earlier pass, epsRel,
 * cnMax, up, down the rounding margins and abs nearestScreened's; last: no pass follows (no bound is
 * written). false, doing nothing, when an operand is not in the kernel memory. Split over the threads by
 * chunks of rows.
 */
export function lloydSparseWasm(
  h: WasmHeap, x: Float32Array, rows: number, d: number, c: Float32Array, k: number, cn: Float64Array, cRoot: Float64Array, decay: Float64Array,
  epsRel: number, cnMax: number, up: number, down: number, abs: number, last: boolean, codes: ScreenCodes, partials: PartialSums | null, b: LloydSparseBlock,
): boolean {
  const px = residentOffset(h, x);
  const pc = px < 0 ? -1 : residentOffset(h, c);
  const plb = pc < 0 ? -1 : residentOffset(h, b.lb);
  const pq = plb < 0 ? -1 : residentOffset(h, codes.x);
  const pps = pq < 0 ? -1 : partials ? residentOffset(h, partials.area) : 0;
  if (pps < 0) return false;
  if (codes.x.length < rows * d || b.lb.length < rows * k || codes.c.length < k * codes.dp) throw new Error('lloydSparse: operands too short');
  const nt = rows * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1;
  if (partials && (partials.k !== k || partials.d !== d || nt > partials.threads)) throw new Error('lloydSparse: partial sums not made for these kernels or shapes');
  resetHeap(h);
  const pl = reserve(h, rows);
  putBits(h, pl, b.labels, rows);
  const pxn = placedF64(h, b.xn, 0, rows);
  const pcn = placedF64(h, cn, 0, k);
  const pcr = placedF64(h, cRoot, 0, k);
  const pst = reserve(h, rows);
  putBits(h, pst, b.stamp, rows);
  const pdc = placedF64(h, decay, 0, Math.max(1, decay.length));
  const pe = placedF64(h, codes.xErr, 0, rows);
  const pcq = reserve(h, (k * codes.dp + 1) >> 1);
  putBits(h, pcq, new Int32Array(codes.c.buffer, codes.c.byteOffset, (k * codes.dp) >> 1), (k * codes.dp) >> 1);
  const psc = placedF64(h, codes.scale, 0, k);
  const pce = placedF64(h, codes.cErr, 0, k);
  const ps = reserve(h, 2 * rows);
  const pr = reserve(h, rows);
  const work = reserve(h, (nt * h.fn.lloydSparseWork(k)) >> 2);
  runThreaded(h, nt, 'lloydSparse', [
    px, rows, d, pc, k, pl, pxn, pcn, pcr, plb, pst, pdc, epsRel, cnMax, up, down, abs, last ? 1 : 0, partials ? 1 : 0, pq, pe, pcq, codes.dp, psc, pce, ps, pr, work, pps,
    unitCounter(h, nt),
  ]);
  takeBits(h, pl, b.labels, rows);
  takeF64(h, ps, b.scores, rows);
  takeBits(h, pr, b.rivals, rows);
  return true;
}

/**
 * sums[labels[r] * d + t] += x[r * d + t] for r < rows, in order of r within each cluster (each a
 * double addition, as engine/local/lloyd-bounds.ts's addRows), when x is resident; returns false, doing
 * nothing, when it is not. The rows go to the kernel grouped by label (a stable counting sort), so each
 * cluster's sum row stays in cache; the sums (k x d doubles, k = sums.length / d) are used in place when
 * resident, else copied in and out.
 * Split over the kernel threads by columns.
 */
export function clusterSumsWasm(h: WasmHeap, x: Float32Array, rows: number, d: number, labels: Int32Array, sums: Float64Array): boolean {
  const bx = residentOffset(h, x);
  if (bx < 0) return false;
  const k = sums.length / d;
  if (order.length < rows) order = new Int32Array(rows);
  const start = new Int32Array(k + 1);
  for (let r = 0; r < rows; r++) start[labels[r] + 1]++;
  for (let j = 0; j < k; j++) start[j + 1] += start[j];
  for (let r = 0; r < rows; r++) order[start[labels[r]]++] = r;
  resetHeap(h);
  const pl = reserve(h, rows);
  putBits(h, pl, labels, rows);
  const po = reserve(h, rows);
  putBits(h, po, order, rows);
  const ps = placedF64(h, sums, 0, sums.length);
  runThreaded(h, rows * d >= SPLIT_PRODUCTS ? kernelThreads(h) : 1, 'clusterSums', [bx, rows, d, pl, po, ps]);
  if (residentOffset(h, sums) !== ps) takeF64(h, ps, sums, sums.length);
  return true;
}

let order = new Int32Array(0);
