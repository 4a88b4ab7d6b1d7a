/**
 * Lloyd's assignment passes with distance bounds carried from one iteration to the next (Elkan's lower
 * bound per sample and centroid; Hamerly's one lower bound per sample when n x k bounds would not fit),
 * with exactly the labels of the plain pass (nearestAll: the double-precision scores fromDot(|x|^2, |c|^2,
 * x.c), x.c summed in order, argmin with ties to the lowest index), and its scores in a pass that asks for
 * them (the last of a call; a pass before it, which adds the cluster sums, wants only the labels).
 *
 * The bounds are on true (real-number) distances e_ij = |x_i - c_j|. An exact score s_ij is within
 * E_i = 4 (d + 4) u (|x_i|^2 + max_j |c_j|^2), u = 2^-53, of e_ij^2: the products of two float32 are exact
 * in double, so only the sums round (at most gamma_{d-1} times |x|^2, |c|^2 and sum |x_t c_t| <=
 * (|x|^2 + |c|^2) / 2, Higham 3.1), plus the three roundings of fromDot; the clamp at 0 only moves a score
 * toward e^2 >= 0. A pass records, for every sample it screens, a lower bound L_ij <= s_ij (the screen's
 * own bound, or the exact score where it computed one), kept as L_ij - E_i <= e_ij^2 with the pass number.
 * When centroid j has moved by at most D_j since then (the moves computed in double from the float32 rows,
 * inflated past their rounding, summed rounding up), e_ij >= sqrt(L_ij - E_i) - D_j (triangle inequality).
 * With r^2 >= s_ia + 2 E_i for the label a, L_ij - E_i > (r + D_j)^2 gives e_ij > r, so s_ij >= e_ij^2 -
 * E_i > s_ia: j cannot win, nor tie. Every quantity here is rounded away from the side it bounds (factors
 * 1 -+ 2^-50, far more than the rounding of the one or two operations each covers); nothing relies on
 * equality, and the test is strict.
 *
 * Per pass once the bounds are in use: every sample's exact score to its label (one exact dot product,
 * needed for the inertia anyway), then its bounds decide: no other centroid can be as close (kept), at
 * most FEW can (those rescored exactly: the argmin over the label and them is the argmin over all, since
 * every other score is strictly above the label's), or more can (the sample goes through the GEMM screen,
 * gathered into blocks, which records fresh bounds for every centroid). Hamerly's variant keeps
 * sqrt(min over j != a of L_ij - E_i) and subtracts the largest move of any other centroid each pass.
 *
 * On pixel codes (the integer screen, nearest.ts's centroidCodes) every pass after the first is sparse
 * (lloydSparseWasm): the label's screen gives an upper bound U >= s_ia, which stands in for s_ia above
 * (r^2 >= U + 2 E_i), so no exact score is needed to list the possible rivals; the label and they alone are
 * screened on their codes, and the survivors rescored exactly. After the first move a Fashion-MNIST sample
 * has about 9 possible rivals of 63, so a pass costs about a sixth of the full screen's products. The
 * bounds it records stay dated to the sample's stamp s: a fresh bound L (as of this pass) is stored as
 * (sqrt(L) + D)^2, D <= cum[now] - cum[s] (rounded down), so that at a later pass q, sqrt of it less
 * cum[q] - cum[s] is at most sqrt(L) less the moves since now, at most e_ij then. The other centroids'
 * bounds and the stamp are left as they are.
 */
import { wasmActive } from '../kernels/backend.js';
import { clusterSumsWasm, lloydBoundedWasm, lloydSparseWasm, normsCodesWasm, PartialSums, type ScreenCodes } from '../kernels/distanceWasm.js';
import { kernelThreads } from '../kernels/wasm/threads.js';
import { releaseCopy, residentCopy, residentRoom, selfOwnedF64, selfOwnedZeros } from '../kernels/resident.js';
import { residentOffset } from '../kernels/wasm/runtime.js';
import { fromDot, sqNorms, sumsExact } from './distance.js';
import { centroidCodes, exactDots, nearestAll, screenMargins, type CentroidCodes } from './nearest.js';

const U = 2 ** -53;
const UP = 1 + 2 ** -50;
const DOWN = 1 - 2 ** -50;
/** Samples per gathered screen block. */
const BLOCK = 2048;
/**
 * The most a block's rows may be off their pixel codes (2 |x - codes / 255| as normsCodesWasm bounds it) for
 * the integer screen: pixels / 255 are within about 1.3e-5 at 784 values (float32 roundings), which adds
 * about 1e-4 to a margin of about 0.015; other data takes the float32 screen.
 */
const PIXEL_ERR = 2 ** -12;
/** A sample with at most this many possible rivals has them rescored directly instead of screened. */
const FEW = 3;

/**
 * Passes screened in full (recording bounds) before the bounds are used, unless the pass can be sparse:
 * the first move from the start is too large for an exact score a sample to pay (Fashion-MNIST, k = 64,
 * random start: the bounds spared 20% of the samples the screen in the pass after it, fewer than the exact
 * scores they needed cost), but not for the sparse pass, which needs none.
 */
const FULL_PASSES = 2;

/**
 * Scratch shared by every pass and call, in the kernel memory when the wasm kernels are active (made
 * again when they are switched on or off), grown on demand.
 */
class Scratch {
  #a: Float32Array = new Float32Array(0);
  #for: object | null = null;

  /** At least n values (min when made). */
  get(n: number, min: number): Float32Array {
    const h = wasmActive();
    if (this.#a.length < n || this.#for !== h) {
      this.#a = selfOwnedZeros(Math.max(n, min));
      this.#for = h;
    }
    return this.#a;
  }
}

const gather = new Scratch();
const centroids = new Scratch();
const sumsRoom = new Scratch();

/**
 * One block for gathering samples: the GEMM and the exact dot products read it in place (the gathering
 * replaces the copy the GEMM would make).
 */
function gatherBlock(n: number): Float32Array {
  return gather.get(n, BLOCK * 784);
}

/** A pass's copy of the centroids (so no kernel call copies them in). */
function centroidCopy(c: Float32Array, kd: number): Float32Array {
  const r = centroids.get(kd, 1024).subarray(0, kd);
  r.set(c.subarray(0, kd));
  return r;
}

/** A pass's cluster sums (k x d doubles, zeroed), added to in place by the kernels. */
function sumsScratch(kd: number): Float64Array {
  const room = sumsRoom.get(2 * kd, 1024);
  // The Scratch keeps `room` referenced while the view is used (its room is released when it is collected).
  return new Float64Array(room.buffer, room.byteOffset, kd).fill(0);
}

/**
 * Per pass (for benchmarks and tests): samples kept by their bounds, rescored directly, screened; in a
 * sparse pass (every sample screened on its codes against its label and its possible rivals only), the
 * samples with no possible rival as kept, none rescored directly or screened in full, and how many rivals
 * in all.
 */
export interface LloydPassStats {
  samples: number;
  kept: number;
  direct: number;
  screened: number;
  rivals?: number;
}

/**
 * For tests only: the scale of every safety margin (1; 0 removes them, which the tests show to be wrong),
 * the most bounds kept per sample and centroid (below n x k, one bound per sample), how many calls
 * read their samples from a resident copy, how many passes took their cluster sums from the kernel threads'
 * partial sums, how many went back to sample order part-way (values whose sums depend on the order), and
 * how many blocks the integer screen took.
 */
export const lloydBoundsTesting = { margin: 1, maxPairBounds: 1 << 24, residentCopies: 0, partialPasses: 0, orderedFallbacks: 0, codeBlocks: 0, sparsePasses: 0 };

export class LloydBounds {
  readonly #x: Float32Array;
  /**
   * The samples in the kernel memory for the life of these bounds (one Lloyd call), so that no pass copies
   * them in again (each full pass did: 188 MB on Fashion-MNIST, on the calling thread while the other
   * threads waited): the caller's own when they are resident already, else a copy made here (#own); null
   * when the kernels are not active or a copy is over their data budget.
   */
  #rx: Float32Array | null;
  readonly #own: boolean;
  readonly #n: number;
  readonly #d: number;
  readonly #k: number;
  /** The samples' squared norms, filled block by block by the first pass (which screens every sample). */
  readonly #xn: Float64Array;
  #normsFilled = false;
  readonly #cn: Float64Array;
  /**
   * Elkan: lb[i * k + j] <= e_ij^2 as of pass stamp[i] (squared, so a screen's bounds are stored without a
   * square root each; the decay since then is cum[now] - cum[stamp], checked in the test). Hamerly:
   * lb[i] <= min over j != label of e_ij (a distance, decayed every pass).
   */
  readonly #pair: boolean;
  readonly #lb: Float64Array;
  readonly #stamp: Int32Array;
  /** cum[p * k + j] >= the summed moves of centroid j before pass p (rounded up at every addition). */
  #cum = new Float64Array(0);
  #passNo = 0;
  readonly #dots: Float64Array;
  /** The centroids of the previous pass (their moves bound the bounds' decay). */
  readonly #old: Float32Array;
  readonly #shift: Float64Array;
  /** false once the samples have shown values whose cluster sums depend on the order of addition (sumsExact). */
  #exact: boolean | undefined;
  #partials: PartialSums | null = null;
  /**
   * The samples' pixel codes (n x d bytes) and their error bounds, filled by the first pass, for the
   * integer screen (nearest.ts, centroidCodes): in the kernel memory when the samples are and there is
   * room, else null (the float32 screen). #codeRoom is the room they are in, given back by dispose.
   */
  #codeRoom: Float32Array | null;
  #codes: Uint8Array | null;
  readonly #xErr: Float64Array;
  /** Whether every sample is within PIXEL_ERR of its codes (known once a sparse pass is considered). */
  #codesOk: boolean | undefined;
  readonly margin = lloydBoundsTesting.margin;
  readonly stats: LloydPassStats[] = [];

  /**
   * `scratch`: the bounds array of an earlier call (scratch below) to reuse when large enough: a fresh
   * 30 MB array (60,000 x 64) costs about 100 ms of page faults as the first pass writes it.
   */
  constructor(x: Float32Array, n: number, d: number, k: number, scratch?: Float64Array) {
    this.#x = x;
    // Samples already in the kernel memory (a cluster source's, selfOwnedZeros 'data') are read where they are.
    const h = wasmActive();
    this.#own = !(h && residentOffset(h, x) >= 0);
    this.#rx = this.#own ? residentCopy(x.subarray(0, n * d)) : x.subarray(0, n * d);
    if (this.#rx && this.#own) lloydBoundsTesting.residentCopies++;
    this.#codeRoom = h && this.#rx ? residentRoom(Math.ceil((n * d) / 4)) : null;
    this.#codes = this.#codeRoom ? new Uint8Array(this.#codeRoom.buffer, this.#codeRoom.byteOffset, n * d) : null;
    this.#xErr = this.#codes ? selfOwnedF64(n) : new Float64Array(0);
    this.#n = n;
    this.#d = d;
    this.#k = k;
    this.#xn = new Float64Array(n);
    this.#cn = new Float64Array(k);
    // Bounds per sample and centroid up to 2^24 of them (doubles: 128 MB); beyond, one per sample.
    this.#pair = n * k <= lloydBoundsTesting.maxPairBounds;
    const need = this.#pair ? n * k : n;
    // Every entry is written by the first pass (which screens every sample) before it is read. In the
    // kernel memory when the kernels are active (their screen writes the bounds and the bounded passes read
    // them in place: 30 MB each way a pass on Fashion-MNIST at k = 64, copied before).
    const reuse = scratch && scratch.length >= need && (!h || residentOffset(h, scratch) >= 0);
    this.#lb = reuse && scratch ? scratch : selfOwnedF64(need);
    this.#stamp = new Int32Array(this.#pair ? n : 0);
    this.#old = new Float32Array(k * d);
    this.#shift = new Float64Array(k);
    this.#dots = new Float64Array(n);
  }

  /** Give the samples' kernel-memory copy back (the last pass is done). */
  dispose(): void {
    if (this.#rx && this.#own) releaseCopy(this.#rx);
    this.#rx = null;
    if (this.#codeRoom) releaseCopy(this.#codeRoom);
    this.#codeRoom = null;
    this.#codes = null;
  }

  /**
   * Rows [i0, i0 + rows) of the samples in the kernel memory: a view of the resident copy, or copied into
   * the gathering block.
   */
  #rows(i0: number, rows: number): Float32Array {
    const d = this.#d;
    if (this.#rx) return this.#rx.subarray(i0 * d, (i0 + rows) * d);
    const bx = gatherBlock(rows * d);
    bx.set(this.#x.subarray(i0 * d, (i0 + rows) * d));
    return bx;
  }

  /** The sum of the samples' squared norms (exact dot products, added in sample order), once a pass has run. */
  get normTotal(): number {
    if (!this.#normsFilled) throw new Error('Lloyd bounds: no pass has run');
    let s = 0;
    for (let i = 0; i < this.#n; i++) s += this.#xn[i];
    return s;
  }

  /** The bounds array, for a later call's constructor. */
  get scratch(): Float64Array {
    return this.#lb;
  }

  /**
   * Labels and exact scores of every sample against the k rows of c (which may have moved since the last
   * pass); with `sums` (k x d zeros), also every cluster's sum of its samples, the doubles of adding them
   * in sample order (in a full pass on the kernels, the threads add them in any order while the rows are in
   * cache as long as the values make every order's sums exact, sumsExact), and then only the labels are
   * sure (a pass before the last: a score may be NaN, see NearestOut.labelsOnly). `last`: no pass follows,
   * so a sparse pass need not keep its bounds.
   */
  pass(c0: Float32Array, labels: Int32Array, scores: Float64Array, sums?: Float64Array, last = false): void {
    const acc = sums ? sumsScratch(sums.length) : undefined;
    this.#pass(centroidCopy(c0, this.#k * this.#d), labels, scores, acc, last);
    if (sums && acc) sums.set(acc);
  }

  #pass(c: Float32Array, labels: Int32Array, scores: Float64Array, sums: Float64Array | undefined, last: boolean): void {
    const n = this.#n;
    const d = this.#d;
    const k = this.#k;
    const xn = this.#xn;
    const cn = sqNorms(c, k, d, this.#cn);
    const st: LloydPassStats = { samples: n, kept: 0, direct: 0, screened: 0 };
    this.stats.push(st);
    const p = this.#passNo++;
    if (this.#cum.length < (p + 1) * k) {
      const grown = new Float64Array(Math.max((p + 1) * k, 2 * this.#cum.length));
      grown.set(this.#cum);
      this.#cum = grown;
    }
    // A pass after the first on pixel codes: sparse.
    const sparse = p > 0 && this.#sparseReady(c);
    const full = () => {
      // Every sample's bounds restart from this pass (stamp p), so the moves count from here.
      this.#cum.fill(0, p * k, (p + 1) * k);
      this.#old.set(c.subarray(0, k * d));
      const all = new Int32Array(n);
      for (let i = 0; i < n; i++) all[i] = i;
      st.screened = n;
      // The blocks go in sample order, so the sums are added as each block's labels are known (or by the
      // kernel threads as they label their rows).
      this.#screen(c, all, n, labels, scores, sums, sums !== undefined);
    };
    if (p < FULL_PASSES && !sparse) {
      full();
      return;
    }
    const g = this.margin;
    let cnMax = 0;
    for (let j = 0; j < k; j++) if (cn[j] > cnMax) cnMax = cn[j];
    const epsRel = g * 4 * (d + 4) * U;
    const up = 1 + g * (UP - 1);
    const down = 1 - g * (1 - DOWN);
    // How far each centroid moved, rounded up past the rounding of the sum (relative (d + 5) u on S).
    const shift = this.#shift;
    const old = this.#old;
    const grow = 1 + g * (d + 8) * 2 ** -52;
    let s1 = 0;
    let s2 = 0;
    let j1 = -1;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = j * d; t < (j + 1) * d; t++) {
        const v = c[t] - old[t];
        s += v * v;
      }
      const sh = s === 0 ? 0 : Math.sqrt(s) * grow;
      shift[j] = sh;
      const before = this.#cum[(p - 1) * k + j];
      this.#cum[p * k + j] = sh === 0 ? before : (before + sh) * up;
      if (sh > s1) {
        s2 = s1;
        s1 = sh;
        j1 = j;
      } else if (sh > s2) s2 = sh;
    }
    old.set(c.subarray(0, k * d));
    // decay[s * k + j] >= the moves of centroid j from pass s to this one (rounded up).
    const cum = this.#cum;
    const decay = new Float64Array(p * k);
    for (let q = 0; q < p * k; q++) decay[q] = (cum[p * k + (q % k)] - cum[q]) * up;
    if (sparse) {
      if (this.#sparse(c, cn, decay, epsRel, cnMax, up, down, labels, scores, sums, last, st)) return;
      if (p < FULL_PASSES) {
        full();
        return;
      }
    }
    const stamp = this.#stamp;
    const lb = this.#lb;
    const screen = new Int32Array(n);
    let ns = 0;
    // Block by block: the samples in the kernel memory (read in place from the resident copy, or copied
    // in once, so the exact dot products run there, pairDots), every sample's exact score to its label
    // (needed for the inertia whatever the bounds say), the bounds' verdict, then the listed rivals' exact
    // scores.
    const rowsPer = Math.min(BLOCK, n);
    const xo = new Int32Array(rowsPer);
    for (let r = 0; r < rowsPer; r++) xo[r] = r * d;
    const dots = this.#dots;
    const dSample = new Int32Array(rowsPer);
    const dStart = new Int32Array(rowsPer + 1);
    const pJ = new Int32Array(rowsPer * FEW);
    const pX = new Int32Array(rowsPer * FEW);
    const pv = new Float64Array(rowsPer * FEW);
    // Elkan's case runs on the kernels (the same doubles, split over the threads) when they are active.
    const h = this.#pair ? wasmActive() : null;
    const verdict = new Int32Array(rowsPer);
    for (let i0 = 0; i0 < n; i0 += rowsPer) {
      const rows = Math.min(rowsPer, n - i0);
      const bx = this.#rows(i0, rows);
      const end = i0 + rows;
      if (h && lloydBoundedWasm(h, bx, rows, d, c, k, cn, decay, epsRel, cnMax, up, down, FEW, {
        labels: labels.subarray(i0, end), xn: xn.subarray(i0, end), lb: lb.subarray(i0 * k, end * k),
        stamp: stamp.subarray(i0, end), scores: scores.subarray(i0, end), verdict,
      })) {
        for (let rr = 0; rr < rows; rr++) {
          const v = verdict[rr];
          if (v === 0) st.kept++;
          else if (v === 1) st.direct++;
          else screen[ns++] = i0 + rr;
        }
        continue;
      }
      exactDots(bx, c, d, xo, labels.subarray(i0, i0 + rows), rows, dots);
      let nd = 0;
      let np = 0;
      for (let rr = 0; rr < rows; rr++) {
        const i = i0 + rr;
        const a = labels[i];
        const sa = fromDot(xn[i], cn[a], dots[rr]);
        scores[i] = sa;
        const eps = epsRel * (xn[i] + cnMax);
        // Any centroid j with e_ij > r scores strictly above s_ia (r^2 >= s_ia + 2 E_i; s_ij >= e_ij^2 - E_i).
        const r = Math.sqrt((sa + 2 * eps) * up) * up;
        const p0 = np;
        if (this.#pair) {
          const o = i * k;
          const so = stamp[i] * k;
          let many = false;
          // e_ij >= sqrt(lb) - decay > r unless listed.
          for (let j = 0; j < k; j++) {
            const w = (r + decay[so + j]) * up;
            if (j !== a && !(lb[o + j] * down > w * w * up)) {
              if (np - p0 < FEW) {
                pJ[np] = j;
                pX[np++] = rr * d;
              } else many = true;
            }
          }
          if (many) {
            np = p0;
            screen[ns++] = i;
            continue;
          }
        } else {
          let v = (lb[i] - (a === j1 ? s2 : s1)) * down;
          if (!(v > 0)) v = 0;
          lb[i] = v;
          if (!(v > r)) {
            screen[ns++] = i;
            continue;
          }
        }
        if (np === p0) {
          st.kept++;
          continue;
        }
        st.direct++;
        dSample[nd] = i;
        dStart[nd++] = p0;
      }
      dStart[nd] = np;
      if (np === 0) continue;
      exactDots(bx, c, d, pX, pJ, np, pv);
      // The argmin over the label and the listed rivals (every other score is strictly above the label's),
      // ties to the lowest index. The rivals' bounds stay as they were (still valid).
      for (let q = 0; q < nd; q++) {
        const i = dSample[q];
        let b = labels[i];
        let sb = scores[i];
        for (let p = dStart[q]; p < dStart[q + 1]; p++) {
          const j = pJ[p];
          const v = fromDot(xn[i], cn[j], pv[p]);
          if (v < sb || (v === sb && j < b)) {
            b = j;
            sb = v;
          }
        }
        labels[i] = b;
        scores[i] = sb;
      }
    }
    st.screened = ns;
    if (ns > 0) this.#screen(c, screen, ns, labels, scores, undefined, sums !== undefined);
    if (sums) this.#sums(labels, sums);
  }

  /**
   * Whether a pass can be sparse (lloydSparseWasm): on the kernels, Elkan's bounds, the samples, the
   * centroids and the bounds resident, and every sample within PIXEL_ERR of its pixel codes (the first pass
   * made them).
   */
  #sparseReady(c: Float32Array): boolean {
    const h = wasmActive();
    if (!h || !this.#pair || !this.#rx || !this.#codes || !this.#normsFilled) return false;
    if (residentOffset(h, c) < 0 || residentOffset(h, this.#lb) < 0) return false;
    if (this.#codesOk === undefined) {
      let worst = 0;
      for (let i = 0; i < this.#n; i++) worst = Math.max(worst, this.#xErr[i]);
      this.#codesOk = worst <= PIXEL_ERR;
    }
    return this.#codesOk;
  }

  /**
   * A sparse pass (lloydSparseWasm, block by block): every sample screened on its codes against its label
   * and its possible rivals only, their bounds rewritten (dated back to the sample's stamp) unless `last`;
   * with sums, the cluster sums from the kernel threads' partial sums (only the labels then sure, as a full
   * pass's), or in sample order when the values make them depend on the order (and every score exact).
   * false, having done nothing, when the centroids have no codes.
   */
  #sparse(
    c: Float32Array, cn: Float64Array, decay: Float64Array, epsRel: number, cnMax: number, up: number, down: number,
    labels: Int32Array, scores: Float64Array, sums: Float64Array | undefined, last: boolean, st: LloydPassStats,
  ): boolean {
    const n = this.#n;
    const d = this.#d;
    const k = this.#k;
    const h = wasmActive();
    const rx = this.#rx;
    const codes = this.#codes;
    const cc = centroidCodes(c, k, d);
    if (!h || !rx || !codes || !cc) return false;
    const partials = sums ? this.#partialSums() : null;
    const cRoot = new Float64Array(k);
    for (let j = 0; j < k; j++) cRoot[j] = Math.sqrt(cn[j]);
    const { abs } = screenMargins(d);
    const rivals = new Int32Array(Math.min(BLOCK, n));
    let total = 0;
    let none = 0;
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const rows = Math.min(BLOCK, n - i0);
      const end = i0 + rows;
      const block = {
        labels: labels.subarray(i0, end), xn: this.#xn.subarray(i0, end), lb: this.#lb.subarray(i0 * k, end * k),
        stamp: this.#stamp.subarray(i0, end), scores: scores.subarray(i0, end), rivals,
      };
      const q = { x: codes.subarray(i0 * d, end * d), xErr: this.#xErr.subarray(i0, end), ...cc };
      if (!lloydSparseWasm(h, rx.subarray(i0 * d, end * d), rows, d, c, k, cn, cRoot, decay, epsRel, cnMax, up, down, abs, last, q, partials, block)) {
        throw new Error('Lloyd bounds: a sparse pass lost an operand from the kernel memory');
      }
      for (let r = 0; r < rows; r++) {
        total += rivals[r];
        if (rivals[r] === 0) none++;
      }
    }
    st.kept = none;
    st.rivals = total;
    lloydBoundsTesting.sparsePasses++;
    if (!sums) return true;
    if (partials) {
      const { minNonzero, maxAbs } = partials.magnitudes();
      if (sumsExact(n, minNonzero, maxAbs)) {
        partials.total(sums);
        lloydBoundsTesting.partialPasses++;
        return true;
      }
      this.#exact = false;
      lloydBoundsTesting.orderedFallbacks++;
    }
    this.#sums(labels, sums);
    return true;
  }

  /**
   * sums[labels[i] * d + t] += x[i * d + t] for samples from..to-1 (all of them by default), in order: in
   * the kernel memory block by block when it is there.
   */
  #sums(labels: Int32Array, sums: Float64Array, from = 0, to = this.#n): void {
    const d = this.#d;
    const x = this.#x;
    const rowsPer = BLOCK;
    const h = wasmActive();
    for (let i0 = from; i0 < to; i0 += rowsPer) {
      const rows = Math.min(rowsPer, to - i0);
      if (h && clusterSumsWasm(h, this.#rows(i0, rows), rows, d, labels.subarray(i0, i0 + rows), sums)) continue;
      addRows(sums, x, i0, rows, d, labels.subarray(i0, i0 + rows));
    }
  }

  /**
   * The GEMM-screened pass over the listed samples, gathered in blocks; their bounds from its lower bounds.
   * With `sums`, the listed samples are all of them in order: each block's cluster sums are added from the
   * gathered block as soon as its labels are known. The first pass (every sample) also fills the norms.
   */
  #screen(c: Float32Array, idx: Int32Array, m: number, labels: Int32Array, scores: Float64Array, sums: Float64Array | undefined, labelsOnly: boolean): void {
    const pass = this.#passNo - 1;
    const d = this.#d;
    const k = this.#k;
    const x = this.#x;
    const xn = this.#xn;
    const cn = this.#cn;
    const lb = this.#lb;
    let cnMax = 0;
    for (let j = 0; j < k; j++) if (cn[j] > cnMax) cnMax = cn[j];
    const g = this.margin;
    const epsRel = g * 4 * (d + 4) * U;
    const down = 1 - g * (1 - DOWN);
    const rowsPer = Math.min(BLOCK, m);
    const rx = this.#rx;
    const gathered = gatherBlock(rowsPer * d);
    const bn = new Float64Array(rowsPer);
    const bl = new Int32Array(rowsPer);
    const bs = new Float64Array(rowsPer);
    const low = new Float64Array(rowsPer * k);
    const pair = this.#pair;
    // The first pass screens every sample in order and computes their norms as it gathers them (the
    // norms as exact dot products of each row with itself: sqNorms's doubles, in the kernel memory).
    const norms = !this.#normsFilled;
    this.#normsFilled = true;
    const rowIdx = norms ? Int32Array.from({ length: rowsPer }, (_, r) => r) : null;
    const rowOff = norms ? rowIdx!.map((r) => r * d) : null;
    // Elkan's bounds are the screen's lower bounds less each sample's rounding margin (written so by the screen).
    const slack = pair ? { rel: epsRel, base: cnMax } : undefined;
    // With sums (a full pass, every sample in order), the kernel threads add each block's rows to partial
    // sums while the rows are in cache, for as long as the values seen keep every order's sums exact.
    let partials = sums ? this.#partialSums() : null;
    // The prototypes' codes for this pass, made for its first block of consecutive samples (a bounded pass's
    // gathered blocks take the float32 screen); null: the float32 screen throughout.
    let cc: CentroidCodes | null | undefined;
    for (let q0 = 0; q0 < m; q0 += rowsPer) {
      const rows = Math.min(rowsPer, m - q0);
      // A block of consecutive samples (a full pass's) is read in place from the resident copy.
      const first = idx[q0];
      const run = idx[q0 + rows - 1] === first + rows - 1;
      const bx = rx && run ? rx.subarray(first * d, (first + rows) * d) : gathered;
      for (let r = 0; r < rows; ) {
        // Runs of consecutive samples in one copy.
        const i = idx[q0 + r];
        let e = r + 1;
        while (e < rows && idx[q0 + e] === i + (e - r)) e++;
        if (bx === gathered) bx.set((rx ?? x).subarray(i * d, (i + e - r) * d), r * d);
        if (!norms) for (let q = r; q < e; q++) bn[q] = xn[i + q - r];
        r = e;
      }
      if (norms) {
        // With the block's pixel codes as its rows pass (a first pass's blocks are all runs in order).
        const h = wasmActive();
        const codes = this.#codes;
        if (!(codes && h && run && normsCodesWasm(h, bx, rows, d, bn, codes.subarray(first * d, (first + rows) * d), this.#xErr.subarray(first, first + rows)))) {
          this.#codes = null;
          exactDots(bx, bx, d, rowOff!, rowIdx!, rows, bn);
        }
        for (let r = 0; r < rows; r++) xn[idx[q0 + r]] = bn[r];
      }
      // The integer screen for a run of samples whose codes are all within PIXEL_ERR of them (pixels / 255).
      let codes: ScreenCodes | undefined;
      if (run && this.#codes && cc === undefined) cc = centroidCodes(c, k, d);
      if (cc && run && this.#codes) {
        let worst = 0;
        for (let r = 0; r < rows; r++) worst = Math.max(worst, this.#xErr[first + r]);
        if (worst <= PIXEL_ERR) codes = { x: this.#codes.subarray(first * d, (first + rows) * d), xErr: this.#xErr.subarray(first, first + rows), ...cc };
      }
      // A block of consecutive samples has its bounds written in place.
      const inPlace = pair && run;
      const lower = inPlace ? lb.subarray(first * k, (first + rows) * k) : low;
      if (sums && !run) throw new Error('Lloyd bounds: a pass with sums screens every sample in order');
      const fused = partials !== null;
      nearestAll(bx, bn, rows, c, cn, k, d, { labels: bl, scores: bs, lower, lowerSlack: slack, labelsOnly, partials: fused ? partials! : undefined, codes });
      if (codes) lloydBoundsTesting.codeBlocks++;
      if (fused) {
        const { minNonzero, maxAbs } = partials!.magnitudes();
        if (!sumsExact(this.#n, minNonzero, maxAbs)) {
          // Not exact in every order: the sample-order sums from the first sample on, and from now on.
          this.#exact = false;
          partials = null;
          lloydBoundsTesting.orderedFallbacks++;
          for (let r = 0; r < rows; r++) labels[idx[q0 + r]] = bl[r];
          this.#sums(labels, sums!, 0, first + rows);
        }
      } else if (sums) {
        const h = wasmActive();
        if (!h || !clusterSumsWasm(h, bx, rows, d, bl, sums)) addRows(sums, bx, 0, rows, d, bl);
      }
      for (let r = 0; r < rows; r++) {
        const i = idx[q0 + r];
        const b = bl[r];
        labels[i] = b;
        scores[i] = bs[r];
        const lo = r * k;
        if (pair) {
          this.#stamp[i] = pass;
          if (!inPlace) lb.set(low.subarray(lo, lo + k), i * k);
        } else {
          const eps = epsRel * (xn[i] + cnMax);
          let mn = Infinity;
          for (let j = 0; j < k; j++) if (j !== b && low[lo + j] < mn) mn = low[lo + j];
          const l = mn - eps;
          lb[i] = l > 0 ? Math.sqrt(l) * down : 0;
        }
      }
    }
    if (partials) {
      partials.total(sums!);
      lloydBoundsTesting.partialPasses++;
    }
  }

  /**
   * The kernel threads' partial sums for a full pass (reset), or null: without the kernels, when their
   * memory has no room, or once the samples have shown values whose sums depend on the order.
   */
  #partialSums(): PartialSums | null {
    const h = wasmActive();
    if (!h || !this.#rx || this.#exact === false) return null;
    if (!this.#partials || this.#partials.threads !== kernelThreads(h)) this.#partials = PartialSums.make(h, this.#k, this.#d);
    this.#partials?.reset();
    return this.#partials;
  }
}

/** sums[labels[r] * d + t] += x[(i0 + r) * d + t] for r < rows in order, each value one double addition. */
export function addRows(sums: Float64Array, x: Float32Array, i0: number, rows: number, d: number, labels: Int32Array): void {
  for (let r = 0; r < rows; r++) addRow(sums, labels[r] * d, x, (i0 + r) * d, d);
}

/**
 * sums[so..so+d) += x[xo..xo+d), each value one double addition (so every cluster sum adds its samples
 * in sample order); four values per pass, loads before stores, which V8 runs about 1.6x faster.
 */
function addRow(sums: Float64Array, so: number, x: Float32Array, xo: number, d: number): void {
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const s0 = sums[so + t] + x[xo + t];
    const s1 = sums[so + t + 1] + x[xo + t + 1];
    const s2 = sums[so + t + 2] + x[xo + t + 2];
    const s3 = sums[so + t + 3] + x[xo + t + 3];
    sums[so + t] = s0;
    sums[so + t + 1] = s1;
    sums[so + t + 2] = s2;
    sums[so + t + 3] = s3;
  }
  for (; t < d; t++) sums[so + t] += x[xo + t];
}
