/**
 * Full nearest-prototype passes at GEMM speed, with exactly the results of the plain loops.
 *
 * A block of samples is multiplied against all prototypes with the blocked GEMM (X C^T, float32), and
 * |x|^2 - 2 x.c + |c|^2 gives every distance to within a proven bound: a float32 dot product (products
 * rounded, summed in any order) is off by at most gamma_d sum_t |x_t c_t| <= gamma_d |x| |c|, with
 * gamma_d = d u / (1 - d u), u = 2^-24 (Higham, Accuracy and Stability, 3.1; Cauchy-Schwarz). Only the
 * prototypes whose lower bound is not above the best (or second best) upper bound can win; those few are
 * rescored with the exact double-precision kernel (`dot`, summed in order t = 0..d-1), so labels and
 * scores are bit-identical to rowDistances + argmin, ties to the lowest index included. Usually one
 * prototype per sample survives the screen, so the pass costs one GEMM plus n dot products.
 */
import { wasmActive } from '../kernels/backend.js';
import { nearestBlockWasm, nearestOneScreenedWasm, pairDotsWasm, type PartialSums, type ScreenCodes, rowSqDistancesWasm, WASM_MIN_DISTANCE_VALUES } from '../kernels/distanceWasm.js';
import { gemm } from '../kernels/gemm.js';
import { dot, fromDot, rowDistances, rowDistances2, sqDist } from './distance.js';

/**
 * Products per GEMM block: a block is min(MAX_ROWS, PRODUCTS / k) samples (the block of products is
 * rows x k floats). Large blocks matter: each GEMM call hands work to the kernel threads and waits for
 * them, and at 256 rows (k = 64) those hand-overs cost more than the pass itself on a busy machine.
 */
const PRODUCTS = 131072;
const MAX_ROWS = 4096;

/** Scratch grown on demand, shared by every call (single-threaded). */
let prod = new Float32Array(0);
let lower = new Float64Array(16);
/** The screen's survivors of one block: sample offset, prototype, exact dot product. */
let candRow = new Int32Array(0);
let candJ = new Int32Array(0);
let candV = new Float64Array(0);

export interface NearestOut {
  labels: Int32Array;
  scores: Float64Array;
  /** With these, the second-best prototype and its score too (-1 / Infinity when k < 2). */
  second?: { labels: Int32Array; scores: Float64Array };
  /**
   * With this (n x k), a lower bound on every sample's score against every prototype: lower[i * k + j]
   * <= the exact score of (i, j) (the exact score itself where the pass computed it). Lloyd's bounds
   * (lloyd-bounds.ts) start from these.
   */
  lower?: Float64Array;
  /**
   * With `lower`: every bound of sample i is written less rel * (xn[i] + base) (Lloyd's rounding margin,
   * lloyd-bounds.ts), the same doubles as subtracting it afterwards.
   */
  lowerSlack?: { rel: number; base: number };
  /**
   * Only the labels are wanted (a Lloyd pass before the last): on the WebAssembly kernels, without
   * `second`, a sample whose screen leaves one candidate takes it without its exact score, and its score
   * is NaN. The labels are the same either way.
   */
  labelsOnly?: boolean;
  /**
   * With these (the WebAssembly kernels only), every sample is also added to the kernel threads' partial
   * sums of its new cluster, in no fixed order (distanceWasm.ts, PartialSums).
   */
  partials?: PartialSums;
  /** With these (the WebAssembly kernels only), the screen's products come from integer codes (centroidCodes). */
  codes?: ScreenCodes;
}

/** The prototypes' side of an integer screen (centroidCodes). */
export type CentroidCodes = Pick<ScreenCodes, 'c' | 'dp' | 'scale' | 'cErr'>;

/** Bytes of the kernels' packed-B room (KC x NC floats in kernels.as), which the integer screen's codes must fit. */
const PACKED_B_BYTES = 512 * 2048 * 4;

/**
 * The prototypes' codes for a screen of samples' pixel codes p (x = p / 255 + e_x, p in [0, 255]:
 * normsCodesWasm), or null when d is too long for them (or a prototype is not finite). Row j:
 * s_j = max_t |c_jt| / Q, q_jt = round(c_jt / s_j), so c_j = s_j q_j + e_j (real numbers, s_j the double);
 * Q = the largest code with dp 255 Q < 2^31 (at most 32,767), so the integer product P = p . q_j of the
 * screen (i32x4.dot_i16x8_s) is exact, and x . c_j = P s_j / 255 + (p / 255) . e_j + e_x . c_j gives
 * |x . c_j - P s_j / 255| <= (|x| + |e_x|) |e_j| + |e_x| |c_j| (Cauchy-Schwarz; |p / 255| <= |x| + |e_x|).
 * scale[j] = s_j / 255 and cErr[j] >= 2 |e_j| (each e_jt within 2^-52 max|c_j| of its double, the sum of
 * squares rounded up); the two roundings of P scale[j] are within the screen's relative margin. For
 * Fashion-MNIST's 784 pixels Q = 10,741, and 2 |e_j| is about the float32 GEMM's own margin.
 */
export function centroidCodes(c: Float32Array, k: number, d: number): CentroidCodes | null {
  const dp = d + (d & 1);
  const q = Math.min(32767, Math.floor((2 ** 31 - 1) / (dp * 255)));
  if (q < 1024 || Math.ceil(k / 8) * 8 * dp * 2 > PACKED_B_BYTES) return null;
  const codes = new Int16Array(k * dp);
  const scale = new Float64Array(k);
  const cErr = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const o = j * d;
    let top = 0;
    for (let t = 0; t < d; t++) top = Math.max(top, Math.abs(c[o + t]));
    if (!(top < Infinity)) return null;
    if (top === 0) continue;
    const s = top / q;
    let e2 = 0;
    for (let t = 0; t < d; t++) {
      const v = Math.round(c[o + t] / s);
      codes[j * dp + t] = v;
      const e = c[o + t] - v * s;
      e2 += e * e;
    }
    scale[j] = s / 255;
    cErr[j] = 2 * (Math.sqrt(e2) * (1 + 2 ** -40) + Math.sqrt(d) * 2 ** -50 * top) * (1 + 2 ** -40);
  }
  return { c: codes, dp, scale, cErr };
}

/** Screened rescoring statistics (for benchmarks): exact pair evaluations per sample. */
export const nearestStats = { samples: 0, rescored: 0 };

/**
 * Nearest (and optionally second nearest) prototype of every sample: x is n x d with squared norms xn,
 * c is k x d with squared norms cn; the best is the smallest (score, index) pair, the second the
 * smallest after it. The GEMM screen runs when the WebAssembly kernels are active; the TypeScript GEMM
 * is not reliably faster than the plain loops (measured), so without WebAssembly the plain loops run.
 * Both give the same labels and scores bit for bit.
 */
export function nearestAll(x: Float32Array, xn: Float64Array, n: number, c: Float32Array, cn: Float64Array, k: number, d: number, out: NearestOut): void {
  if (wasmActive()) nearestScreened(x, xn, n, c, cn, k, d, out);
  else if (out.partials || out.codes) throw new Error('nearest: partial sums and integer codes need the WebAssembly kernels');
  else nearestPlain(x, xn, n, c, cn, k, d, out);
}

/**
 * out[q] = dot(x, xo[q], c, j[q] * d, d) for q < m: the exact dot products of the screen's survivors, each
 * summed in order t = 0..d-1 in one double exactly as `dot`: in the kernel memory when x and c are both
 * there, else in TypeScript four pairs at a time so that four independent additions are in flight
 * instead of one dependent chain.
 */
export function exactDots(x: Float32Array, c: Float32Array, d: number, xo: Int32Array, jj: Int32Array, m: number, out: Float64Array): void {
  // On the WebAssembly kernels when both operands are in the kernel memory (the same doubles: pairDots).
  const h = m >= 8 ? wasmActive() : null;
  if (h && pairDotsWasm(h, x, xo, c, jj, m, d, out)) return;
  let q = 0;
  for (; q + 4 <= m; q += 4) {
    const a0 = xo[q];
    const a1 = xo[q + 1];
    const a2 = xo[q + 2];
    const a3 = xo[q + 3];
    const b0 = jj[q] * d;
    const b1 = jj[q + 1] * d;
    const b2 = jj[q + 2] * d;
    const b3 = jj[q + 3] * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      s0 += x[a0 + t] * c[b0 + t];
      s1 += x[a1 + t] * c[b1 + t];
      s2 += x[a2 + t] * c[b2 + t];
      s3 += x[a3 + t] * c[b3 + t];
    }
    out[q] = s0;
    out[q + 1] = s1;
    out[q + 2] = s2;
    out[q + 3] = s3;
  }
  for (; q < m; q++) out[q] = dot(x, xo[q], c, jj[q] * d, d);
}

/** The plain loops (two samples at a time against every prototype): the reference the screen is tested against. */
export function nearestPlain(x: Float32Array, xn: Float64Array, n: number, c: Float32Array, cn: Float64Array, k: number, d: number, out: NearestOut): void {
  const buf = new Float64Array(Math.max(2, 2 * k));
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    rowDistances2(x, i * d, xn[i], xn[i + 1], c, cn, k, d, buf);
    pickTwo(buf, 0, k, i, out);
    pickTwo(buf, k, k, i + 1, out);
    if (out.lower) out.lower.set(buf.subarray(0, 2 * k), i * k);
  }
  for (; i < n; i++) {
    rowDistances(x, i * d, xn[i], c, cn, k, d, buf);
    pickTwo(buf, 0, k, i, out);
    if (out.lower) out.lower.set(buf.subarray(0, k), i * k);
  }
  const slack = out.lowerSlack;
  if (out.lower && slack) subtractSlack(out.lower, xn, n, k, slack.rel, slack.base);
}

/** lower[i * k + j] -= rel * (xn[i] + base) for i < n (NearestOut.lowerSlack). */
function subtractSlack(lower: Float64Array, xn: Float64Array, n: number, k: number, rel: number, base: number): void {
  for (let i = 0; i < n; i++) {
    const eps = rel * (xn[i] + base);
    for (let j = i * k; j < (i + 1) * k; j++) lower[j] = lower[j] - eps;
  }
}

function pickTwo(buf: Float64Array, o: number, k: number, i: number, out: NearestOut): void {
  let b1 = -1;
  let b2 = -1;
  let s1 = Infinity;
  let s2 = Infinity;
  for (let j = 0; j < k; j++) {
    const v = buf[o + j];
    if (b1 < 0 || v < s1) {
      b2 = b1;
      s2 = s1;
      b1 = j;
      s1 = v;
    } else if (b2 < 0 || v < s2) {
      b2 = j;
      s2 = v;
    }
  }
  out.labels[i] = b1;
  out.scores[i] = s1;
  if (out.second) {
    out.second.labels[i] = b2;
    out.second.scores[i] = b2 < 0 ? Infinity : s2;
  }
}

/** The screen's margins for rows of d values: relative (the float32 GEMM's) and absolute (subnormal products). */
export function screenMargins(d: number): { rel: number; abs: number } {
  return {
    // A float32 dot product of length d, products rounded and summed in any order, is within
    // gamma_d = d u / (1 - d u) of sum |x_t c_t|; 1.25 (d + 2) u covers it with room, plus the double
    // rounding of the other terms.
    rel: 1.25 * (d + 2) * 2 ** -24 + 2 ** -40,
    // Products in the subnormal range lose absolute, not relative, precision: at most 2^-149 each.
    abs: 2 * (d + 2) * 2 ** -149,
  };
}

/** The GEMM-screened pass (see the top of the file), whatever GEMM backend is active. */
export function nearestScreened(x: Float32Array, xn: Float64Array, n: number, c: Float32Array, cn: Float64Array, k: number, d: number, out: NearestOut): void {
  const { labels, scores, second, lower: lowOut } = out;
  if (k === 0) {
    labels.fill(-1, 0, n);
    scores.fill(Infinity, 0, n);
    if (second) {
      second.labels.fill(-1, 0, n);
      second.scores.fill(Infinity, 0, n);
    }
    return;
  }
  const rowsPer = Math.max(1, Math.min(MAX_ROWS, Math.floor(PRODUCTS / k)));
  const cRoot = new Float64Array(k);
  for (let j = 0; j < k; j++) cRoot[j] = Math.sqrt(cn[j]);
  const { rel, abs } = screenMargins(d);
  const slack = lowOut ? out.lowerSlack : undefined;
  const h = wasmActive();
  if (h) {
    // The whole block (GEMM, screen, exact rescoring, argmin) in one kernel call split over the threads.
    let rescored = 0;
    for (let i0 = 0; i0 < n; i0 += rowsPer) {
      const rows = Math.min(rowsPer, n - i0);
      rescored += nearestBlockWasm(h, x, i0, xn, rows, c, cn, cRoot, k, d, rel, abs, out, i0, slack?.rel ?? 0, slack?.base ?? 0);
    }
    nearestStats.samples += n;
    nearestStats.rescored += rescored;
    return;
  }
  if (prod.length < rowsPer * k) prod = new Float32Array(rowsPer * k);
  if (lower.length < k) lower = new Float64Array(k);
  const pr = prod;
  const low = lower;
  let rescored = 0;
  if (candRow.length < rowsPer * k) {
    candRow = new Int32Array(rowsPer * k);
    candJ = new Int32Array(rowsPer * k);
    candV = new Float64Array(rowsPer * k);
  }
  const cr = candRow;
  const cj = candJ;
  const cv = candV;
  const rowStart = new Int32Array(rowsPer + 1);
  for (let i0 = 0; i0 < n; i0 += rowsPer) {
    const rows = Math.min(rowsPer, n - i0);
    gemm(false, true, rows, k, d, 1, x, i0 * d, c, 0, 0, pr, 0);
    // The candidates of every row of the block, in ascending prototype order per row.
    let m = 0;
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const xi = xn[i];
      const xr = Math.sqrt(xi);
      const po = r * k;
      // Upper bounds: the smallest two (any prototype's exact score is at most its upper bound).
      let u1 = Infinity;
      let u2 = Infinity;
      for (let j = 0; j < k; j++) {
        const approx = xi + cn[j] - 2 * pr[po + j];
        const mg = 2 * rel * xr * cRoot[j] + rel * (xi + cn[j]) + abs;
        // Scores are clamped at 0 (fromDot), so no upper bound is below 0.
        const up = approx + mg > 0 ? approx + mg : 0;
        low[j] = approx - mg;
        if (lowOut) lowOut[i * k + j] = approx - mg;
        if (up < u1) {
          u2 = u1;
          u1 = up;
        } else if (up < u2) u2 = up;
      }
      const bound = second ? u2 : u1;
      rowStart[r] = m;
      for (let j = 0; j < k; j++) {
        if (low[j] > bound) continue;
        cr[m] = i * d;
        cj[m++] = j;
      }
    }
    rowStart[rows] = m;
    rescored += m;
    exactDots(x, c, d, cr, cj, m, cv);
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const xi = xn[i];
      let b1 = -1;
      let b2 = -1;
      let s1 = Infinity;
      let s2 = Infinity;
      for (let q = rowStart[r]; q < rowStart[r + 1]; q++) {
        const j = cj[q];
        const v = fromDot(xi, cn[j], cv[q]);
        if (lowOut) lowOut[i * k + j] = v;
        if (b1 < 0 || v < s1) {
          b2 = b1;
          s2 = s1;
          b1 = j;
          s1 = v;
        } else if (b2 < 0 || v < s2) {
          b2 = j;
          s2 = v;
        }
      }
      labels[i] = b1;
      scores[i] = s1;
      if (second) {
        second.labels[i] = b2;
        second.scores[i] = b2 < 0 ? Infinity : s2;
      }
    }
    if (slack && lowOut) subtractSlack(lowOut.subarray(i0 * k), xn.subarray(i0), rows, k, slack.rel, slack.base);
  }
  nearestStats.samples += n;
  nearestStats.rescored += rescored;
}

/** The nearest prototype of one sample and its squared distance (nearestOne). */
export interface Nearest {
  index: number;
  score: number;
}

let oneBuf = new Float64Array(64);

/**
 * Nearest of k rows of c (width d) to x[xo..xo+d) by direct squared distance (sqDist), lowest index on
 * ties, with that distance; index -1 and score Infinity when k = 0. The same index and score bit for bit
 * as nearestRow and sqDist: on the WebAssembly kernels when they are active and the prototypes are not
 * tiny (a float32 screen, then sqDist's doubles for the prototypes it cannot rule out:
 * nearestOneScreened; rowSqDistances over all of them when a screen value is not finite), else the
 * TypeScript loops. Writes into `out` and returns it.
 */
export function nearestOne(c: Float32Array, k: number, d: number, x: Float32Array, xo: number, out: Nearest = { index: -1, score: Infinity }): Nearest {
  let best = -1;
  let bv = Infinity;
  const h = k * d >= WASM_MIN_DISTANCE_VALUES ? wasmActive() : null;
  const screened = h ? nearestOneScreenedWasm(h, x, xo, c, k, d) : null;
  if (screened) {
    best = screened.index;
    bv = screened.score;
  } else if (h) {
    if (oneBuf.length < k) oneBuf = new Float64Array(Math.max(k, 2 * oneBuf.length));
    const buf = oneBuf;
    rowSqDistancesWasm(h, x, xo, c, k, d, buf);
    for (let j = 0; j < k; j++) {
      if (buf[j] < bv) {
        bv = buf[j];
        best = j;
      }
    }
  } else {
    for (let j = 0; j < k; j++) {
      const v = sqDist(x, xo, c, j * d, d);
      if (v < bv) {
        bv = v;
        best = j;
      }
    }
  }
  out.index = best;
  out.score = bv;
  return out;
}
