// AssemblyScript source of the engine's WebAssembly SIMD kernels (compiled by scripts/build-wasm.mjs
// into binary.ts). Every pointer is a byte offset into this module's memory, every matrix row-major
// and densely packed; the TypeScript wrappers in ../wasm*.ts copy operands in and results out.
// The file ends in .as (not .ts) so the engine's TypeScript typecheck and lint leave it alone.
//
// GEMM shape (BLIS/GotoBLAS, as gemm.ts): a KC-deep slab of op(B) is packed into 8-column panels, an
// MC x KC block of op(A) into 4-row panels, and a 4x8 micro-kernel keeps eight f32x4 accumulators
// in registers while it streams both panels.
// Two builds come from this file: plain SIMD, and relaxed SIMD whose micro-kernel uses f32x4.relaxed_madd
// (fused multiply-add where the CPU has it; some 15-30% faster here); the loader prefers the second.

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 512;
const MC: i32 = 128;
const NC: i32 = 2048;

// Threads: the memory is shared (imported), each thread runs its own instance of this module on it, and
// wasm globals are per instance, so each thread's GEMM packing buffers sit at addresses its instance
// was given by setScratch. Kernels that split work take (tid, nt) last: thread tid of nt does its share
// (nt = 1: all of it). Every split keeps each output value's arithmetic exactly as in one thread, so
// results are bit-identical whatever the thread count; the JavaScript side (../wasm/threads.ts) starts
// the same call on every thread and waits for all of them.
let packA: usize = 0;
let packB: usize = 0;
let edge: usize = 0;

/** First byte after the static data: the JavaScript side manages memory from here on. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** Bytes of one thread's GEMM scratch (packed A block, packed B slab, edge tile, packing table). */
export function scratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4 + PT_BYTES;
}

/** This instance's GEMM scratch: scratchBytes() bytes from base (16-byte aligned), for its thread alone. */
export function setScratch(base: usize): void {
  packA = base;
  packB = base + <usize>(MC * KC * 4);
  edge = packB + <usize>(KC * NC * 4);
  ptab = edge + <usize>(MR * NR * 4);
}

/** [lo, hi) of thread tid's share of `units` work units split over nt threads (contiguous, in order). */
@inline function shareLo(units: i32, tid: i32, nt: i32): i32 {
  return <i32>((<i64>units * tid) / nt);
}

/**
 * Where thread tid's share starts when `count` items are shared in whole groups of `size` (the last group
 * may be short); thread tid's share ends where tid + 1's starts.
 */
@inline function groupShareLo(count: i32, size: i32, tid: i32, nt: i32): i32 {
  return min(count, shareLo((count + size - 1) / size, tid, nt) * size);
}

/**
 * Work split into a fixed number of chunks that does not depend on the thread count: a reduction
 * (weight gradients summed over samples) adds one partial per chunk, in chunk order, so the sum is the
 * same for any number of threads. Chunk c of `groups` covers groups [groups*c/C, groups*(c+1)/C).
 */
const CHUNKS: i32 = 8;

export function chunksFor(groups: i32): i32 {
  return min(groups, CHUNKS);
}

/**
 * Units (groups of samples, chunks) taken from a counter: the i32 at `next`, 0 before the call, which every
 * thread bumps for its next unit, so a thread that starts late or runs slow on a shared core takes fewer.
 * Each unit's arithmetic is the same whichever thread takes it (its own scratch, its own partial), so the
 * results do not change. With next = 0 each thread takes its static share [shareLo(tid), shareLo(tid + 1)).
 */
@inline function firstUnit(next: usize, units: i32, tid: i32, nt: i32): i32 {
  return next ? atomic.add<i32>(next, 1) : shareLo(units, tid, nt);
}

@inline function unitsEnd(next: usize, units: i32, tid: i32, nt: i32): i32 {
  return next ? units : shareLo(units, tid + 1, nt);
}

@inline function nextUnit(next: usize, unit: i32): i32 {
  return next ? atomic.add<i32>(next, 1) : unit + 1;
}

/**
 * dst[i] += parts[0][i] + ... in order (each of `count` partials len floats, 16-byte aligned apart by
 * stride bytes) for thread tid's share of i: the fixed-order reduction of the chunked kernels below.
 */
export function addPartials(dst: usize, parts: usize, count: i32, len: i32, stride: i32, tid: i32, nt: i32): void {
  const lo = groupShareLo(len, 4, tid, nt);
  const hi = groupShareLo(len, 4, tid + 1, nt);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    let acc = v128.load(dst + o);
    for (let c = 0; c < count; c++) acc = f32x4.add(acc, v128.load(parts + <usize>c * stride + o));
    v128.store(dst + o, acc);
  }
  for (; i < hi; i++) {
    const o = <usize>i << 2;
    let acc = load<f32>(dst + o);
    for (let c = 0; c < count; c++) acc += load<f32>(parts + <usize>c * stride + o);
    store<f32>(dst + o, acc);
  }
}

@inline function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** c[0..len) *= beta (beta = 0 overwrites with zeros, so NaN in C is ignored). */
export function scale(c: usize, len: i32, beta: f32): void {
  if (beta == 1) return;
  if (beta == 0) {
    memory.fill(c, 0, <usize>len << 2);
    return;
  }
  const vb = f32x4.splat(beta);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const p = c + (<usize>i << 2);
    v128.store(p, f32x4.mul(v128.load(p), vb));
  }
  for (; i < len; i++) {
    const p = c + (<usize>i << 2);
    store<f32>(p, load<f32>(p) * beta);
  }
}

/**
 * C[m x n] = alpha * op(A) * op(B) + beta * C (A stored k x m when transA, B stored n x k when transB),
 * densely packed; thread tid of nt computes its share of C's columns (when n >= m) or rows, in whole
 * micro-kernel panels. Every C value sums its k products in the same blocks and order however C is
 * split, so the result does not depend on nt.
 */
export function gemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, b: usize, beta: f32, c: usize, tid: i32, nt: i32): void {
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  if (nt <= 1) {
    gemmLd(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
  } else if (n >= m) {
    const panels = (n + NR - 1) / NR;
    const j0 = shareLo(panels, tid, nt) * NR;
    const j1 = min(n, shareLo(panels, tid + 1, nt) * NR);
    if (j1 <= j0) return;
    const bOff = transB ? <usize>j0 * ldb : <usize>j0;
    gemmLd(transA, transB, m, j1 - j0, k, alpha, a, lda, b + (bOff << 2), ldb, beta, c + (<usize>j0 << 2), n);
  } else {
    const panels = (m + MR - 1) / MR;
    const i0 = shareLo(panels, tid, nt) * MR;
    const i1 = min(m, shareLo(panels, tid + 1, nt) * MR);
    if (i1 <= i0) return;
    const aOff = transA ? <usize>i0 : <usize>i0 * lda;
    gemmLd(transA, transB, i1 - i0, n, k, alpha, a + (aOff << 2), lda, b, ldb, beta, c + ((<usize>i0 * n) << 2), n);
  }
}

/** The GEMM on strided operands: row p of stored A starts lda floats after row p - 1, likewise B (ldb), C (ldc). */
function gemmLd(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
): void {
  // With beta = 0 the first k block writes C (0 + its sums, the bits zeroing C first then adding gave)
  // instead of a pass that zeroes C and loads that reread the zeros.
  const over = beta == 0 && m > 0 && n > 0 && k > 0 && alpha != 0;
  if (!over) {
    if (ldc == n) scale(c, m * n, beta);
    else for (let i = 0; i < m; i++) scale(c + ((<usize>i * ldc) << 2), n, beta);
  }
  if (m == 0 || n == 0 || k == 0 || alpha == 0) return;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packPanelsB(transB, b, ldb, pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packPanelsA(transA, a, lda, ic, mc, pc, kc);
        macroKernel(mc, nc, kc, alpha, c + ((<usize>ic * ldc + jc) << 2), ldc, over && pc == 0);
      }
    }
  }
}

/** Store the transpose of the 4x4 block with rows r0..r3 as four vectors, `step` bytes apart from dst. */
@inline function transpose4x4To(dst: usize, step: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** op(B)[pc:pc+kc, jc:jc+nc] as ceil(nc/8) panels of kc rows x 8 columns, zero-padded. */
function packPanelsB(transB: i32, b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32): void {
  let dst = packB;
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = min(NR, nc - jp);
    const j0 = jc + jp;
    if (!transB) {
      let src = b + ((<usize>pc * ldb + j0) << 2);
      const step = <usize>ldb << 2;
      if (cols == NR) {
        for (let p = 0; p < kc; p++, src += step, dst += NR << 2) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        }
      } else {
        for (let p = 0; p < kc; p++, src += step, dst += NR << 2) {
          for (let q = 0; q < NR; q++) store<f32>(dst + (q << 2), q < cols ? load<f32>(src + (q << 2)) : 0);
        }
      }
    } else {
      const base = b + ((<usize>j0 * ldb + pc) << 2);
      const ld = <usize>ldb << 2;
      if (cols == NR) {
        let p = 0;
        // Four k-steps at a time: 4x4 transposes of the eight source rows in registers.
        for (; p + 4 <= kc; p += 4, dst += NR << 4) {
          const s = base + (<usize>p << 2);
          transpose4x4To(dst, 32, v128.load(s), v128.load(s + ld), v128.load(s + 2 * ld), v128.load(s + 3 * ld));
          transpose4x4To(dst + 16, 32, v128.load(s + 4 * ld), v128.load(s + 5 * ld), v128.load(s + 6 * ld), v128.load(s + 7 * ld));
        }
        for (; p < kc; p++, dst += NR << 2) {
          const s = base + (<usize>p << 2);
          store<f32>(dst, load<f32>(s));
          store<f32>(dst, load<f32>(s + ld), 4);
          store<f32>(dst, load<f32>(s + 2 * ld), 8);
          store<f32>(dst, load<f32>(s + 3 * ld), 12);
          store<f32>(dst, load<f32>(s + 4 * ld), 16);
          store<f32>(dst, load<f32>(s + 5 * ld), 20);
          store<f32>(dst, load<f32>(s + 6 * ld), 24);
          store<f32>(dst, load<f32>(s + 7 * ld), 28);
        }
      } else {
        for (let p = 0; p < kc; p++, dst += NR << 2) {
          const s = base + (<usize>p << 2);
          for (let q = 0; q < NR; q++) store<f32>(dst + (q << 2), q < cols ? load<f32>(s + q * ld) : 0);
        }
      }
    }
  }
}

/** op(A)[ic:ic+mc, pc:pc+kc] as ceil(mc/4) panels of kc columns x 4 rows, zero-padded. */
function packPanelsA(transA: i32, a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32): void {
  let dst = packA;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    const i0 = ic + ip;
    if (!transA) {
      const base = a + ((<usize>i0 * lda + pc) << 2);
      const ld = <usize>lda << 2;
      if (rows == MR) {
        let p = 0;
        for (; p + 4 <= kc; p += 4, dst += MR << 4) {
          const s = base + (<usize>p << 2);
          transpose4x4To(dst, 16, v128.load(s), v128.load(s + ld), v128.load(s + 2 * ld), v128.load(s + 3 * ld));
        }
        for (; p < kc; p++, dst += MR << 2) {
          const s = base + (<usize>p << 2);
          store<f32>(dst, load<f32>(s));
          store<f32>(dst, load<f32>(s + ld), 4);
          store<f32>(dst, load<f32>(s + 2 * ld), 8);
          store<f32>(dst, load<f32>(s + 3 * ld), 12);
        }
      } else {
        for (let p = 0; p < kc; p++, dst += MR << 2) {
          const s = base + (<usize>p << 2);
          for (let r = 0; r < MR; r++) store<f32>(dst + (r << 2), r < rows ? load<f32>(s + r * ld) : 0);
        }
      }
    } else {
      let src = a + ((<usize>pc * lda + i0) << 2);
      const step = <usize>lda << 2;
      if (rows == MR) {
        for (let p = 0; p < kc; p++, src += step, dst += MR << 2) v128.store(dst, v128.load(src));
      } else {
        for (let p = 0; p < kc; p++, src += step, dst += MR << 2) {
          for (let r = 0; r < MR; r++) store<f32>(dst + (r << 2), r < rows ? load<f32>(src + (r << 2)) : 0);
        }
      }
    }
  }
}

/** C += alpha * (packed A block x packed B slab); with `over`, C = 0 + alpha * (...) without reading C. */
function macroKernel(mc: i32, nc: i32, kc: i32, alpha: f32, c: usize, ldc: i32, over: bool): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bPanel = packB + ((<usize>jr * kc) << 2);
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      microKernel(kc, packA + ((<usize>ir * kc) << 2), bPanel, alpha, c + ((<usize>ir * ldc + jr) << 2), ldc, mr, nr, over);
    }
  }
}

/** c + a * b; fused (one rounding) in the relaxed-SIMD build where the hardware has FMA. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** The 4x8 register tile: eight f32x4 accumulators over kc rank-1 updates of packed panels. */
@inline function microKernel(kc: i32, pa: usize, pb: usize, alpha: f32, c: usize, ldc: i32, mr: i32, nr: i32, over: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++, pa += MR << 2, pb += NR << 2) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(pa, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(pa, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(pa, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
  }
  const va = f32x4.splat(alpha);
  if (mr == MR && nr == NR && over) {
    const ld = <usize>ldc << 2;
    const z = f32x4.splat(0);
    let p = c;
    v128.store(p, f32x4.add(z, f32x4.mul(va, c00)));
    v128.store(p, f32x4.add(z, f32x4.mul(va, c01)), 16);
    p += ld;
    v128.store(p, f32x4.add(z, f32x4.mul(va, c10)));
    v128.store(p, f32x4.add(z, f32x4.mul(va, c11)), 16);
    p += ld;
    v128.store(p, f32x4.add(z, f32x4.mul(va, c20)));
    v128.store(p, f32x4.add(z, f32x4.mul(va, c21)), 16);
    p += ld;
    v128.store(p, f32x4.add(z, f32x4.mul(va, c30)));
    v128.store(p, f32x4.add(z, f32x4.mul(va, c31)), 16);
    return;
  }
  if (mr == MR && nr == NR) {
    const ld = <usize>ldc << 2;
    let p = c;
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c00)));
    v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c01)), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c10)));
    v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c11)), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c20)));
    v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c21)), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c30)));
    v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c31)), 16);
    return;
  }
  // Edge tile: write only the valid mr x nr corner.
  v128.store(edge, f32x4.mul(va, c00));
  v128.store(edge, f32x4.mul(va, c01), 16);
  v128.store(edge, f32x4.mul(va, c10), 32);
  v128.store(edge, f32x4.mul(va, c11), 48);
  v128.store(edge, f32x4.mul(va, c20), 64);
  v128.store(edge, f32x4.mul(va, c21), 80);
  v128.store(edge, f32x4.mul(va, c30), 96);
  v128.store(edge, f32x4.mul(va, c31), 112);
  for (let r = 0; r < mr; r++) {
    const row = c + ((<usize>r * ldc) << 2);
    for (let q = 0; q < nr; q++) {
      const p = row + (<usize>q << 2);
      store<f32>(p, (over ? <f32>0 : load<f32>(p)) + load<f32>(edge + ((<usize>(r * NR + q)) << 2)));
    }
  }
}

// ---- im2col / col2im for one NCHW image (same layout as ../im2col.ts) ----

/** Copy `count` floats (short rows: an inline loop beats memory.copy's call for a few dozen values). */
@inline function copyF32(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Zero `count` floats. */
@inline function zeroF32(dst: usize, count: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), 0);
}

@inline function firstValid(off: i32, stride: i32, outSize: i32): i32 {
  return off >= 0 ? 0 : min(outSize, (-off + stride - 1) / stride);
}

@inline function endValid(off: i32, stride: i32, size: i32, outSize: i32, lo: i32): i32 {
  const hi = size - 1 - off < 0 ? 0 : min(outSize, (size - 1 - off) / stride + 1);
  return hi > lo ? hi : lo;
}

/** Fill col with the [C*kH*kW, outH*outW] column matrix of the image at x. */
export function im2col(
  x: usize, col: usize, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  im2colLd(x, col, outH * outW, channels, height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
}

// ---- im2col and col2im through a channel's phase planes (dilation 1, any stride) ----
// With the image zero-padded to P, tap (i, j) of output (oy, ox) reads P[oy*sH + i][ox*sW + j] = phase
// plane (i % sH, j % sW) at [oy + i / sH][ox + j / sW], where phase (a, b) holds P[u*sH + a][v*sW + b] for
// u < qH = outH + (kH - 1) / sH and v < qW = outW + (kW - 1) / sW. So each tap's outH x outW block of the
// column matrix is outH contiguous runs of outW values of one phase plane: no bounds check, no stride and
// no padding test per value (on the DCGAN's 7-wide strided rows the plain loop spent most of its time on
// those). One channel's planes at a time, in this thread's packA (no GEMM runs during im2col or col2im).
// col2im gathers dx into the planes, adds the taps into them in the plain loop's order (each value of dx
// gets the same additions in the same order) and writes the planes back, so both keep the plain bits.

/** Floats of one channel's phase planes, at most what the path takes (else the plain loops run). */
const PHASE_FLOATS: i32 = 16384;

/** The phase planes' floats for this geometry, or 0 when the phase path does not apply. */
@inline function phaseFloats(kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32): i32 {
  if (dilationH != 1 || dilationW != 1) return 0;
  const planes = <i64>min(strideH, kernelH) * min(strideW, kernelW);
  const floats = planes * (outH + (kernelH - 1) / strideH) * (outW + (kernelW - 1) / strideW);
  return floats <= PHASE_FLOATS ? <i32>floats : 0;
}

/**
 * Channel plane `src` (height x width) into its phase planes at q (plane (a, b) at q + (a * nb + b) * qH * qW
 * floats, nb = min(strideW, kernelW)), padding and uncovered cells zero; `back` writes the planes' cells that
 * lie in the image back into src instead. Row by row of the image: a row goes to one row of nb planes.
 */
function phasePlanes(
  src: usize, q: usize, height: i32, width: i32, kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, qH: i32, qW: i32, back: bool,
): void {
  const na = min(strideH, kernelH);
  const nb = min(strideW, kernelW);
  const planeBytes = (<usize>qH * qW) << 2;
  if (!back) zeroF32(q, na * nb * qH * qW);
  // (a, u) = the phase and row of padded row y + padTop, stepped without a division per row.
  for (let y = 0, a = padTop % strideH, u = padTop / strideH; y < height; y++) {
    if (y > 0 && ++a == strideH) {
      a = 0;
      u++;
    }
    if (a >= na || u >= qH) continue;
    const row = src + ((<usize>y * width) << 2);
    const cells = q + <usize>(a * nb) * planeBytes + ((<usize>u * qW) << 2); // plane (a, 0), row u
    let x = 0;
    if (strideW == 1) {
      // One plane: v = x + padLeft.
      const n = min(width, qW - padLeft);
      if (n > 0) {
        if (back) copyF32(row, cells + (<usize>padLeft << 2), n);
        else copyF32(cells + (<usize>padLeft << 2), row, n);
      }
      continue;
    }
    if (strideW == 2 && nb == 2) {
      // Eight values: the even lanes are one plane's four neighbouring cells, the odd lanes the other's. The
      // chunks start at even x; an even row's last chunk may overlap the one before (the same cells and values).
      const even = cells + <usize>(padLeft & 1) * planeBytes;
      const odd = cells + <usize>(1 - (padLeft & 1)) * planeBytes;
      const last = width - 8;
      for (; x <= last && (x + 1 + padLeft) / 2 + 3 < qW; x += 8) phasePair(row, even, odd, x, padLeft, back);
      if (x > last && x < width && last > 0 && (last & 1) == 0 && (last + 1 + padLeft) / 2 + 3 < qW) {
        phasePair(row, even, odd, last, padLeft, back);
        x = width;
      }
    }
    if (x >= width) continue;
    // The rest value by value, (b, v) stepped without a division per value.
    for (let xp = x + padLeft, b = xp % strideW, v = xp / strideW; x < width; x++) {
      if (b < nb && v < qW) {
        const cell = cells + <usize>b * planeBytes + (<usize>v << 2);
        if (back) store<f32>(row + (<usize>x << 2), load<f32>(cell));
        else store<f32>(cell, load<f32>(row + (<usize>x << 2)));
      }
      if (++b == strideW) {
        b = 0;
        v++;
      }
    }
  }
}

/** Row values [x, x + 8) (x even) to or from the cells of the even and odd planes that hold them. */
@inline function phasePair(row: usize, even: usize, odd: usize, x: i32, padLeft: i32, back: bool): void {
  const s = row + (<usize>x << 2);
  const e = even + (<usize>((x + padLeft) >> 1) << 2);
  const o = odd + (<usize>((x + 1 + padLeft) >> 1) << 2);
  if (back) {
    const ve = v128.load(e);
    const vo = v128.load(o);
    v128.store(s, v128.shuffle<f32>(ve, vo, 0, 4, 1, 5));
    v128.store(s, v128.shuffle<f32>(ve, vo, 2, 6, 3, 7), 16);
  } else {
    const v0 = v128.load(s);
    const v1 = v128.load(s, 16);
    v128.store(e, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6));
    v128.store(o, v128.shuffle<f32>(v0, v1, 1, 3, 5, 7));
  }
}

/** im2colLd through the phase planes (phaseFloats(...) > 0). */
function im2colPhases(
  x: usize, col: usize, ld: i32, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const qH = outH + (kernelH - 1) / strideH;
  const qW = outW + (kernelW - 1) / strideW;
  const nb = min(strideW, kernelW);
  const q = packA;
  const ldBytes = <usize>ld << 2;
  const qRow = <usize>qW << 2;
  const outRow = <usize>outW << 2;
  let rowStart = col;
  for (let c = 0; c < channels; c++) {
    phasePlanes(x + ((<usize>c * height * width) << 2), q, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, qH, qW, false);
    // Tap (i, j) reads plane (ia, jb) from row iu, column jv (i = iu * strideH + ia, j = jv * strideW + jb).
    for (let i = 0, ia = 0, iu = 0; i < kernelH; i++) {
      for (let j = 0, jb = 0, jv = 0; j < kernelW; j++, rowStart += ldBytes) {
        let src = q + ((<usize>(ia * nb + jb) * qH * qW + <usize>iu * qW + jv) << 2);
        if (++jb == strideW) {
          jb = 0;
          jv++;
        }
        let dst = rowStart;
        if (outW >= 4) {
          const tail = <usize>(outW - 4) << 2;
          for (let oy = 0; oy < outH; oy++, src += qRow, dst += outRow) {
            for (let ox = 0; ox + 4 <= outW; ox += 4) v128.store(dst + (<usize>ox << 2), v128.load(src + (<usize>ox << 2)));
            v128.store(dst + tail, v128.load(src + tail)); // the last four again (the same values)
          }
        } else {
          for (let oy = 0; oy < outH; oy++, src += qRow, dst += outRow) {
            for (let ox = 0; ox < outW; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>ox << 2)));
          }
        }
      }
      if (++ia == strideH) {
        ia = 0;
        iu++;
      }
    }
  }
}

/** col2imLd through the phase planes (phaseFloats(...) > 0). */
function col2imPhases(
  col: usize, ld: i32, dx: usize, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const qH = outH + (kernelH - 1) / strideH;
  const qW = outW + (kernelW - 1) / strideW;
  const nb = min(strideW, kernelW);
  const q = packA;
  const ldBytes = <usize>ld << 2;
  const qRow = <usize>qW << 2;
  const outRow = <usize>outW << 2;
  let rowStart = col;
  for (let c = 0; c < channels; c++) {
    const plane = dx + ((<usize>c * height * width) << 2);
    phasePlanes(plane, q, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, qH, qW, false);
    for (let i = 0, ia = 0, iu = 0; i < kernelH; i++) {
      for (let j = 0, jb = 0, jv = 0; j < kernelW; j++, rowStart += ldBytes) {
        let dst = q + ((<usize>(ia * nb + jb) * qH * qW + <usize>iu * qW + jv) << 2);
        if (++jb == strideW) {
          jb = 0;
          jv++;
        }
        let src = rowStart;
        for (let oy = 0; oy < outH; oy++, src += outRow, dst += qRow) {
          let ox = 0;
          for (; ox + 4 <= outW; ox += 4) {
            const d = dst + (<usize>ox << 2);
            v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>ox << 2))));
          }
          for (; ox < outW; ox++) {
            const d = dst + (<usize>ox << 2);
            store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
          }
        }
      }
      if (++ia == strideH) {
        ia = 0;
        iu++;
      }
    }
    phasePlanes(plane, q, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, qH, qW, true);
  }
}

/**
 * im2col into a wider matrix: row R of the image's column matrix starts at col + R*ld floats. With
 * ld = S*outH*outW and col advanced by s*outH*outW, S images share one [C*kH*kW, S*outH*outW] matrix.
 */
function im2colLd(
  x: usize, col: usize, ld: i32, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  if (phaseFloats(kernelH, kernelW, strideH, strideW, dilationH, dilationW, outH, outW) > 0) {
    im2colPhases(x, col, ld, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, outH, outW);
    return;
  }
  const rowBytes = <usize>outW << 2;
  const ldBytes = <usize>ld << 2;
  let rowStart = col;
  for (let c = 0; c < channels; c++) {
    const plane = x + ((<usize>c * height * width) << 2);
    for (let i = 0; i < kernelH; i++) {
      const offY = i * dilationH - padTop;
      for (let j = 0; j < kernelW; j++, rowStart += ldBytes) {
        const offX = j * dilationW - padLeft;
        const lo = firstValid(offX, strideW, outW);
        const hi = endValid(offX, strideW, width, outW, lo);
        let dst = rowStart;
        for (let oy = 0; oy < outH; oy++, dst += rowBytes) {
          const iy = oy * strideH + offY;
          if (iy < 0 || iy >= height) {
            zeroF32(dst, outW);
            continue;
          }
          const row = plane + ((<usize>(iy * width + offX)) << 2);
          if (lo > 0) zeroF32(dst, lo);
          if (strideW == 1) {
            copyF32(dst + (<usize>lo << 2), row + (<usize>lo << 2), hi - lo);
          } else {
            let ox = lo;
            if (strideW == 2) {
              // Four outputs from two loads and a shuffle of the even lanes, while all 8 loaded values lie in the row.
              for (; ox + 4 <= hi && (ox + 3) * 2 + 1 + offX < width; ox += 4) {
                const s = row + (<usize>ox << 3);
                v128.store(dst + (<usize>ox << 2), v128.shuffle<f32>(v128.load(s), v128.load(s, 16), 0, 2, 4, 6));
              }
            }
            for (; ox < hi; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(row + (<usize>(ox * strideW) << 2)));
          }
          if (hi < outW) zeroF32(dst + (<usize>hi << 2), outW - hi);
        }
      }
    }
  }
}

/** The adjoint of im2col: ADD each column entry back into the image at dx (padding dropped). */
export function col2im(
  col: usize, dx: usize, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  col2imLd(col, outH * outW, dx, channels, height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
}

/** col2im from a wider matrix whose rows start ld floats apart (the adjoint of im2colLd). */
function col2imLd(
  col: usize, ld: i32, dx: usize, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  if (strideW == 1 && phaseFloats(kernelH, kernelW, strideH, strideW, dilationH, dilationW, outH, outW) > 0) {
    col2imPhases(col, ld, dx, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, outH, outW);
    return;
  }
  const rowBytes = <usize>outW << 2;
  const ldBytes = <usize>ld << 2;
  let rowStart = col;
  for (let c = 0; c < channels; c++) {
    const plane = dx + ((<usize>c * height * width) << 2);
    for (let i = 0; i < kernelH; i++) {
      const offY = i * dilationH - padTop;
      for (let j = 0; j < kernelW; j++, rowStart += ldBytes) {
        const offX = j * dilationW - padLeft;
        const lo = firstValid(offX, strideW, outW);
        const hi = endValid(offX, strideW, width, outW, lo);
        let src = rowStart;
        for (let oy = 0; oy < outH; oy++, src += rowBytes) {
          const iy = oy * strideH + offY;
          if (iy < 0 || iy >= height) continue;
          const row = plane + ((<usize>(iy * width + offX)) << 2);
          if (strideW == 1) {
            let ox = lo;
            for (; ox + 4 <= hi; ox += 4) {
              const d = row + (<usize>ox << 2);
              v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>ox << 2))));
            }
            for (; ox < hi; ox++) {
              const d = row + (<usize>ox << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
            }
          } else {
            let ox = lo;
            if (strideW == 2) {
              // Add four column values into the even lanes of eight image values (odd lanes add 0).
              const z = f32x4.splat(0);
              for (; ox + 4 <= hi && (ox + 3) * 2 + 1 + offX < width; ox += 4) {
                const d = row + (<usize>ox << 3);
                const v = v128.load(src + (<usize>ox << 2));
                v128.store(d, f32x4.add(v128.load(d), v128.shuffle<f32>(v, z, 0, 4, 1, 4)));
                v128.store(d, f32x4.add(v128.load(d, 16), v128.shuffle<f32>(v, z, 2, 4, 3, 4)), 16);
              }
            }
            for (; ox < hi; ox++) {
              const d = row + (<usize>(ox * strideW) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
            }
          }
        }
      }
    }
  }
}

/** y[c*plane + i] += bias[c] for channels planes. */
export function addChannelBias(y: usize, channels: i32, plane: i32, bias: usize): void {
  for (let c = 0; c < channels; c++) {
    const b = load<f32>(bias + (<usize>c << 2));
    const vb = f32x4.splat(b);
    const start = y + ((<usize>c * plane) << 2);
    let i = 0;
    for (; i + 4 <= plane; i += 4) {
      const p = start + (<usize>i << 2);
      v128.store(p, f32x4.add(v128.load(p), vb));
    }
    for (; i < plane; i++) {
      const p = start + (<usize>i << 2);
      store<f32>(p, load<f32>(p) + b);
    }
  }
}

/** y[i, j] += b[j] over a rows x cols matrix (a dense layer's bias; the same float additions as a scalar loop). */
export function addRowBias(y: usize, rows: i32, cols: i32, b: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = y + ((<usize>i * cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(b + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, load<f32>(row + o) + load<f32>(b + o));
    }
  }
}

/**
 * out[j] += d[i, j] for i = 0, 1, ... rows - 1 in that order (a bias gradient: each column sums its rows
 * one after another, as the scalar loop does, so the result is the same bit for bit).
 */
export function sumRowsInto(d: usize, rows: i32, cols: i32, out: usize): void {
  const stride = <usize>cols << 2;
  let j = 0;
  // 16 columns (a cache line of each row) at a time, then 4, then one
  for (; j + 16 <= cols; j += 16) {
    const o = <usize>j << 2;
    let a0 = v128.load(out + o), a1 = v128.load(out + o, 16), a2 = v128.load(out + o, 32), a3 = v128.load(out + o, 48);
    let p = d + o;
    for (let i = 0; i < rows; i++, p += stride) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
    v128.store(out + o, a0);
    v128.store(out + o, a1, 16);
    v128.store(out + o, a2, 32);
    v128.store(out + o, a3, 48);
  }
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    let acc = v128.load(out + o);
    for (let i = 0; i < rows; i++) acc = f32x4.add(acc, v128.load(d + ((<usize>i * cols) << 2) + o));
    v128.store(out + o, acc);
  }
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    let acc = load<f32>(out + o);
    for (let i = 0; i < rows; i++) acc += load<f32>(d + ((<usize>i * cols) << 2) + o);
    store<f32>(out + o, acc);
  }
}

/** out[c] += sum over the plane of channel c. */
export function sumChannels(d: usize, channels: i32, plane: i32, out: usize): void {
  for (let c = 0; c < channels; c++) {
    const start = d + ((<usize>c * plane) << 2);
    let acc = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= plane; i += 4) acc = f32x4.add(acc, v128.load(start + (<usize>i << 2)));
    let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; i < plane; i++) s += load<f32>(start + (<usize>i << 2));
    const o = out + (<usize>c << 2);
    store<f32>(o, load<f32>(o) + s);
  }
}

/** [S, C, p] (S samples from src) -> [C, S*p] at dst: channel c of sample s lands at column s*p. */
function gatherChannels(src: usize, dst: usize, samples: i32, channels: i32, p: i32): void {
  const sp = <usize>samples * p;
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < channels; c++) {
      copyF32(dst + ((<usize>c * sp + <usize>s * p) << 2), src + ((<usize>(s * channels + c) * p) << 2), p);
    }
  }
}

/** The inverse of gatherChannels: [C, S*p] at src -> [S, C, p] at dst. */
function scatterChannels(src: usize, dst: usize, samples: i32, channels: i32, p: i32): void {
  const sp = <usize>samples * p;
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < channels; c++) {
      copyF32(dst + ((<usize>(s * channels + c) * p) << 2), src + ((<usize>c * sp + <usize>s * p) << 2), p);
    }
  }
}

// ---- the forward convolution's GEMM with im2col fused into the packing of B ----
// The column matrix of a group of images is never written out: packPanelsIm2col builds each packed
// 8-column panel of it straight from the images (the same values im2colLd and packPanelsB would place
// there, padding as zeros), and gemmIm2col runs gemmLd's blocking and micro-kernel on those panels, so
// every output value is the same sum in the same order as im2col + gemm give, bit for bit.

// The images whose column matrix gemmIm2col multiplies (set by conv2dForward; globals are per instance,
// so per thread). cvX: the group's first image; cvImg: bytes per image; cvP: columns per image.
let cvX: usize = 0;
let cvImg: usize = 0;
let cvP: i32 = 0;
let cvH: i32 = 0;
let cvW: i32 = 0;
let cvKH: i32 = 0;
let cvKW: i32 = 0;
let cvSH: i32 = 0;
let cvSW: i32 = 0;
let cvDH: i32 = 0;
let cvDW: i32 = 0;
let cvPT: i32 = 0;
let cvPL: i32 = 0;
let cvOW: i32 = 0;
// The whole batch's images [cvLo, cvHi): loads there are in bounds even when they stray into padding.
let cvLo: usize = 0;
let cvHi: usize = 0;
const LANES = i32x4(0, 1, 2, 3);
const FOUR = i32x4(4, 4, 4, 4);

/** All ones in the lanes whose column at = x + lane lies inside an image row of width w. */
@inline function inRow(at: v128, w: v128): v128 {
  return v128.and(i32x4.ge_s(at, i32x4.splat(0)), i32x4.lt_s(at, w));
}

/** Rows [pc, pc+kc) of columns [jc, jc+nc) of the images' column matrix, as packPanelsB(0, col, ...) packs them. */
function packPanelsIm2col(pc: i32, kc: i32, jc: i32, nc: i32): void {
  const kk = cvKH * cvKW;
  const c0 = pc / kk;
  const ki0 = (pc - c0 * kk) / cvKW;
  const kj0 = pc - c0 * kk - ki0 * cvKW;
  const plane = (<usize>cvH * cvW) << 2;
  const zero = f32x4.splat(0);
  let dst = packB;
  for (let jp = 0; jp < nc; jp += NR, dst += (<usize>kc * NR) << 2) {
    const cols = min(NR, nc - jp);
    const j0 = jc + jp;
    const s = j0 / cvP;
    const o = j0 - s * cvP;
    const oy = o / cvOW;
    const ox = o - oy * cvOW;
    if (cols == NR && cvSW == 1 && ox + NR <= cvOW) {
      // Eight neighbouring outputs of one image row: each panel row is 8 neighbouring inputs.
      const img = cvX + <usize>s * cvImg;
      const y0 = oy * cvSH - cvPT;
      const x0 = ox - cvPL;
      let c = c0, ki = ki0, kj = kj0;
      let d = dst;
      for (let q = 0; q < kc; q++, d += NR << 2) {
        const iy = y0 + ki * cvDH;
        const ix = x0 + kj * cvDW;
        if (iy < 0 || iy >= cvH) {
          v128.store(d, zero);
          v128.store(d, zero, 16);
        } else {
          const row = img + <usize>c * plane + ((<usize>iy * cvW) << 2);
          if (ix >= 0 && ix + NR <= cvW) {
            const src = row + (<usize>ix << 2);
            v128.store(d, v128.load(src));
            v128.store(d, v128.load(src, 16), 16);
          } else if (<isize>row + (<isize>ix << 2) >= <isize>cvLo && <isize>row + (<isize>(ix + NR) << 2) <= <isize>cvHi) {
            // Partly in the padding, the 8 loads inside the batch: load them all, keep the lanes inside the row.
            const src = <usize>(<isize>row + (<isize>ix << 2));
            const at = i32x4.add(i32x4.splat(ix), LANES);
            const in0 = inRow(at, i32x4.splat(cvW));
            const in1 = inRow(i32x4.add(at, FOUR), i32x4.splat(cvW));
            v128.store(d, v128.and(v128.load(src), in0));
            v128.store(d, v128.and(v128.load(src, 16), in1), 16);
          } else {
            for (let t = 0; t < NR; t++) {
              const xx = ix + t;
              store<f32>(d + (<usize>t << 2), xx >= 0 && xx < cvW ? load<f32>(row + (<usize>xx << 2)) : 0);
            }
          }
        }
        if (++kj == cvKW) {
          kj = 0;
          if (++ki == cvKH) {
            ki = 0;
            c++;
          }
        }
      }
    } else if (cols == NR && cvSW == 1 && cvOW >= NR && o + NR <= cvP) {
      // Eight outputs across one row seam of one image: lanes [0, a) end output row oy, lanes [a, 8) start
      // row oy + 1. Each panel row is two runs of neighbouring inputs: two 8-wide loads, each keeping its
      // own lanes inside its image row (the rest zero), joined by an or. The same values as column by column.
      const a = cvOW - ox;
      const img = cvX + <usize>s * cvImg;
      const y0 = oy * cvSH - cvPT;
      const y1 = y0 + cvSH;
      const aV = i32x4.splat(a);
      const lanes1 = i32x4.add(LANES, FOUR);
      const first0 = i32x4.lt_s(LANES, aV);
      const first1 = i32x4.lt_s(lanes1, aV);
      const wV = i32x4.splat(cvW);
      let c = c0, ki = ki0, kj = kj0;
      let d = dst;
      for (let q = 0; q < kc; q++, d += NR << 2) {
        const iy1 = y0 + ki * cvDH;
        const iy2 = y1 + ki * cvDH;
        const ix1 = ox - cvPL + kj * cvDW; // lane t < a reads x = ix1 + t of row iy1
        const ix2 = ix1 - cvOW; // lane t >= a reads x = ix2 + t (= t - a - padding + kj dilation) of row iy2
        const cp = img + <usize>c * plane;
        const src1 = <isize>cp + ((<isize>iy1 * cvW + ix1) << 2);
        const src2 = <isize>cp + ((<isize>iy2 * cvW + ix2) << 2);
        const in1 = iy1 >= 0 && iy1 < cvH;
        const in2 = iy2 >= 0 && iy2 < cvH;
        if ((!in1 || (src1 >= <isize>cvLo && src1 + (NR << 2) <= <isize>cvHi)) && (!in2 || (src2 >= <isize>cvLo && src2 + (NR << 2) <= <isize>cvHi))) {
          let lo = zero;
          let hi = zero;
          if (in1) {
            const at = i32x4.add(i32x4.splat(ix1), LANES);
            const m0 = v128.and(first0, inRow(at, wV));
            const m1 = v128.and(first1, inRow(i32x4.add(at, FOUR), wV));
            lo = v128.and(v128.load(<usize>src1), m0);
            hi = v128.and(v128.load(<usize>src1, 16), m1);
          }
          if (in2) {
            const at = i32x4.add(i32x4.splat(ix2), LANES);
            const m0 = v128.andnot(inRow(at, wV), first0);
            const m1 = v128.andnot(inRow(i32x4.add(at, FOUR), wV), first1);
            lo = v128.or(lo, v128.and(v128.load(<usize>src2), m0));
            hi = v128.or(hi, v128.and(v128.load(<usize>src2, 16), m1));
          }
          v128.store(d, lo);
          v128.store(d, hi, 16);
        } else {
          for (let t = 0; t < NR; t++) {
            const iy = t < a ? iy1 : iy2;
            const xx = (t < a ? ix1 : ix2) + t;
            store<f32>(d + (<usize>t << 2), iy >= 0 && iy < cvH && xx >= 0 && xx < cvW ? load<f32>(cp + ((<usize>iy * cvW + xx) << 2)) : 0);
          }
        }
        if (++kj == cvKW) {
          kj = 0;
          if (++ki == cvKH) {
            ki = 0;
            c++;
          }
        }
      }
    } else if (cvKH * cvKW <= PT_TAPS) {
      packPanelTable(dst, j0, cols, kc, c0, ki0 * cvKW + kj0);
    } else {
      // Any other panel (its columns cross an image row or image, a stride, the zero-padded last one): column by column.
      for (let t = 0; t < NR; t++) {
        let d = dst + (<usize>t << 2);
        if (t >= cols) {
          for (let q = 0; q < kc; q++, d += NR << 2) store<f32>(d, 0);
          continue;
        }
        const j = j0 + t;
        const st = j / cvP;
        const ot = j - st * cvP;
        const oyt = ot / cvOW;
        const img = cvX + <usize>st * cvImg;
        const y0 = oyt * cvSH - cvPT;
        const x0 = (ot - oyt * cvOW) * cvSW - cvPL;
        let c = c0, ki = ki0, kj = kj0;
        for (let q = 0; q < kc; q++, d += NR << 2) {
          const iy = y0 + ki * cvDH;
          const ix = x0 + kj * cvDW;
          store<f32>(d, iy >= 0 && iy < cvH && ix >= 0 && ix < cvW ? load<f32>(img + <usize>c * plane + ((<usize>iy * cvW + ix) << 2)) : 0);
          if (++kj == cvKW) {
            kj = 0;
            if (++ki == cvKH) {
              ki = 0;
              c++;
            }
          }
        }
      }
    }
  }
}

// ---- fused forward packing by a table: panels no faster path takes (strided convolutions, columns
// across image rows or images, the last panel) ----
// For each of the panel's 8 columns and each kernel tap e = ki * kW + kj, the table holds the address of
// the input that tap reads in channel 0 and the step to the next channel (the plane), or, in the padding
// and past the last column, a zero cell and step 0. Each panel row (channel c, tap e) is then 8 loads
// from address + c * step: the same values the column-by-column path places, without a bounds check per
// value. The table lives in the thread's scratch (ptab: PT_TAPS * NR addresses, as many steps, a zero cell).

/** Kernel taps (kH * kW) the table holds; larger kernels take the column-by-column path. */
const PT_TAPS: i32 = 64;
const PT_BYTES: i32 = PT_TAPS * NR * 8 + 16;
let ptab: usize = 0;

/** Panel at dst of columns [j0, j0 + cols) (zeros past cols), rows from channel c0, tap e0, kc of them. */
function packPanelTable(dst: usize, j0: i32, cols: i32, kc: i32, c0: i32, e0: i32): void {
  const taps = cvKH * cvKW;
  const steps = ptab + <usize>(PT_TAPS * NR * 4);
  const zeroAt = ptab + <usize>(PT_TAPS * NR * 8);
  store<f32>(zeroAt, 0);
  const plane = (<u32>cvH * cvW) << 2;
  for (let t = 0; t < NR; t++) {
    let img: usize = 0;
    let y0 = 0, x0 = 0;
    if (t < cols) {
      const j = j0 + t;
      const st = j / cvP;
      const ot = j - st * cvP;
      const oyt = ot / cvOW;
      img = cvX + <usize>st * cvImg;
      y0 = oyt * cvSH - cvPT;
      x0 = (ot - oyt * cvOW) * cvSW - cvPL;
    }
    for (let ki = 0, e = 0; ki < cvKH; ki++) {
      const iy = y0 + ki * cvDH;
      for (let kj = 0; kj < cvKW; kj++, e++) {
        const ix = x0 + kj * cvDW;
        const inside = t < cols && iy >= 0 && iy < cvH && ix >= 0 && ix < cvW;
        const at = <usize>(e * NR + t) << 2;
        store<u32>(ptab + at, inside ? <u32>(img + ((<usize>iy * cvW + ix) << 2)) : <u32>zeroAt);
        store<u32>(steps + at, inside ? plane : 0);
      }
    }
  }
  let c = c0, e = e0;
  let vc = i32x4.splat(c);
  let d = dst;
  for (let q = 0; q < kc; q++, d += NR << 2) {
    const at = <usize>(e * NR) << 2;
    const a0 = i32x4.add(v128.load(ptab + at), i32x4.mul(vc, v128.load(steps + at)));
    const a1 = i32x4.add(v128.load(ptab + at, 16), i32x4.mul(vc, v128.load(steps + at, 16)));
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a0, 0)));
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a0, 1)), 4);
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a0, 2)), 8);
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a0, 3)), 12);
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a1, 0)), 16);
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a1, 1)), 20);
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a1, 2)), 24);
    store<f32>(d, load<f32>(<usize>i32x4.extract_lane(a1, 3)), 28);
    if (++e == taps) {
      e = 0;
      vc = i32x4.splat(++c);
    }
  }
}

/** C[m x n] = A[m x k] * (the images' column matrix, k x n): gemmLd(0, 0, m, n, k, 1, a, k, col, n, 0, c, n) without col. */
function gemmIm2col(m: i32, n: i32, k: i32, a: usize, c: usize): void {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    scale(c, m * n, 0);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packPanelsIm2col(pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packPanelsA(0, a, k, ic, mc, pc, kc);
        macroKernel(mc, nc, kc, 1, c + ((<usize>ic * n + jc) << 2), n, pc == 0);
      }
    }
  }
}

// ---- whole-batch convolution (same contract as ../conv2d.ts), one call per batch and thread ----
// `group` samples share one column matrix [C*kH*kW, group*outH*outW] and so one GEMM per step (small
// grids such as 7x7 make per-sample GEMMs too narrow to fill the micro-kernel); `mat` is scratch for the
// matching [channels, group*outH*outW] operand or result. col and mat hold one such region per thread
// (colBytes / matBytes apart, 16-byte aligned): col r*group*p values, mat filters*group*p (conv2d) or
// inChannels*group*p (transposed). conv2dForward with `fused` set does not use col: its GEMM packs the
// column matrix straight from the images (gemmIm2col); without it, im2col then the GEMM (the same values
// in the same order, so the same bits: convWasm.ts says which layers take which path). Forward passes
// share the groups (the direct and Winograd paths: the images) among the threads, backward passes split
// them into chunksFor(groups) chunks: chunk c sums its weight and bias gradients into partial c at
// `parts` (weight partials wBytes apart, then bias partials bBytes apart), and addPartials adds the
// partials to dw and db in chunk order afterwards. The threads take groups, images or chunks from the
// call's counter at `next` (firstUnit), so a thread that starts late takes fewer; a unit's arithmetic
// does not depend on the thread that takes it.

@inline function align16(bytes: usize): usize {
  return (bytes + 15) & ~15;
}

// ---- direct convolution: stride 1, dilation 1, few taps per output (a first layer on gray or colour images) ----
// There the GEMM's packing costs about as much as its multiply-adds (25 taps x 6 filters on LeNet-5's
// first layer) and a 4-row micro-tile wastes a third on 6 filters. Each image is copied once into a
// zero-bordered plane (rows of a multiple of 8 outputs plus kW - 1), and every 8 neighbouring outputs of
// 4 filters are summed tap by tap in the order (channel, ky, kx) with the micro-kernel's madd from 0,
// then 0 + sum + bias: the arithmetic of im2col + GEMM + addChannelBias, so the same bits.

/** The direct path's per-thread scratch in floats: splatted weights, then the zero-bordered image, then 32 for a row's tail. */
export function convDirectScratch(filters: i32, channels: i32, kernelH: i32, kernelW: i32, outH: i32, outW: i32): i32 {
  return 4 * filters * channels * kernelH * kernelW + channels * (outH + kernelH - 1) * (((outW + 7) & ~7) + kernelW - 1) + 32;
}

@inline function directTail(y: usize, tmp: usize, count: i32, v0: v128, v1: v128): void {
  v128.store(tmp, v0);
  v128.store(tmp, v1, 16);
  for (let t = 0; t < count; t++) store<f32>(y + (<usize>t << 2), load<f32>(tmp + (<usize>t << 2)));
}

/** One channel's first `rows` rows (`cols` values each) of an image into its zero-bordered plane, at (padTop, padLeft). */
@inline function padPlane(plane: usize, src: usize, rows: i32, cols: i32, width: i32, wpBytes: usize, padTop: i32, padLeft: i32): void {
  for (let iy = 0; iy < rows; iy++) {
    copyF32(plane + <usize>(iy + padTop) * wpBytes + (<usize>padLeft << 2), src + ((<usize>(iy * width)) << 2), cols);
  }
}

/** 8 outputs of `nf` (1 or 4) filters from f at (oy, ox), into y (one image's output planes). */
@inline function directBlock(
  nf: i32, f: i32, wv: usize, r: i32, pad: usize, planeBytes: usize, wpBytes: usize, channels: i32, kernelH: i32, kernelW: i32,
  oy: i32, ox: i32, bias: usize, y: usize, p: i32, outW: i32, tmp: usize,
): void {
  const zero = f32x4.splat(0);
  let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
  const rBytes = <usize>r << 4;
  let wp = wv + ((<usize>f * r) << 4);
  for (let c = 0; c < channels; c++) {
    let row = pad + <usize>c * planeBytes + <usize>oy * wpBytes + (<usize>ox << 2);
    for (let ky = 0; ky < kernelH; ky++, row += wpBytes) {
      for (let kx = 0; kx < kernelW; kx++, wp += 16) {
        const src = row + (<usize>kx << 2);
        const x0 = v128.load(src);
        const x1 = v128.load(src, 16);
        let wt = v128.load(wp);
        a00 = madd(wt, x0, a00);
        a01 = madd(wt, x1, a01);
        if (nf == 4) {
          wt = v128.load(wp + rBytes);
          a10 = madd(wt, x0, a10);
          a11 = madd(wt, x1, a11);
          wt = v128.load(wp + 2 * rBytes);
          a20 = madd(wt, x0, a20);
          a21 = madd(wt, x1, a21);
          wt = v128.load(wp + 3 * rBytes);
          a30 = madd(wt, x0, a30);
          a31 = madd(wt, x1, a31);
        }
      }
    }
  }
  const count = min(8, outW - ox);
  for (let i = 0; i < nf; i++) {
    let v0 = i == 0 ? a00 : i == 1 ? a10 : i == 2 ? a20 : a30;
    let v1 = i == 0 ? a01 : i == 1 ? a11 : i == 2 ? a21 : a31;
    v0 = f32x4.add(zero, v0);
    v1 = f32x4.add(zero, v1);
    if (bias) {
      const b = v128.load32_splat(bias + (<usize>(f + i) << 2));
      v0 = f32x4.add(v0, b);
      v1 = f32x4.add(v1, b);
    }
    const dst = y + ((<usize>(f + i) * p + <usize>oy * outW + ox) << 2);
    if (count == 8) {
      v128.store(dst, v0);
      v128.store(dst, v1, 16);
    } else directTail(dst, tmp, count, v0, v1);
  }
}

/** conv2dForward's direct path for images [s0, s1) (scratch: convDirectScratch floats of this thread's own). */
function convDirect(
  x: usize, s0: i32, s1: i32, w: usize, filters: i32, bias: usize, y: usize, scratch: usize,
  channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  relu: bool = false,
  next: usize = 0,
): void {
  if (s0 >= s1) return;
  const r = channels * kernelH * kernelW;
  const p = outH * outW;
  const wp = ((outW + 7) & ~7) + kernelW - 1;
  const hp = outH + kernelH - 1;
  const wpBytes = <usize>wp << 2;
  const planeBytes = <usize>hp * wpBytes;
  const wv = scratch;
  for (let i = 0; i < filters * r; i++) v128.store(wv + (<usize>i << 4), v128.load32_splat(w + (<usize>i << 2)));
  const pad = wv + ((<usize>filters * r) << 4);
  const tmp = pad + <usize>channels * planeBytes;
  memory.fill(pad, 0, <usize>channels * planeBytes);
  // The rows of an image that land inside the bordered plane (a 'valid' layer may not read all of them).
  const rows = min(height, hp - padTop);
  const cols = min(width, wp - padLeft);
  const img = <usize>channels * height * width;
  for (let s = s0; s < s1; s = nextUnit(next, s)) {
    const xs = x + ((<usize>s * img) << 2);
    for (let c = 0; c < channels; c++) {
      padPlane(pad + <usize>c * planeBytes, xs + ((<usize>c * height * width) << 2), rows, cols, width, wpBytes, padTop, padLeft);
    }
    const ys = y + ((<usize>s * filters * p) << 2);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox += 8) {
        let f = 0;
        for (; f + 4 <= filters; f += 4) directBlock(4, f, wv, r, pad, planeBytes, wpBytes, channels, kernelH, kernelW, oy, ox, bias, ys, p, outW, tmp);
        for (; f < filters; f++) directBlock(1, f, wv, r, pad, planeBytes, wpBytes, channels, kernelH, kernelW, oy, ox, bias, ys, p, outW, tmp);
      }
    }
    if (relu) leakyReluForward(ys, ys, filters * p, 0); // ReLU in place
  }
}

/**
 * The input gradient of a stride-1 convolution is a stride-1 convolution of dy: C filters of F x kH x kW
 * taps, each the layer's weights for its channel turned 180 degrees, over dy bordered by kH - 1 - padTop
 * rows and kW - 1 - padLeft columns. w [F, C, kH, kW] -> out [C, F, kH, kW], flipped in both axes.
 */
function flipWeights(w: usize, filters: i32, channels: i32, kernelH: i32, kernelW: i32, out: usize): void {
  const kk = kernelH * kernelW;
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < filters; f++) {
      const src = w + ((<usize>(f * channels + c) * kk) << 2);
      const dst = out + ((<usize>(c * filters + f) * kk) << 2);
      for (let t = 0; t < kk; t++) store<f32>(dst + (<usize>t << 2), load<f32>(src + (<usize>(kk - 1 - t) << 2)));
    }
  }
}

/**
 * Thread tid's region of the direct input gradient's scratch (`direct`: all threads' regions; 0: no direct
 * path, returns 0), with the flipped weights written at its start; convDirect's scratch follows them.
 */
function flippedFor(direct: usize, wino: i32, tid: i32, w: usize, filters: i32, channels: i32, kernelH: i32, kernelW: i32, height: i32, width: i32): usize {
  if (!direct) return 0;
  const floats = wino == 2 ? winograd4InputGradScratch(filters, channels, height, width)
    : wino ? winogradInputGradScratch(filters, channels, height, width) : convDirectInputGradScratch(filters, channels, kernelH, kernelW, height, width);
  const at = direct + <usize>tid * align16(<usize>floats << 2);
  flipWeights(w, filters, channels, kernelH, kernelW, at);
  return at;
}

/** Per-thread scratch (floats) of conv2dBackward's direct input gradient: the flipped weights, then convDirect's. */
export function convDirectInputGradScratch(filters: i32, channels: i32, kernelH: i32, kernelW: i32, height: i32, width: i32): i32 {
  return ((filters * channels * kernelH * kernelW + 3) & ~3) + convDirectScratch(channels, filters, kernelH, kernelW, height, width);
}

// ---- Winograd F(2x2, 3x3) for 3x3 stride-1 layers (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016): each 2x2 block of outputs ("tile") of a filter is A^T [(G g G^T) . (B^T d B)] A
// over the tile's 4x4 input window d, with g the filter's 3x3 taps. The 16 products per tile and channel
// are summed over the channels as 16 small GEMMs (U_xi [filters, channels] x V_xi [channels, tiles], the
// GEMM's 4x8 micro-kernel on panels of 8 tiles), so an output costs 16/4 = 4 multiply-adds per channel
// and filter instead of 9, plus the transforms, which are additions only (G's halves aside). The sums
// differ from the direct path's in rounding (a few float32 ulps of the largest terms); each image is one
// thread's, so the results are the same bits for any thread count.

/**
 * Bytes from one xi's block of transformed weights U to the next: [filters/4][channels][4] floats and a
 * cache line. Without the line, 64 channels and filters put the block 16 KB apart, so the stores of one
 * filter and channel's 16 or 36 values all fell in one L1 set: transforming the weights of the 64-channel
 * 16x16 layer took a fifth of its F(4x4, 3x3) forward pass.
 */
@inline function winogradUBlock(quads: i32, channels: i32): usize {
  return (<usize>(quads * channels * 4 + 16)) << 2;
}

/**
 * The Winograd path's per-thread scratch in floats: the transformed weights U [16][filters/4][channels][4]
 * (filters rounded up to 4; each xi's block a cache line past the last, winogradUBlock), the
 * zero-bordered image, one panel's transformed inputs V [16][channels][8] (each xi's 16 floats past the
 * last's) and products M [16][4][8], and 16 for a row's tail. Tiles: rows
 * of ceil(outW / 16) panels of 8.
 */
export function winogradScratch(filters: i32, channels: i32, outH: i32, outW: i32): i32 {
  const k4 = (filters + 3) & ~3;
  const th = (outH + 1) >> 1;
  const tw = ((outW + 15) >> 4) << 3;
  const wp = (2 * tw + 2 + 3) & ~3;
  return 16 * (k4 * channels + 16) + channels * (2 * th + 2) * wp + 16 * (channels * 8 + 16) + 16 * 32 + 16;
}

/** U = G g G^T of every filter and channel, packed for the micro-kernel (zero for the filters past `filters`). */
function winogradWeights(w: usize, filters: i32, channels: i32, u: usize): void {
  const k4 = (filters + 3) & ~3;
  const quads = k4 >> 2;
  const uBlock = winogradUBlock(quads, channels);
  for (let f = 0; f < k4; f++) {
    for (let c = 0; c < channels; c++) {
      // Gg: 4 rows x 3 columns, then (Gg) G^T: 4 x 4, row by row.
      const tile = f < filters ? w + ((<usize>(f * channels + c) * 9) << 2) : 0;
      for (let i = 0; i < 4; i++) {
        let a: f32 = 0, b: f32 = 0, d: f32 = 0;
        if (tile) {
          // Row i of G g: the taps' columns combined by G's row i.
          for (let col = 0; col < 3; col++) {
            const g0 = load<f32>(tile + (<usize>col << 2));
            const g1 = load<f32>(tile + (<usize>(3 + col) << 2));
            const g2 = load<f32>(tile + (<usize>(6 + col) << 2));
            const v: f32 = i == 0 ? g0 : i == 1 ? <f32>0.5 * (g0 + g1 + g2) : i == 2 ? <f32>0.5 * (g0 - g1 + g2) : g2;
            if (col == 0) a = v;
            else if (col == 1) b = v;
            else d = v;
          }
        }
        const row0 = a;
        const row1 = <f32>0.5 * (a + b + d);
        const row2 = <f32>0.5 * (a - b + d);
        const row3 = d;
        for (let j = 0; j < 4; j++) {
          const xi = i * 4 + j;
          const v = j == 0 ? row0 : j == 1 ? row1 : j == 2 ? row2 : row3;
          store<f32>(u + <usize>xi * uBlock + ((<usize>(((f >> 2) * channels + c) * 4 + (f & 3))) << 2), v);
        }
      }
    }
  }
}

/** The micro-kernel's 4x8 register tile over kc channels, its sums stored as they are (m: 4 rows of 8). */
@inline function winogradProduct(kc: i32, pa: usize, pb: usize, m: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++, pa += 16, pb += 32) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(pa, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(pa, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(pa, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
  }
  v128.store(m, c00);
  v128.store(m, c01, 16);
  v128.store(m, c10, 32);
  v128.store(m, c11, 48);
  v128.store(m, c20, 64);
  v128.store(m, c21, 80);
  v128.store(m, c30, 96);
  v128.store(m, c31, 112);
}

/**
 * B^T d B for 4 neighbouring tiles of one channel (one per lane): src is the window's top-left input,
 * the tiles' windows start 2 columns apart. Stored at v + xi * vStep (xi = 4 i + j).
 */
@inline function winogradInput(src: usize, rowBytes: usize, v: usize, vStep: usize): void {
  let t00 = f32x4.splat(0), t01 = t00, t02 = t00, t03 = t00;
  let t10 = t00, t11 = t00, t12 = t00, t13 = t00;
  for (let r = 0; r < 4; r++) {
    const p = src + <usize>r * rowBytes;
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const a2 = v128.load(p, 8);
    const b2 = v128.load(p, 24);
    const d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
    const d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
    const d2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6);
    const d3 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
    // d B: the row's four columns combined.
    const e0 = f32x4.sub(d0, d2);
    const e1 = f32x4.add(d1, d2);
    const e2 = f32x4.sub(d2, d1);
    const e3 = f32x4.sub(d1, d3);
    // B^T (d B): rows 0 - 2, 1 + 2, 2 - 1, 1 - 3.
    if (r == 0) {
      t00 = e0; t01 = e1; t02 = e2; t03 = e3;
    } else if (r == 1) {
      t10 = e0; t11 = e1; t12 = e2; t13 = e3;
    } else if (r == 2) {
      v128.store(v, f32x4.sub(t00, e0));
      v128.store(v + vStep, f32x4.sub(t01, e1));
      v128.store(v + 2 * vStep, f32x4.sub(t02, e2));
      v128.store(v + 3 * vStep, f32x4.sub(t03, e3));
      v128.store(v + 4 * vStep, f32x4.add(t10, e0));
      v128.store(v + 5 * vStep, f32x4.add(t11, e1));
      v128.store(v + 6 * vStep, f32x4.add(t12, e2));
      v128.store(v + 7 * vStep, f32x4.add(t13, e3));
      v128.store(v + 8 * vStep, f32x4.sub(e0, t10));
      v128.store(v + 9 * vStep, f32x4.sub(e1, t11));
      v128.store(v + 10 * vStep, f32x4.sub(e2, t12));
      v128.store(v + 11 * vStep, f32x4.sub(e3, t13));
    } else {
      v128.store(v + 12 * vStep, f32x4.sub(t10, e0));
      v128.store(v + 13 * vStep, f32x4.sub(t11, e1));
      v128.store(v + 14 * vStep, f32x4.sub(t12, e2));
      v128.store(v + 15 * vStep, f32x4.sub(t13, e3));
    }
  }
}

/** One filter's A^T M A (+ bias) for 4 neighbouring tiles (m: its products, xi at m + xi * 128 bytes), stored as 2 rows of 8 outputs. */
@inline function winogradOutput(m: usize, b: v128, y: usize, rowBytes: usize, rows: i32, count: i32, tmp: usize): void {
  let y00 = f32x4.splat(0), y01 = y00, y10 = y00, y11 = y00;
  for (let i = 0; i < 4; i++) {
    const p = m + (<usize>i << 9);
    const m0 = v128.load(p);
    const m1 = v128.load(p, 128);
    const m2 = v128.load(p, 256);
    const m3 = v128.load(p, 384);
    // M A: columns 0 + 1 + 2 and 1 - 2 - 3.
    const s0 = f32x4.add(f32x4.add(m0, m1), m2);
    const s1 = f32x4.sub(f32x4.sub(m1, m2), m3);
    // A^T (M A): rows 0 + 1 + 2 and 1 - 2 - 3.
    if (i == 0) {
      y00 = s0; y01 = s1;
    } else if (i == 1) {
      y00 = f32x4.add(y00, s0); y01 = f32x4.add(y01, s1); y10 = s0; y11 = s1;
    } else if (i == 2) {
      y00 = f32x4.add(y00, s0); y01 = f32x4.add(y01, s1); y10 = f32x4.sub(y10, s0); y11 = f32x4.sub(y11, s1);
    } else {
      y10 = f32x4.sub(y10, s0); y11 = f32x4.sub(y11, s1);
    }
  }
  y00 = f32x4.add(y00, b);
  y01 = f32x4.add(y01, b);
  y10 = f32x4.add(y10, b);
  y11 = f32x4.add(y11, b);
  // Lane t holds tile t's outputs at columns 2t (y.0) and 2t + 1 (y.1): interleave.
  const r0a = v128.shuffle<f32>(y00, y01, 0, 4, 1, 5);
  const r0b = v128.shuffle<f32>(y00, y01, 2, 6, 3, 7);
  const r1a = v128.shuffle<f32>(y10, y11, 0, 4, 1, 5);
  const r1b = v128.shuffle<f32>(y10, y11, 2, 6, 3, 7);
  if (count >= 8) {
    v128.store(y, r0a);
    v128.store(y, r0b, 16);
    if (rows == 2) {
      v128.store(y + rowBytes, r1a);
      v128.store(y + rowBytes, r1b, 16);
    }
  } else if (count > 0) {
    directTail(y, tmp, count, r0a, r0b);
    if (rows == 2) directTail(y + rowBytes, tmp, count, r1a, r1b);
  }
}

/**
 * The Winograd path for images [s0, s1): 3x3 taps, stride 1, dilation 1 (scratch: winogradScratch floats
 * of this thread's own). Same contract as convDirect.
 */
function convWinograd(
  x: usize, s0: i32, s1: i32, w: usize, filters: i32, bias: usize, y: usize, scratch: usize,
  channels: i32, height: i32, width: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  relu: bool = false,
  next: usize = 0,
): void {
  if (s0 >= s1) return;
  const k4 = (filters + 3) & ~3;
  const quads = k4 >> 2;
  const th = (outH + 1) >> 1;
  const tw = ((outW + 15) >> 4) << 3;
  const hp = 2 * th + 2;
  const wp = (2 * tw + 2 + 3) & ~3;
  const wpBytes = <usize>wp << 2;
  const planeBytes = <usize>hp * wpBytes;
  const u = scratch;
  const uBlock = winogradUBlock(quads, channels);
  const pad = u + 16 * uBlock;
  const v = pad + <usize>channels * planeBytes;
  // Each xi's panel starts a cache line past the last's multiple of 4 KB (with 64 or 128 channels the
  // 16 stores of an input transform would fall in one cache set).
  const vStep = (<usize>(channels * 8 + 16)) << 2;
  const m = v + 16 * vStep;
  const tmp = m + (<usize>(16 * 32) << 2);
  const uStep = (<usize>channels * 4) << 2;
  winogradWeights(w, filters, channels, u);
  memory.fill(pad, 0, <usize>channels * planeBytes);
  const rows = min(height, hp - padTop);
  const cols = min(width, wp - padLeft);
  const img = <usize>channels * height * width;
  const p = <usize>outH * outW;
  const outRow = <usize>outW << 2;
  for (let s = s0; s < s1; s = nextUnit(next, s)) {
    const xs = x + ((<usize>s * img) << 2);
    for (let c = 0; c < channels; c++) {
      padPlane(pad + <usize>c * planeBytes, xs + ((<usize>c * height * width) << 2), rows, cols, width, wpBytes, padTop, padLeft);
    }
    const ys = y + ((<usize>s * filters * p) << 2);
    for (let ty = 0; ty < th; ty++) {
      const oy = 2 * ty;
      const outRows = min(2, outH - oy);
      for (let tx = 0; tx < tw; tx += 8) {
        // V: the panel's 8 tiles of every channel, 4 per lane group.
        for (let c = 0; c < channels; c++) {
          const src = pad + <usize>c * planeBytes + <usize>oy * wpBytes + (<usize>(2 * tx) << 2);
          const vc = v + ((<usize>c * 8) << 2);
          winogradInput(src, wpBytes, vc, vStep);
          winogradInput(src + 32, wpBytes, vc + 16, vStep);
        }
        const ox = 2 * tx;
        for (let q = 0; q < quads; q++) {
          for (let xi = 0; xi < 16; xi++) {
            winogradProduct(channels, u + <usize>xi * uBlock + <usize>q * uStep, v + <usize>xi * vStep, m + (<usize>xi << 7));
          }
          for (let i = 0; i < 4; i++) {
            const f = q * 4 + i;
            if (f >= filters) break;
            const b = bias ? v128.load32_splat(bias + (<usize>f << 2)) : f32x4.splat(0);
            const yf = ys + ((<usize>f * p + <usize>oy * outW + ox) << 2);
            winogradOutput(m + (<usize>i << 5), b, yf, outRow, outRows, outW - ox, tmp);
            winogradOutput(m + (<usize>i << 5) + 16, b, yf + 32, outRow, outRows, outW - ox - 8, tmp);
          }
        }
      }
    }
    if (relu) leakyReluForward(ys, ys, filters * p, 0); // ReLU in place
  }
}

// ---- Winograd F(4x4, 3x3): each 4x4 block of outputs from its 6x6 input window with 36 products per
// channel and filter instead of 144 (2.25 a output against F(2x2, 3x3)'s 4), for layers whose rows fill
// panels of 8 tiles (32 outputs). B^T, G and A^T are Lavin and Gray's (points 0, 1, -1, 2, -2): the
// transforms weigh values by up to 5 (inputs) and 8 (outputs), so the sums round a few times more than
// F(2x2, 3x3)'s (convWasm.test.ts bounds both).

/**
 * Scratch (floats) of convWinograd4: U [36][filters/4][channels][4] (+16 each, winogradUBlock), the
 * bordered image, V [36][channels][8] (each xi 16 floats past the last), M [36][4][8], 256 for the transforms.
 */
export function winograd4Scratch(filters: i32, channels: i32, outH: i32, outW: i32): i32 {
  const k4 = (filters + 3) & ~3;
  const stacked = outW <= 16;
  const th = stacked ? (((outH + 3) >> 2) + 1) & ~1 : (outH + 3) >> 2;
  const tw = stacked ? 4 : ((outW + 31) >> 5) << 3;
  const wp = 4 * tw + 4;
  return 36 * (k4 * channels + 16) + channels * (4 * th + 2) * wp + 36 * (channels * 8 + 16) + 36 * 32 + 256;
}

/**
 * U = G g G^T (6x6) of every filter and channel, packed for the micro-kernel; in double, rounded once.
 * Straight-line (each thread transforms the weights itself at every call: on the 64-channel 16x16 layer
 * a loop over G's rows cost as much as a tenth of the call).
 */
function winograd4Weights(w: usize, filters: i32, channels: i32, u: usize): void {
  const k4 = (filters + 3) & ~3;
  const quads = k4 >> 2;
  const blockBytes = winogradUBlock(quads, channels);
  for (let f = 0; f < k4; f++) {
    for (let c = 0; c < channels; c++) {
      const at = u + ((<usize>(((f >> 2) * channels + c) * 4 + (f & 3))) << 2);
      if (f >= filters) {
        for (let xi = 0; xi < 36; xi++) store<f32>(at + <usize>xi * blockBytes, 0);
        continue;
      }
      const tile = w + ((<usize>(f * channels + c) * 9) << 2);
      // G g: 6 rows x 3 columns (column k from taps k, 3 + k, 6 + k), then each row times G^T.
      const x0 = <f64>load<f32>(tile), x1 = <f64>load<f32>(tile, 12), x2 = <f64>load<f32>(tile, 24);
      const y0 = <f64>load<f32>(tile, 4), y1 = <f64>load<f32>(tile, 16), y2 = <f64>load<f32>(tile, 28);
      const z0 = <f64>load<f32>(tile, 8), z1 = <f64>load<f32>(tile, 20), z2 = <f64>load<f32>(tile, 32);
      const sx = (x0 + x2) * SIXTH, tx = x1 * SIXTH, px = x0 * TWENTY_FOURTH + x2 * SIXTH, qx = x1 * TWELFTH;
      const sy = (y0 + y2) * SIXTH, ty = y1 * SIXTH, py = y0 * TWENTY_FOURTH + y2 * SIXTH, qy = y1 * TWELFTH;
      const sz = (z0 + z2) * SIXTH, tz = z1 * SIXTH, pz = z0 * TWENTY_FOURTH + z2 * SIXTH, qz = z1 * TWELFTH;
      g4Store(x0 * 0.25, y0 * 0.25, z0 * 0.25, at, blockBytes);
      g4Store(-sx - tx, -sy - ty, -sz - tz, at + 6 * blockBytes, blockBytes);
      g4Store(-sx + tx, -sy + ty, -sz + tz, at + 12 * blockBytes, blockBytes);
      g4Store(px + qx, py + qy, pz + qz, at + 18 * blockBytes, blockBytes);
      g4Store(px - qx, py - qy, pz - qz, at + 24 * blockBytes, blockBytes);
      g4Store(x2, y2, z2, at + 30 * blockBytes, blockBytes);
    }
  }
}

const SIXTH: f64 = 1.0 / 6;
const TWELFTH: f64 = 1.0 / 12;
const TWENTY_FOURTH: f64 = 1.0 / 24;

/** Row (a, b, d) of G g times G^T: six values stored at p, p + step, ... as float32. */
@inline function g4Store(a: f64, b: f64, d: f64, p: usize, step: usize): void {
  const s = (a + d) * SIXTH;
  const t = b * SIXTH;
  const r = a * TWENTY_FOURTH + d * SIXTH;
  const q = b * TWELFTH;
  store<f32>(p, <f32>(a * 0.25));
  store<f32>(p + step, <f32>(-s - t));
  store<f32>(p + 2 * step, <f32>(-s + t));
  store<f32>(p + 3 * step, <f32>(r + q));
  store<f32>(p + 4 * step, <f32>(r - q));
  store<f32>(p + 5 * step, <f32>d);
}

/** B^T's six rows applied to d0..d5 (lanes independent), stored at p, p + step, ... */
@inline function bt4(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, p: usize, step: usize): void {
  const four = f32x4.splat(4);
  const two = f32x4.splat(2);
  const five = f32x4.splat(5);
  v128.store(p, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(p + step, f32x4.sub(f32x4.add(d3, d4), f32x4.mul(four, f32x4.add(d1, d2))));
  v128.store(p + 2 * step, f32x4.add(f32x4.sub(d4, d3), f32x4.mul(four, f32x4.sub(d1, d2))));
  const s = f32x4.sub(d4, d2);
  const t = f32x4.mul(two, f32x4.sub(d3, d1));
  v128.store(p + 3 * step, f32x4.add(s, t));
  v128.store(p + 4 * step, f32x4.sub(s, t));
  v128.store(p + 5 * step, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/**
 * B^T d B for 4 neighbouring tiles of one channel (one per lane; their windows start 4 columns apart at
 * src), stored at v + xi * vStep (xi = 6 i + j). tmp: 36 vectors.
 */
@inline function winograd4Input(src: usize, rowBytes: usize, v: usize, vStep: usize, tmp: usize): void {
  for (let r = 0; r < 6; r++) {
    const p = src + <usize>r * rowBytes;
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const v2 = v128.load(p, 32);
    const v3 = v128.load(p, 48);
    const v4 = v128.load(p, 64);
    const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
    const d0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5);
    const d1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
    const d2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5);
    const d3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
    const d4 = v128.shuffle<f32>(d0, v4, 1, 2, 3, 4);
    const d5 = v128.shuffle<f32>(d1, v4, 1, 2, 3, 5);
    // d B: the row's columns combined (e_k at tmp + (r * 6 + k) * 16).
    bt4(d0, d1, d2, d3, d4, d5, tmp + (<usize>(r * 6) << 4), 16);
  }
  // B^T (d B): column k's six rows combined.
  for (let k = 0; k < 6; k++) {
    const q = tmp + (<usize>k << 4);
    bt4(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), v128.load(q, 384), v128.load(q, 480),
      v + <usize>k * vStep, 6 * vStep);
  }
}

/** A^T's four rows applied to m0..m5, stored at p, p + step, ... */
@inline function at4(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, p: usize, step: usize): void {
  const a = f32x4.add(m1, m2);
  const b = f32x4.sub(m1, m2);
  const c = f32x4.add(m3, m4);
  const d = f32x4.sub(m3, m4);
  v128.store(p, f32x4.add(f32x4.add(m0, a), c));
  v128.store(p + step, f32x4.add(b, f32x4.mul(f32x4.splat(2), d)));
  v128.store(p + 2 * step, f32x4.add(a, f32x4.mul(f32x4.splat(4), c)));
  v128.store(p + 3 * step, f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), d)), m5));
}

/**
 * One filter's A^T M A (+ bias) for 4 neighbouring tiles (m: its products, xi at m + xi * 128 bytes),
 * stored as `rows` rows of `count` (up to 16) outputs. tmp: 40 vectors.
 */
@inline function winograd4Output(m: usize, b: v128, y: usize, rowBytes: usize, rows: i32, count: i32, tmp: usize): void {
  // M A^T per row i of M: s_q(i) at tmp + (q * 6 + i) * 16.
  for (let i = 0; i < 6; i++) {
    const p = m + <usize>(i * 6) * 128;
    at4(v128.load(p), v128.load(p, 128), v128.load(p, 256), v128.load(p, 384), v128.load(p, 512), v128.load(p, 640),
      tmp + (<usize>i << 4), 96);
  }
  // A^T (M A^T): output row r of column q at tmp2 + (r * 4 + q) * 16.
  const tmp2 = tmp + 384;
  for (let q = 0; q < 4; q++) {
    const s = tmp + <usize>q * 96;
    at4(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80),
      tmp2 + (<usize>q << 4), 64);
  }
  for (let r = 0; r < rows; r++) {
    const o = tmp2 + (<usize>r << 6);
    const y0 = f32x4.add(v128.load(o), b);
    const y1 = f32x4.add(v128.load(o, 16), b);
    const y2 = f32x4.add(v128.load(o, 32), b);
    const y3 = f32x4.add(v128.load(o, 48), b);
    // Lane t holds tile t's output q: transpose to each tile's 4 outputs.
    const t0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
    const dst = y + <usize>r * rowBytes;
    if (count >= 16) {
      v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
      v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
      v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
    } else if (count > 0) {
      const tail = tmp2 + 256;
      v128.store(tail, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(tail, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
      v128.store(tail, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
      v128.store(tail, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
      for (let t = 0; t < count; t++) store<f32>(dst + (<usize>t << 2), load<f32>(tail + (<usize>t << 2)));
    }
  }
}

/**
 * The F(4x4, 3x3) path for images [s0, s1) (scratch: winograd4Scratch floats of this thread's own). Same
 * contract as convWinograd. A panel is 8 tiles of one tile row, or on rows of 16 outputs or fewer
 * ("stacked") the 4 tiles of two tile rows.
 */
function convWinograd4(
  x: usize, s0: i32, s1: i32, w: usize, filters: i32, bias: usize, y: usize, scratch: usize,
  channels: i32, height: i32, width: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  relu: bool = false,
  next: usize = 0,
): void {
  if (s0 >= s1) return;
  const k4 = (filters + 3) & ~3;
  const quads = k4 >> 2;
  const stacked = outW <= 16;
  const th = (outH + 3) >> 2;
  const tw = stacked ? 4 : ((outW + 31) >> 5) << 3;
  const hp = 4 * (stacked ? (th + 1) & ~1 : th) + 2;
  const wp = 4 * tw + 4;
  const wpBytes = <usize>wp << 2;
  const planeBytes = <usize>hp * wpBytes;
  const u = scratch;
  const uBlock = winogradUBlock(quads, channels);
  const pad = u + 36 * uBlock;
  const v = pad + <usize>channels * planeBytes;
  const vStep = (<usize>(channels * 8 + 16)) << 2;
  const m = v + 36 * vStep;
  const tmp = m + (<usize>(36 * 32) << 2);
  const uStep = (<usize>channels * 4) << 2;
  winograd4Weights(w, filters, channels, u);
  memory.fill(pad, 0, <usize>channels * planeBytes);
  const rows = min(height, hp - padTop);
  const cols = min(width, wp - padLeft);
  const img = <usize>channels * height * width;
  const p = <usize>outH * outW;
  const outRow = <usize>outW << 2;
  for (let s = s0; s < s1; s = nextUnit(next, s)) {
    const xs = x + ((<usize>s * img) << 2);
    for (let c = 0; c < channels; c++) {
      padPlane(pad + <usize>c * planeBytes, xs + ((<usize>c * height * width) << 2), rows, cols, width, wpBytes, padTop, padLeft);
    }
    const ys = y + ((<usize>s * filters * p) << 2);
    // The panel's second half: 4 tiles further along the row, or (stacked) the next tile row.
    const second: usize = stacked ? 4 * wpBytes : 64;
    const secondOut: usize = stacked ? (<usize>(4 * outW)) << 2 : 64;
    for (let ty = 0; ty < th; ty += stacked ? 2 : 1) {
      const oy = 4 * ty;
      const outRows = min(4, outH - oy);
      const outRows2 = stacked ? min(4, outH - oy - 4) : outRows;
      for (let tx = 0; tx < tw; tx += 8) {
        for (let c = 0; c < channels; c++) {
          const src = pad + <usize>c * planeBytes + <usize>oy * wpBytes + (<usize>(4 * tx) << 2);
          const vc = v + ((<usize>c * 8) << 2);
          winograd4Input(src, wpBytes, vc, vStep, tmp);
          winograd4Input(src + second, wpBytes, vc + 16, vStep, tmp);
        }
        const ox = 4 * tx;
        for (let q = 0; q < quads; q++) {
          for (let xi = 0; xi < 36; xi++) {
            winogradProduct(channels, u + <usize>xi * uBlock + <usize>q * uStep, v + <usize>xi * vStep, m + (<usize>xi << 7));
          }
          for (let i = 0; i < 4; i++) {
            const f = q * 4 + i;
            if (f >= filters) break;
            const b = bias ? v128.load32_splat(bias + (<usize>f << 2)) : f32x4.splat(0);
            const yf = ys + ((<usize>f * p + <usize>oy * outW + ox) << 2);
            winograd4Output(m + (<usize>i << 5), b, yf, outRow, outRows, outW - ox, tmp);
            winograd4Output(m + (<usize>i << 5) + 16, b, yf + secondOut, outRow, outRows2, stacked ? outW : outW - ox - 16, tmp);
          }
        }
      }
    }
    if (relu) leakyReluForward(ys, ys, filters * p, 0); // ReLU in place
  }
}

/** Per-thread scratch (floats) of the F(4x4, 3x3) input gradient: the flipped weights, then convWinograd4's. */
export function winograd4InputGradScratch(filters: i32, channels: i32, height: i32, width: i32): i32 {
  return ((filters * channels * 9 + 3) & ~3) + winograd4Scratch(channels, filters, height, width);
}

/** Per-thread scratch (floats) of the Winograd input gradient (3x3 taps): the flipped weights, then convWinograd's. */
export function winogradInputGradScratch(filters: i32, channels: i32, height: i32, width: i32): i32 {
  return ((filters * channels * 9 + 3) & ~3) + winogradScratch(channels, filters, height, width);
}

/** dx of images [s0, s1) by the direct or the Winograd kernel: dy convolved with the flipped weights. */
@inline function inputGradBy(
  wino: i32, dy: usize, s0: i32, s1: i32, flipped: usize, channels: i32, dx: usize, scratch: usize,
  filters: i32, outH: i32, outW: i32, kernelH: i32, kernelW: i32, padTop: i32, padLeft: i32, height: i32, width: i32, next: usize = 0,
): void {
  if (wino == 2) convWinograd4(dy, s0, s1, flipped, channels, 0, dx, scratch, filters, outH, outW, 2 - padTop, 2 - padLeft, height, width, false, next);
  else if (wino) convWinograd(dy, s0, s1, flipped, channels, 0, dx, scratch, filters, outH, outW, 2 - padTop, 2 - padLeft, height, width, false, next);
  else convDirect(dy, s0, s1, flipped, channels, 0, dx, scratch, filters, outH, outW, kernelH, kernelW, kernelH - 1 - padTop, kernelW - 1 - padLeft, height, width, false, next);
}

// ---- The Winograd weight gradient of a 3x3 stride-1 layer: dU = sum over tiles (A dY A^T) . (B^T d B)
// for every filter and channel, then dg = G^T dU G. The sums over tiles run with the tiles in the lanes
// (4 filters x 2 channels of accumulators, a tile row of 4 tiles a step), so the 16 products need no
// transposed operands; a filter and channel costs 16/4 = 4 multiply-adds an output instead of 9.

/**
 * Scratch (floats) of winogradWeightGrad: the zero-bordered image [channels][hp][wp] and dy
 * [filters][2 th][2 tw], the transformed inputs V [16][channels rounded to 2][tiles] and gradients
 * U [16][filters rounded to 4][tiles], and the sums [16][channels rounded to 2][filters rounded to 4].
 */
export function winogradWeightGradScratch(filters: i32, channels: i32, outH: i32, outW: i32): i32 {
  const k4 = (filters + 3) & ~3;
  const c2 = (channels + 1) & ~1;
  const th = (outH + 1) >> 1;
  const tw = (((outW + 1) >> 1) + 3) & ~3;
  const wp = (2 * tw + 2 + 3) & ~3;
  const tiles = th * tw;
  const row = tiles + 16;
  return channels * (2 * th + 2) * wp + filters * 4 * tiles + 16 * ((c2 + k4) * row + 32) + 16 * (c2 * k4 + 16);
}

/** A dY A^T for 4 neighbouring tiles of one filter's dy (one per lane; src: their 2x8 block). Stored at u + xi * uStep. */
@inline function winogradGradOut(src: usize, rowBytes: usize, u: usize, uStep: usize): void {
  const a0 = v128.load(src);
  const b0 = v128.load(src, 16);
  const a1 = v128.load(src + rowBytes);
  const b1 = v128.load(src + rowBytes, 16);
  const e0 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6);
  const o0 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
  const e1 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6);
  const o1 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
  // A dY: rows 0, 0 + 1, 0 - 1, -1; then each row's columns the same way.
  for (let i = 0; i < 4; i++) {
    const e = i == 0 ? e0 : i == 1 ? f32x4.add(e0, e1) : i == 2 ? f32x4.sub(e0, e1) : f32x4.neg(e1);
    const o = i == 0 ? o0 : i == 1 ? f32x4.add(o0, o1) : i == 2 ? f32x4.sub(o0, o1) : f32x4.neg(o1);
    const p = u + <usize>(4 * i) * uStep;
    v128.store(p, e);
    v128.store(p + uStep, f32x4.add(e, o));
    v128.store(p + 2 * uStep, f32x4.sub(e, o));
    v128.store(p + 3 * uStep, f32x4.neg(o));
  }
}

/**
 * sums[xi][c][f] += U_xi[f] . V_xi[c] over one image's tiles, xi < count (the Winograd weight gradients):
 * 4 filters x 2 channels of accumulators with the tiles in the lanes, each block's lanes summed into sums.
 */
@inline function winogradTileSums(
  count: i32, u: usize, uStep: usize, v: usize, vStep: usize, k4: i32, c2: i32, tileBytes: usize, tilesBytes: usize,
  sums: usize, xiStep: usize,
): void {
  for (let xi = 0; xi < count; xi++) {
    const ux = u + <usize>xi * uStep;
    const vx = v + <usize>xi * vStep;
    for (let fb = 0; fb < k4; fb += 4) {
      const u0 = ux + <usize>fb * tileBytes;
      for (let cb = 0; cb < c2; cb += 2) {
        const v0 = vx + <usize>cb * tileBytes;
        let a00 = f32x4.splat(0), a10 = a00, a20 = a00, a30 = a00;
        let a01 = a00, a11 = a00, a21 = a00, a31 = a00;
        for (let t: usize = 0; t < tilesBytes; t += 16) {
          const p0 = v128.load(v0 + t);
          const p1 = v128.load(v0 + tileBytes + t);
          let q = v128.load(u0 + t);
          a00 = madd(q, p0, a00);
          a01 = madd(q, p1, a01);
          q = v128.load(u0 + tileBytes + t);
          a10 = madd(q, p0, a10);
          a11 = madd(q, p1, a11);
          q = v128.load(u0 + 2 * tileBytes + t);
          a20 = madd(q, p0, a20);
          a21 = madd(q, p1, a21);
          q = v128.load(u0 + 3 * tileBytes + t);
          a30 = madd(q, p0, a30);
          a31 = madd(q, p1, a31);
        }
        const at = sums + <usize>xi * xiStep + ((<usize>(cb * k4 + fb)) << 2);
        v128.store(at, f32x4.add(v128.load(at), laneSums(a00, a10, a20, a30)));
        const at1 = at + (<usize>k4 << 2);
        v128.store(at1, f32x4.add(v128.load(at1), laneSums(a01, a11, a21, a31)));
      }
    }
  }
}

/** Row a of the 3x3 weight gradient of filters fb..fb+3 (one per lane of g0, g1, g2) and channel c, stored or added into dw. */
@inline function winogradStoreTaps(dw: usize, fb: i32, filters: i32, channels: i32, c: i32, a: i32, g0: v128, g1: v128, g2: v128, add: i32): void {
  for (let l = 0; l < 4; l++) {
    if (fb + l >= filters) break;
    const o = dw + ((<usize>((fb + l) * channels + c) * 9 + a * 3) << 2);
    const v0 = l == 0 ? f32x4.extract_lane(g0, 0) : l == 1 ? f32x4.extract_lane(g0, 1) : l == 2 ? f32x4.extract_lane(g0, 2) : f32x4.extract_lane(g0, 3);
    const v1 = l == 0 ? f32x4.extract_lane(g1, 0) : l == 1 ? f32x4.extract_lane(g1, 1) : l == 2 ? f32x4.extract_lane(g1, 2) : f32x4.extract_lane(g1, 3);
    const v2 = l == 0 ? f32x4.extract_lane(g2, 0) : l == 1 ? f32x4.extract_lane(g2, 1) : l == 2 ? f32x4.extract_lane(g2, 2) : f32x4.extract_lane(g2, 3);
    store<f32>(o, add ? load<f32>(o) + v0 : v0);
    store<f32>(o, add ? load<f32>(o, 4) + v1 : v1, 4);
    store<f32>(o, add ? load<f32>(o, 8) + v2 : v2, 8);
  }
}

/** The lanes of a, b, c, d summed: (sum a, sum b, sum c, sum d). */
@inline function laneSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/**
 * dw [filters][channels * 9] of images [s0, s1) by Winograd, stored (add = 0) or added to dw (add = 1):
 * 3x3 taps, stride 1, dilation 1, padding at most 2. The images are summed in order, so the result does
 * not depend on the thread that runs it.
 */
export function winogradWeightGrad(
  x: usize, dy: usize, s0: i32, s1: i32, filters: i32, dw: usize, add: i32, scratch: usize,
  channels: i32, height: i32, width: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const k4 = (filters + 3) & ~3;
  const c2 = (channels + 1) & ~1;
  const th = (outH + 1) >> 1;
  const tw = (((outW + 1) >> 1) + 3) & ~3;
  const hp = 2 * th + 2;
  const wp = (2 * tw + 2 + 3) & ~3;
  const tiles = th * tw;
  const wpBytes = <usize>wp << 2;
  const planeBytes = <usize>hp * wpBytes;
  const dyRowBytes = <usize>(2 * tw) << 2;
  const dyPlaneBytes = <usize>(2 * th) * dyRowBytes;
  // A channel's or filter's row of tiles, and each xi's rows, start a cache line past a multiple of
  // 4 KB from the last: the 16 stores of a transform and the 6 rows the products read would otherwise
  // all fall in the same cache set (power-of-two tile counts), which took over half of the time.
  const rowFloats = tiles + 16;
  const tileBytes = <usize>rowFloats << 2;
  const vStep = (<usize>(c2 * rowFloats + 16)) << 2;
  const uStep = (<usize>(k4 * rowFloats + 16)) << 2;
  const pad = scratch;
  const dyp = pad + <usize>channels * planeBytes;
  const v = dyp + <usize>filters * dyPlaneBytes;
  const u = v + 16 * vStep;
  const sums = u + 16 * uStep;
  const tilesBytes = <usize>tiles << 2;
  const xiStep = (<usize>(c2 * k4 + 16)) << 2;
  memory.fill(pad, 0, <usize>channels * planeBytes + <usize>filters * dyPlaneBytes);
  for (let xi = 0; xi < 16; xi++) {
    // The rounding rows stay zero.
    if (c2 > channels) memory.fill(v + <usize>xi * vStep + <usize>channels * tileBytes, 0, tileBytes);
    if (k4 > filters) memory.fill(u + <usize>xi * uStep + <usize>filters * tileBytes, 0, <usize>(k4 - filters) * tileBytes);
  }
  memory.fill(sums, 0, 16 * xiStep);
  const rows = min(height, hp - padTop);
  const cols = min(width, wp - padLeft);
  const img = <usize>channels * height * width;
  const p = <usize>outH * outW;
  for (let s = s0; s < s1; s++) {
    const xs = x + ((<usize>s * img) << 2);
    for (let c = 0; c < channels; c++) {
      padPlane(pad + <usize>c * planeBytes, xs + ((<usize>c * height * width) << 2), rows, cols, width, wpBytes, padTop, padLeft);
      for (let ty = 0; ty < th; ty++) {
        const src = pad + <usize>c * planeBytes + <usize>(2 * ty) * wpBytes;
        const vt = v + <usize>c * tileBytes + (<usize>(ty * tw) << 2);
        for (let tx = 0; tx < tw; tx += 4) winogradInput(src + (<usize>(2 * tx) << 2), wpBytes, vt + (<usize>tx << 2), vStep);
      }
    }
    const dys = dy + ((<usize>s * filters * p) << 2);
    for (let f = 0; f < filters; f++) {
      for (let oy = 0; oy < outH; oy++) {
        copyF32(dyp + <usize>f * dyPlaneBytes + <usize>oy * dyRowBytes, dys + ((<usize>f * p + <usize>oy * outW) << 2), outW);
      }
      for (let ty = 0; ty < th; ty++) {
        const src = dyp + <usize>f * dyPlaneBytes + <usize>(2 * ty) * dyRowBytes;
        const ut = u + <usize>f * tileBytes + (<usize>(ty * tw) << 2);
        for (let tx = 0; tx < tw; tx += 4) winogradGradOut(src + (<usize>(2 * tx) << 2), dyRowBytes, ut + (<usize>tx << 2), uStep);
      }
    }
    winogradTileSums(16, u, uStep, v, vStep, k4, c2, tileBytes, tilesBytes, sums, xiStep);
  }
  // dg = G^T dU G for 4 filters at a time (one per lane): G's columns combine rows 0 + (1 + 2) / 2,
  // (1 - 2) / 2 and (1 + 2) / 2 + 3, and so do its rows.
  const half = f32x4.splat(0.5);
  for (let c = 0; c < channels; c++) {
    for (let fb = 0; fb < filters; fb += 4) {
      const base = sums + ((<usize>(c * k4 + fb)) << 2);
      for (let a = 0; a < 3; a++) {
        // Row a of G^T dU: dU's rows combined, column by column.
        let z0 = f32x4.splat(0), z1 = z0, z2 = z0, z3 = z0;
        for (let j = 0; j < 4; j++) {
          const r0 = v128.load(base + <usize>j * xiStep);
          const r1 = v128.load(base + <usize>(4 + j) * xiStep);
          const r2 = v128.load(base + <usize>(8 + j) * xiStep);
          const r3 = v128.load(base + <usize>(12 + j) * xiStep);
          const z = a == 0 ? f32x4.add(r0, f32x4.mul(half, f32x4.add(r1, r2)))
            : a == 1 ? f32x4.mul(half, f32x4.sub(r1, r2)) : f32x4.add(f32x4.mul(half, f32x4.add(r1, r2)), r3);
          if (j == 0) z0 = z;
          else if (j == 1) z1 = z;
          else if (j == 2) z2 = z;
          else z3 = z;
        }
        const g0 = f32x4.add(z0, f32x4.mul(half, f32x4.add(z1, z2)));
        const g1 = f32x4.mul(half, f32x4.sub(z1, z2));
        const g2 = f32x4.add(f32x4.mul(half, f32x4.add(z1, z2)), z3);
        winogradStoreTaps(dw, fb, filters, channels, c, a, g0, g1, g2, add);
      }
    }
  }
}

/** Scratch (floats) of winograd4WeightGrad: as winogradWeightGradScratch's, with 4x4 tiles and 36 products a tile. */
export function winograd4WeightGradScratch(filters: i32, channels: i32, outH: i32, outW: i32): i32 {
  const k4 = (filters + 3) & ~3;
  const c2 = (channels + 1) & ~1;
  const th = (outH + 3) >> 2;
  const tw = (((outW + 3) >> 2) + 3) & ~3;
  const wp = 4 * tw + 4;
  const tiles = th * tw;
  const row = tiles + 16;
  return channels * (4 * th + 2) * wp + filters * 16 * tiles + 36 * ((c2 + k4) * row + 32) + 36 * (c2 * k4 + 16) + 256;
}

/** A's six rows (A = (A^T)^T: 1 0 0 0 / 1 1 1 1 / 1 -1 1 -1 / 1 2 4 8 / 1 -2 4 -8 / 0 0 0 1) applied to y0..y3, stored at p, p + step, ... */
@inline function a4(y0: v128, y1: v128, y2: v128, y3: v128, p: usize, step: usize): void {
  const e = f32x4.add(y0, y2);
  const o = f32x4.add(y1, y3);
  const e4 = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2));
  const o4 = f32x4.add(f32x4.mul(f32x4.splat(2), y1), f32x4.mul(f32x4.splat(8), y3));
  v128.store(p, y0);
  v128.store(p + step, f32x4.add(e, o));
  v128.store(p + 2 * step, f32x4.sub(e, o));
  v128.store(p + 3 * step, f32x4.add(e4, o4));
  v128.store(p + 4 * step, f32x4.sub(e4, o4));
  v128.store(p + 5 * step, y3);
}

/** A dY A^T (6x6) for 4 neighbouring 4x4 tiles of one filter's dy (one per lane; src: their 4x16 block), stored at u + xi * uStep. tmp: 24 vectors. */
@inline function winograd4GradOut(src: usize, rowBytes: usize, u: usize, uStep: usize, tmp: usize): void {
  for (let r = 0; r < 4; r++) {
    const p = src + <usize>r * rowBytes;
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const v2 = v128.load(p, 32);
    const v3 = v128.load(p, 48);
    const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
    // Columns q of the 4 tiles (lane t: tile t), combined: row r's six values at tmp + (r * 6 + k) * 16.
    a4(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7),
      v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), tmp + (<usize>(r * 6) << 4), 16);
  }
  for (let k = 0; k < 6; k++) {
    const q = tmp + (<usize>k << 4);
    a4(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), u + <usize>k * uStep, 6 * uStep);
  }
}

/**
 * dw [filters][channels * 9] of images [s0, s1) by Winograd F(4x4, 3x3), stored (add = 0) or added
 * (add = 1): dg = G^T [sum over tiles (A dY A^T) . (B^T d B)] G, the sums over tiles with 4 tiles in the
 * lanes, as winogradWeightGrad.
 */
export function winograd4WeightGrad(
  x: usize, dy: usize, s0: i32, s1: i32, filters: i32, dw: usize, add: i32, scratch: usize,
  channels: i32, height: i32, width: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const k4 = (filters + 3) & ~3;
  const c2 = (channels + 1) & ~1;
  const th = (outH + 3) >> 2;
  const tw = (((outW + 3) >> 2) + 3) & ~3;
  const hp = 4 * th + 2;
  const wp = 4 * tw + 4;
  const tiles = th * tw;
  const wpBytes = <usize>wp << 2;
  const planeBytes = <usize>hp * wpBytes;
  const dyRowBytes = <usize>(4 * tw) << 2;
  const dyPlaneBytes = <usize>(4 * th) * dyRowBytes;
  // Rows and xi blocks a cache line past multiples of 4 KB, as in winogradWeightGrad.
  const rowFloats = tiles + 16;
  const tileBytes = <usize>rowFloats << 2;
  const vStep = (<usize>(c2 * rowFloats + 16)) << 2;
  const uStep = (<usize>(k4 * rowFloats + 16)) << 2;
  const pad = scratch;
  const dyp = pad + <usize>channels * planeBytes;
  const v = dyp + <usize>filters * dyPlaneBytes;
  const u = v + 36 * vStep;
  const sums = u + 36 * uStep;
  const tilesBytes = <usize>tiles << 2;
  const xiStep = (<usize>(c2 * k4 + 16)) << 2;
  const tmp = sums + 36 * xiStep;
  memory.fill(pad, 0, <usize>channels * planeBytes + <usize>filters * dyPlaneBytes);
  for (let xi = 0; xi < 36; xi++) {
    if (c2 > channels) memory.fill(v + <usize>xi * vStep + <usize>channels * tileBytes, 0, tileBytes);
    if (k4 > filters) memory.fill(u + <usize>xi * uStep + <usize>filters * tileBytes, 0, <usize>(k4 - filters) * tileBytes);
  }
  memory.fill(sums, 0, 36 * xiStep);
  const rows = min(height, hp - padTop);
  const cols = min(width, wp - padLeft);
  const img = <usize>channels * height * width;
  const p = <usize>outH * outW;
  for (let s = s0; s < s1; s++) {
    const xs = x + ((<usize>s * img) << 2);
    for (let c = 0; c < channels; c++) {
      padPlane(pad + <usize>c * planeBytes, xs + ((<usize>c * height * width) << 2), rows, cols, width, wpBytes, padTop, padLeft);
      for (let ty = 0; ty < th; ty++) {
        const src = pad + <usize>c * planeBytes + <usize>(4 * ty) * wpBytes;
        const vt = v + <usize>c * tileBytes + (<usize>(ty * tw) << 2);
        for (let tx = 0; tx < tw; tx += 4) winograd4Input(src + (<usize>(4 * tx) << 2), wpBytes, vt + (<usize>tx << 2), vStep, tmp);
      }
    }
    const dys = dy + ((<usize>s * filters * p) << 2);
    for (let f = 0; f < filters; f++) {
      for (let oy = 0; oy < outH; oy++) {
        copyF32(dyp + <usize>f * dyPlaneBytes + <usize>oy * dyRowBytes, dys + ((<usize>f * p + <usize>oy * outW) << 2), outW);
      }
      for (let ty = 0; ty < th; ty++) {
        const src = dyp + <usize>f * dyPlaneBytes + <usize>(4 * ty) * dyRowBytes;
        const ut = u + <usize>f * tileBytes + (<usize>(ty * tw) << 2);
        for (let tx = 0; tx < tw; tx += 4) winograd4GradOut(src + (<usize>(4 * tx) << 2), dyRowBytes, ut + (<usize>tx << 2), uStep, tmp);
      }
    }
    winogradTileSums(36, u, uStep, v, vStep, k4, c2, tileBytes, tilesBytes, sums, xiStep);
  }
  // dg = G^T dU G for 4 filters at a time (one per lane). G's columns: (1/4, -1/6, -1/6, 1/24, 1/24, 0),
  // (0, -1/6, 1/6, 1/12, -1/12, 0), (0, -1/6, -1/6, 1/6, 1/6, 1).
  for (let c = 0; c < channels; c++) {
    for (let fb = 0; fb < filters; fb += 4) {
      const base = sums + ((<usize>(c * k4 + fb)) << 2);
      for (let a = 0; a < 3; a++) {
        // Row a of G^T dU, column by column: z_j at tmp + j * 16.
        for (let j = 0; j < 6; j++) {
          const r0 = v128.load(base + <usize>j * xiStep);
          const r1 = v128.load(base + <usize>(6 + j) * xiStep);
          const r2 = v128.load(base + <usize>(12 + j) * xiStep);
          const r3 = v128.load(base + <usize>(18 + j) * xiStep);
          const r4 = v128.load(base + <usize>(24 + j) * xiStep);
          const r5 = v128.load(base + <usize>(30 + j) * xiStep);
          v128.store(tmp + (<usize>j << 4), gtColumn(a, r0, r1, r2, r3, r4, r5));
        }
        const g0 = gtColumn(0, v128.load(tmp), v128.load(tmp, 16), v128.load(tmp, 32), v128.load(tmp, 48), v128.load(tmp, 64), v128.load(tmp, 80));
        const g1 = gtColumn(1, v128.load(tmp), v128.load(tmp, 16), v128.load(tmp, 32), v128.load(tmp, 48), v128.load(tmp, 64), v128.load(tmp, 80));
        const g2 = gtColumn(2, v128.load(tmp), v128.load(tmp, 16), v128.load(tmp, 32), v128.load(tmp, 48), v128.load(tmp, 64), v128.load(tmp, 80));
        winogradStoreTaps(dw, fb, filters, channels, c, a, g0, g1, g2, add);
      }
    }
  }
}

/** Column a of G (6x3) applied to r0..r5: sum_i G[i][a] r_i. */
@inline function gtColumn(a: i32, r0: v128, r1: v128, r2: v128, r3: v128, r4: v128, r5: v128): v128 {
  const sixth = f32x4.splat(<f32>(1.0 / 6));
  if (a == 0) {
    // r0 / 4 - (r1 + r2) / 6 + (r3 + r4) / 24
    return f32x4.add(f32x4.sub(f32x4.mul(f32x4.splat(0.25), r0), f32x4.mul(sixth, f32x4.add(r1, r2))),
      f32x4.mul(f32x4.splat(<f32>(1.0 / 24)), f32x4.add(r3, r4)));
  }
  if (a == 1) {
    // (r2 - r1) / 6 + (r3 - r4) / 12
    return f32x4.add(f32x4.mul(sixth, f32x4.sub(r2, r1)), f32x4.mul(f32x4.splat(<f32>(1.0 / 12)), f32x4.sub(r3, r4)));
  }
  // (r3 + r4 - r1 - r2) / 6 + r5
  return f32x4.add(f32x4.mul(sixth, f32x4.sub(f32x4.add(r3, r4), f32x4.add(r1, r2))), r5);
}

/**
 * y = conv(x, w) + bias over n NCHW images; bias 0 = none. `mode`: 0 im2col then the GEMM, 1 the GEMM
 * packing straight from the images, 2 direct (stride 1, dilation 1 only; col is then each thread's
 * convDirectScratch region, colBytes apart), 3 Winograd F(2x2, 3x3) (3x3, stride 1, dilation 1; col is
 * each thread's winogradScratch region), 4 Winograd F(4x4, 3x3) (the same, winograd4Scratch). Modes 0 to
 * 2 give the same bits; 3 and 4 round differently (convWinograd, convWinograd4).
 */
export function conv2dForward(
  x: usize, n: i32, w: usize, filters: i32, bias: usize, y: usize, col: usize, mat: usize, group: i32, mode: i32, relu: i32, next: usize,
  channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  tid: i32, nt: i32,
): void {
  if (mode == 4) {
    const bytes = align16(<usize>winograd4Scratch(filters, channels, outH, outW) << 2);
    convWinograd4(x, firstUnit(next, n, tid, nt), unitsEnd(next, n, tid, nt), w, filters, bias, y, col + <usize>tid * bytes,
      channels, height, width, padTop, padLeft, outH, outW, relu != 0, next);
    return;
  }
  if (mode == 3) {
    const bytes = align16(<usize>winogradScratch(filters, channels, outH, outW) << 2);
    convWinograd(x, firstUnit(next, n, tid, nt), unitsEnd(next, n, tid, nt), w, filters, bias, y, col + <usize>tid * bytes,
      channels, height, width, padTop, padLeft, outH, outW, relu != 0, next);
    return;
  }
  if (mode == 2) {
    const bytes = align16(<usize>convDirectScratch(filters, channels, kernelH, kernelW, outH, outW) << 2);
    convDirect(x, firstUnit(next, n, tid, nt), unitsEnd(next, n, tid, nt), w, filters, bias, y, col + <usize>tid * bytes,
      channels, height, width, kernelH, kernelW, padTop, padLeft, outH, outW, relu != 0, next);
    return;
  }
  const fused = mode == 1;
  const r = channels * kernelH * kernelW;
  const p = outH * outW;
  const img = <usize>channels * height * width;
  const out = <usize>filters * p;
  const groups = (n + group - 1) / group;
  const matT = mat + <usize>tid * align16(<usize>filters * p * group * 4);
  const colT = col + <usize>tid * align16(<usize>r * p * group * 4);
  cvImg = img << 2;
  cvP = p;
  cvH = height;
  cvW = width;
  cvKH = kernelH;
  cvKW = kernelW;
  cvSH = strideH;
  cvSW = strideW;
  cvDH = dilationH;
  cvDW = dilationW;
  cvPT = padTop;
  cvPL = padLeft;
  cvOW = outW;
  cvLo = x;
  cvHi = x + ((<usize>n * img) << 2);
  for (let gi = firstUnit(next, groups, tid, nt), g1 = unitsEnd(next, groups, tid, nt); gi < g1; gi = nextUnit(next, gi)) {
    const s0 = gi * group;
    const g = min(group, n - s0);
    const ld = g * p;
    cvX = x + ((<usize>s0 * img) << 2);
    if (fused) gemmIm2col(filters, ld, r, w, matT);
    else {
      for (let s = 0; s < g; s++) {
        im2colLd(x + ((<usize>(s0 + s) * img) << 2), colT + ((<usize>s * p) << 2), ld, channels, height, width, kernelH, kernelW,
          strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
      }
      gemm(0, 0, filters, ld, r, 1, w, colT, 0, matT, 0, 1);
    }
    if (bias) addChannelBias(matT, filters, ld, bias);
    if (relu) leakyReluForward(matT, matT, filters * ld, 0); // ReLU in place
    scatterChannels(matT, y + ((<usize>s0 * out) << 2), g, filters, p);
  }
}

/** Floats of directWeightGrad's scratch: lane sums and row-end sums per weight, and one bordered image. */
export function directWeightGradScratch(filters: i32, channels: i32, kernelH: i32, kernelW: i32, outH: i32, outW: i32): i32 {
  return 25 * ((filters + 1) & ~1) * channels * kernelH + channels * (outH + kernelH - 1) * (outW + kernelW - 1) + 4;
}

/**
 * The weight gradient of a stride-1, undilated layer straight from the images (no column matrix):
 * dw[f, c, i, j] = the sum over images s0..s1-1 and outputs (oy, ox) of dy[s, f, oy, ox] x[s, c, oy + i - padTop,
 * ox + j - padLeft] (0 outside the image), OVERWRITTEN. For layers with few taps and filters (a first layer:
 * LeNet-5's 6 filters of 1 x 5 x 5), whose GEMM would be mostly edge tiles. Each image is copied with a zero
 * border into the scratch (directWeightGradScratch floats); then two filters and up to 5 columns of taps at
 * a time: ten f32x4 sums over four neighbouring outputs (one load of dy per filter, one of x per tap column),
 * kept in the scratch from image to image, and the row ends' (outW mod 4 outputs) sums beside them; at the
 * end each weight is its lanes added ((0 + 1) + (2 + 3)) plus its row ends. kernelW <= 5.
 */
function directWeightGrad(
  x: usize, dy: usize, s0: i32, s1: i32, filters: i32, dw: usize, scratch: usize, channels: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const p = outH * outW;
  const plane = height * width;
  const r = channels * kernelH * kernelW;
  const w4 = outW & ~3;
  const bh = outH + kernelH - 1;
  const bw = outW + kernelW - 1;
  // Per (filter pair, channel, tap row), fp / 2 x channels x kernelH cells: ten lane sums [filter 0 tap
  // columns 0..4, filter 1 the same] (40 floats), and apart ten row-end sums in the same order.
  const cells = <usize>((filters + 1) >> 1) * channels * kernelH;
  const lanes = (scratch + 15) & ~(<usize>15);
  const ends = lanes + ((cells * 40) << 2);
  const img = ends + ((cells * 10) << 2);
  memory.fill(lanes, 0, (cells * 50) << 2);
  for (let s = s0; s < s1; s++) {
    // The image with a zero border: row q of channel c is x's row q - padTop, shifted right by padLeft.
    for (let c = 0; c < channels; c++) {
      for (let q = 0; q < bh; q++) {
        const dst = img + ((<usize>(c * bh + q) * bw) << 2);
        const iy = q - padTop;
        memory.fill(dst, 0, <usize>bw << 2);
        if (iy < 0 || iy >= height) continue;
        const hi = min(bw, width + padLeft);
        if (hi > padLeft) memory.copy(dst + (<usize>padLeft << 2), x + ((<usize>s * channels * plane + c * plane + iy * width) << 2), <usize>(hi - padLeft) << 2);
      }
    }
    for (let f0 = 0; f0 < filters; f0 += 2) {
      const d0 = dy + ((<usize>s * filters + f0) * p << 2);
      const d1 = f0 + 1 < filters ? d0 + (<usize>p << 2) : d0;
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < kernelH; i++) {
          const cell = (f0 >> 1) * channels * kernelH + c * kernelH + i;
          const la = lanes + ((<usize>cell * 10) << 4);
          const ea = ends + ((<usize>cell * 10) << 2);
          let a00 = v128.load(la), a01 = v128.load(la, 16), a02 = v128.load(la, 32), a03 = v128.load(la, 48), a04 = v128.load(la, 64);
          let a10 = v128.load(la, 80), a11 = v128.load(la, 96), a12 = v128.load(la, 112), a13 = v128.load(la, 128), a14 = v128.load(la, 144);
          for (let oy = 0; oy < outH; oy++) {
            const xr = img + ((<usize>(c * bh + oy + i) * bw) << 2);
            const r0 = d0 + ((<usize>oy * outW) << 2);
            const r1 = d1 + ((<usize>oy * outW) << 2);
            for (let ox = 0; ox < w4; ox += 4) {
              const g0 = v128.load(r0 + (<usize>ox << 2));
              const g1 = v128.load(r1 + (<usize>ox << 2));
              const xo = xr + (<usize>ox << 2);
              const v0 = v128.load(xo);
              a00 = madd(g0, v0, a00);
              a10 = madd(g1, v0, a10);
              if (kernelW > 1) {
                const v1 = v128.load(xo, 4);
                a01 = madd(g0, v1, a01);
                a11 = madd(g1, v1, a11);
              }
              if (kernelW > 2) {
                const v2 = v128.load(xo, 8);
                a02 = madd(g0, v2, a02);
                a12 = madd(g1, v2, a12);
              }
              if (kernelW > 3) {
                const v3 = v128.load(xo, 12);
                a03 = madd(g0, v3, a03);
                a13 = madd(g1, v3, a13);
              }
              if (kernelW > 4) {
                const v4 = v128.load(xo, 16);
                a04 = madd(g0, v4, a04);
                a14 = madd(g1, v4, a14);
              }
            }
            for (let ox = w4; ox < outW; ox++) {
              const g0 = load<f32>(r0 + (<usize>ox << 2));
              const g1 = load<f32>(r1 + (<usize>ox << 2));
              for (let j = 0; j < kernelW; j++) {
                const v = load<f32>(xr + (<usize>(ox + j) << 2));
                const e0 = ea + (<usize>j << 2);
                const e1 = ea + (<usize>(5 + j) << 2);
                store<f32>(e0, load<f32>(e0) + g0 * v);
                store<f32>(e1, load<f32>(e1) + g1 * v);
              }
            }
          }
          v128.store(la, a00);
          v128.store(la, a01, 16);
          v128.store(la, a02, 32);
          v128.store(la, a03, 48);
          v128.store(la, a04, 64);
          v128.store(la, a10, 80);
          v128.store(la, a11, 96);
          v128.store(la, a12, 112);
          v128.store(la, a13, 128);
          v128.store(la, a14, 144);
        }
      }
    }
  }
  for (let f = 0; f < filters; f++) {
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < kernelH; i++) {
        const cell = (f >> 1) * channels * kernelH + c * kernelH + i;
        const half = f & 1;
        const la = lanes + ((<usize>cell * 10 + half * 5) << 4);
        const ea = ends + ((<usize>cell * 10 + half * 5) << 2);
        const o = dw + ((<usize>f * r + (c * kernelH + i) * kernelW) << 2);
        for (let j = 0; j < kernelW; j++) store<f32>(o + (<usize>j << 2), laneSum(v128.load(la + (<usize>j << 4))) + load<f32>(ea + (<usize>j << 2)));
      }
    }
  }
}

/** (v0 + v1) + (v2 + v3) of an f32x4. */
@inline function laneSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * Gradients of conv2dForward: dx OVERWRITTEN (skipped when 0), and this thread's chunks of the weight
 * and bias gradients written as partials (db skipped when 0); dw and db themselves are not touched here.
 * winoW: the weight gradient by winogradWeightGrad (1) or winograd4WeightGrad (2) (3x3, stride 1; col is
 * then each thread's scratch of at least their ...Scratch floats) instead of im2col and the GEMM.
 */
export function conv2dBackward(
  x: usize, dy: usize, n: i32, w: usize, filters: i32, dx: usize, db: usize, col: usize, mat: usize, group: i32, parts: usize, direct: usize, wino: i32,
  winoW: i32, next: usize, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  tid: i32, nt: i32,
): void {
  // dx by the direct path: this thread's transposed, flipped weights, then its convDirect scratch.
  const flipped = dx ? flippedFor(direct, wino, tid, w, filters, channels, kernelH, kernelW, height, width) : 0;
  const dscratch = flipped + align16(<usize>(filters * channels * kernelH * kernelW) << 2);
  const r = channels * kernelH * kernelW;
  const p = outH * outW;
  const img = <usize>channels * height * width;
  const out = <usize>filters * p;
  const groups = (n + group - 1) / group;
  const chunks = chunksFor(groups);
  const wBytes = align16(<usize>filters * r * 4);
  const bParts = parts + <usize>chunks * wBytes;
  const bBytes = align16(<usize>filters * 4);
  const wgFloats = winoW == 3 ? directWeightGradScratch(filters, channels, kernelH, kernelW, outH, outW)
    : winoW == 2 ? winograd4WeightGradScratch(filters, channels, outH, outW) : winoW == 1 ? winogradWeightGradScratch(filters, channels, outH, outW) : 0;
  const colFloats = max(r * p * group, wgFloats);
  const colT = col + <usize>tid * align16(<usize>colFloats * 4);
  const matT = mat + <usize>tid * align16(<usize>filters * p * group * 4);
  if (dx && direct) {
    // dx of this thread's images (its chunks' groups) in one call: each image's dx is its own, and the
    // weights are transformed once.
    const s0 = shareLo(groups, shareLo(chunks, tid, nt), chunks) * group;
    const s1 = min(n, shareLo(groups, shareLo(chunks, tid + 1, nt), chunks) * group);
    if (s1 > s0) inputGradBy(wino, dy, s0, s1, flipped, channels, dx, dscratch, filters, outH, outW, kernelH, kernelW, padTop, padLeft, height, width);
  }
  for (let c = firstUnit(next, chunks, tid, nt), c1 = unitsEnd(next, chunks, tid, nt); c < c1; c = nextUnit(next, c)) {
    const pw = parts + <usize>c * wBytes;
    const pb = bParts + <usize>c * bBytes;
    if (db) memory.fill(pb, 0, <usize>filters << 2);
    // The chunk's weight gradient by Winograd first (its scratch is colT, which the dx GEMM reuses after).
    if (winoW) {
      const lo = shareLo(groups, c, chunks) * group;
      const hi = min(n, shareLo(groups, c + 1, chunks) * group);
      if (winoW == 3) directWeightGrad(x, dy, lo, hi, filters, pw, colT, channels, height, width, kernelH, kernelW, padTop, padLeft, outH, outW);
      else if (winoW == 2) winograd4WeightGrad(x, dy, lo, hi, filters, pw, 0, colT, channels, height, width, padTop, padLeft, outH, outW);
      else winogradWeightGrad(x, dy, lo, hi, filters, pw, 0, colT, channels, height, width, padTop, padLeft, outH, outW);
    }
    for (let gi = shareLo(groups, c, chunks), g1 = shareLo(groups, c + 1, chunks); gi < g1; gi++) {
      const s0 = gi * group;
      const g = min(group, n - s0);
      const ld = g * p;
      if (!winoW || db || (dx && !direct)) gatherChannels(dy + ((<usize>s0 * out) << 2), matT, g, filters, p);
      if (!winoW) {
        for (let s = 0; s < g; s++) {
          im2colLd(x + ((<usize>(s0 + s) * img) << 2), colT + ((<usize>s * p) << 2), ld, channels, height, width, kernelH, kernelW,
            strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
        }
        gemm(0, 1, filters, r, ld, 1, matT, colT, <f32>(gi > shareLo(groups, c, chunks)), pw, 0, 1);
      }
      if (db) sumChannels(matT, filters, ld, pb);
      if (dx && !direct) {
        gemm(1, 0, r, ld, filters, 1, w, matT, 0, colT, 0, 1);
        const dxs = dx + ((<usize>s0 * img) << 2);
        memory.fill(dxs, 0, (<usize>g * img) << 2);
        for (let s = 0; s < g; s++) {
          col2imLd(colT + ((<usize>s * p) << 2), ld, dxs + ((<usize>s * img) << 2), channels, height, width, kernelH, kernelW,
            strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
        }
      }
    }
  }
}

/**
 * Transposed convolution (same contract as ../convTranspose2d.ts): the geometry's image is the OUTPUT
 * [Cout, Ho, Wo] and its outH x outW the input's spatial size. x [n, Cin, H, W], w [Cin, Cout*kH*kW].
 */
export function convTranspose2dForward(
  x: usize, n: i32, inChannels: i32, w: usize, bias: usize, y: usize, col: usize, mat: usize, group: i32, next: usize,
  channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  tid: i32, nt: i32,
): void {
  const r = channels * kernelH * kernelW;
  const p = outH * outW;
  const img = <usize>channels * height * width;
  const groups = (n + group - 1) / group;
  const colT = col + <usize>tid * align16(<usize>r * p * group * 4);
  const matT = mat + <usize>tid * align16(<usize>inChannels * p * group * 4);
  for (let gi = firstUnit(next, groups, tid, nt), g1 = unitsEnd(next, groups, tid, nt); gi < g1; gi = nextUnit(next, gi)) {
    const s0 = gi * group;
    const g = min(group, n - s0);
    const ld = g * p;
    gatherChannels(x + ((<usize>s0 * inChannels * p) << 2), matT, g, inChannels, p);
    gemm(1, 0, r, ld, inChannels, 1, w, matT, 0, colT, 0, 1);
    memory.fill(y + ((<usize>s0 * img) << 2), 0, (<usize>g * img) << 2);
    for (let s = 0; s < g; s++) {
      const ys = y + ((<usize>(s0 + s) * img) << 2);
      col2imLd(colT + ((<usize>s * p) << 2), ld, ys, channels, height, width, kernelH, kernelW,
        strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
      if (bias) addChannelBias(ys, channels, height * width, bias);
    }
  }
}

/** Gradients of convTranspose2dForward: dx OVERWRITTEN (skipped when 0), weight and bias partials as conv2dBackward. */
export function convTranspose2dBackward(
  x: usize, dy: usize, n: i32, inChannels: i32, w: usize, dx: usize, db: usize, col: usize, mat: usize, group: i32, parts: usize, next: usize,
  channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  tid: i32, nt: i32,
): void {
  const r = channels * kernelH * kernelW;
  const p = outH * outW;
  const img = <usize>channels * height * width;
  const groups = (n + group - 1) / group;
  const chunks = chunksFor(groups);
  const wBytes = align16(<usize>inChannels * r * 4);
  const bParts = parts + <usize>chunks * wBytes;
  const bBytes = align16(<usize>channels * 4);
  const colT = col + <usize>tid * align16(<usize>r * p * group * 4);
  const matT = mat + <usize>tid * align16(<usize>inChannels * p * group * 4);
  for (let c = firstUnit(next, chunks, tid, nt), c1 = unitsEnd(next, chunks, tid, nt); c < c1; c = nextUnit(next, c)) {
    const pw = parts + <usize>c * wBytes;
    const pb = bParts + <usize>c * bBytes;
    if (db) memory.fill(pb, 0, <usize>channels << 2);
    for (let gi = shareLo(groups, c, chunks), g1 = shareLo(groups, c + 1, chunks); gi < g1; gi++) {
      const s0 = gi * group;
      const g = min(group, n - s0);
      const ld = g * p;
      for (let s = 0; s < g; s++) {
        const dys = dy + ((<usize>(s0 + s) * img) << 2);
        im2colLd(dys, colT + ((<usize>s * p) << 2), ld, channels, height, width, kernelH, kernelW,
          strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
        if (db) sumChannels(dys, channels, height * width, pb);
      }
      gatherChannels(x + ((<usize>s0 * inChannels * p) << 2), matT, g, inChannels, p);
      gemm(0, 1, inChannels, r, ld, 1, matT, colT, <f32>(gi > shareLo(groups, c, chunks)), pw, 0, 1);
      if (dx) {
        gemm(0, 0, inChannels, ld, r, 1, w, colT, 0, matT, 0, 1);
        scatterChannels(matT, dx + ((<usize>s0 * inChannels * p) << 2), g, inChannels, p);
      }
    }
  }
}

// ---- elementwise activations (same contracts as ../activation.ts) and max pooling (../maxPool.ts) ----

/** y = x > 0 ? x : alpha * x over n values (alpha = 0 is ReLU: exactly 0, even for NaN, as in TS). */
export function leakyReluForward(x: usize, y: usize, n: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  const va = f32x4.splat(alpha);
  let i = 0;
  if (alpha == 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(x + o);
      v128.store(y + o, v128.and(v, f32x4.gt(v, zero)));
    }
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, v128.bitselect(v, f32x4.mul(v, va), f32x4.gt(v, zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : alpha == 0 ? 0 : alpha * v);
  }
}

/** dx = x > 0 ? dy : alpha * dy over n values. */
export function leakyReluBackward(x: usize, dy: usize, dx: usize, n: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  const va = f32x4.splat(alpha);
  let i = 0;
  if (alpha == 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(x + o), zero)));
    }
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    v128.store(dx + o, v128.bitselect(g, f32x4.mul(g, va), f32x4.gt(v128.load(x + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, load<f32>(x + o) > 0 ? g : alpha == 0 ? 0 : alpha * g);
  }
}

/** leakyReluForward over thread tid's share of the n values (whole quads; each value as on one thread). */
export function leakyReluForwardShare(x: usize, y: usize, n: i32, alpha: f32, tid: i32, nt: i32): void {
  const lo = groupShareLo(n, 4, tid, nt);
  const hi = groupShareLo(n, 4, tid + 1, nt);
  if (hi > lo) leakyReluForward(x + (<usize>lo << 2), y + (<usize>lo << 2), hi - lo, alpha);
}

/** leakyReluBackward over thread tid's share of the n values. */
export function leakyReluBackwardShare(x: usize, dy: usize, dx: usize, n: i32, alpha: f32, tid: i32, nt: i32): void {
  const lo = groupShareLo(n, 4, tid, nt);
  const hi = groupShareLo(n, 4, tid + 1, nt);
  const o = <usize>lo << 2;
  if (hi > lo) leakyReluBackward(x + o, dy + o, dx + o, hi - lo, alpha);
}

/**
 * Max pooling over planes (= n*C) NCHW planes; argmax gets the flat index into x of each winner (-1: all
 * padding). Thread tid of nt takes its share of the planes (every value computed as on one thread).
 */
export function maxPoolForward(
  x: usize, planes: i32, y: usize, argmax: usize,
  height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  tid: i32, nt: i32,
): void {
  const inPlane = height * width;
  const p0 = shareLo(planes, tid, nt);
  const p1 = shareLo(planes, tid + 1, nt);
  if (kernelH == 2 && kernelW == 2 && strideH == 2 && strideW == 2 && dilationH == 1 && dilationW == 1 &&
    padTop == 0 && padLeft == 0 && outH * 2 <= height && outW * 2 <= width) {
    maxPool2x2(x, p0, p1, y, argmax, height, width, outH, outW);
    return;
  }
  let o: usize = (<usize>p0 * outH * outW) << 2;
  for (let pl = p0; pl < p1; pl++) {
    const base = pl * inPlane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++, o += 4) {
        const x0 = ox * strideW - padLeft;
        let best: f32 = -Infinity;
        let at: i32 = -1;
        for (let i = 0; i < kernelH; i++) {
          const iy = y0 + i * dilationH;
          if (iy < 0 || iy >= height) continue;
          const row = base + iy * width;
          for (let j = 0; j < kernelW; j++) {
            const ix = x0 + j * dilationW;
            if (ix < 0 || ix >= width) continue;
            const v = load<f32>(x + (<usize>(row + ix) << 2));
            const take = v > best || at < 0;
            best = select<f32>(v, best, take);
            at = select<i32>(row + ix, at, take);
          }
        }
        store<f32>(y + o, at < 0 ? 0 : best);
        store<i32>(argmax + o, at);
      }
    }
  }
}

/**
 * The common 2x2 stride-2 unpadded window, four outputs at a time: even and odd columns of both rows
 * are split into f32x4s, the running maximum keeps the first maximum in row-major order (a later value
 * wins only when strictly greater, so NaN never takes over, as in the general loop) and a lane code
 * (0, 1, width, width + 1) records which of the four won.
 */
function maxPool2x2(x: usize, p0: i32, p1: i32, y: usize, argmax: usize, height: i32, width: i32, outH: i32, outW: i32): void {
  const one = i32x4.splat(1);
  const down = i32x4.splat(width);
  const diag = i32x4.splat(width + 1);
  const lanes = i32x4(0, 2, 4, 6);
  let o: usize = (<usize>p0 * outH * outW) << 2;
  for (let pl = p0; pl < p1; pl++) {
    const base = pl * height * width;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = base + 2 * oy * width;
      let ox = 0;
      for (; ox + 4 <= outW; ox += 4, o += 16) {
        const i0 = r0 + 2 * ox;
        const p = x + (<usize>i0 << 2);
        const q = p + (<usize>width << 2);
        const a0 = v128.load(p), a1 = v128.load(p, 16);
        const b0 = v128.load(q), b1 = v128.load(q, 16);
        let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        let code = i32x4.splat(0);
        let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        let t = f32x4.gt(v, best);
        best = v128.bitselect(v, best, t);
        code = v128.bitselect(one, code, t);
        v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
        t = f32x4.gt(v, best);
        best = v128.bitselect(v, best, t);
        code = v128.bitselect(down, code, t);
        v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        t = f32x4.gt(v, best);
        best = v128.bitselect(v, best, t);
        code = v128.bitselect(diag, code, t);
        v128.store(y + o, best);
        v128.store(argmax + o, i32x4.add(i32x4.add(i32x4.splat(i0), lanes), code));
      }
      for (; ox < outW; ox++, o += 4) {
        const i0 = r0 + 2 * ox;
        const i2 = i0 + width;
        const p = x + (<usize>i0 << 2);
        const q = x + (<usize>i2 << 2);
        let best = load<f32>(p);
        let at = i0;
        let v = load<f32>(p, 4);
        if (v > best) { best = v; at = i0 + 1; }
        v = load<f32>(q);
        if (v > best) { best = v; at = i2; }
        v = load<f32>(q, 4);
        if (v > best) { best = v; at = i2 + 1; }
        store<f32>(y + o, best);
        store<i32>(argmax + o, at);
      }
    }
  }
}

/**
 * dx (dxLength values) OVERWRITTEN: each dy goes to the input that won its window. The outputs and dx
 * are `planes` equal planes, and a window's winner lies in its own plane (maxPoolForward's argmax), so
 * thread tid of nt clears and fills its share of the planes alone, adding in the order of one thread.
 */
export function maxPoolBackward(dy: usize, argmax: usize, count: i32, dx: usize, dxLength: i32, planes: i32, tid: i32, nt: i32): void {
  const outPlane = count / planes;
  const inPlane = dxLength / planes;
  const p0 = shareLo(planes, tid, nt);
  const p1 = shareLo(planes, tid + 1, nt);
  memory.fill(dx + ((<usize>p0 * inPlane) << 2), 0, (<usize>(p1 - p0) * inPlane) << 2);
  for (let o = p0 * outPlane, o1 = p1 * outPlane; o < o1; o++) {
    const at = load<i32>(argmax + (<usize>o << 2));
    if (at >= 0) {
      const d = dx + (<usize>at << 2);
      store<f32>(d, load<f32>(d) + load<f32>(dy + (<usize>o << 2)));
    }
  }
}

// ---- the input gradient of a convolution alone (its weight and bias gradients not wanted: a network
// backpropagated through for another's sake, as the discriminator in a GAN's generator update) ----

/** dx OVERWRITTEN as conv2dBackward writes it (the same operations per group), nothing else; groups (direct: images) from the counter. */
export function conv2dBackwardInput(
  dy: usize, n: i32, w: usize, filters: i32, dx: usize, col: usize, mat: usize, group: i32, direct: usize, wino: i32, next: usize,
  channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  tid: i32, nt: i32,
): void {
  // The direct path as conv2dBackward takes it (same groups, same convDirect calls, so the same dx).
  const flipped = flippedFor(direct, wino, tid, w, filters, channels, kernelH, kernelW, height, width);
  const dscratch = flipped + align16(<usize>(filters * channels * kernelH * kernelW) << 2);
  const r = channels * kernelH * kernelW;
  const p = outH * outW;
  const img = <usize>channels * height * width;
  const out = <usize>filters * p;
  const groups = (n + group - 1) / group;
  const colT = col + <usize>tid * align16(<usize>r * p * group * 4);
  const matT = mat + <usize>tid * align16(<usize>filters * p * group * 4);
  if (direct) {
    // Images from the counter (each image's dx is its own; the weights are transformed once a thread).
    inputGradBy(wino, dy, firstUnit(next, n, tid, nt), unitsEnd(next, n, tid, nt), flipped, channels, dx, dscratch, filters, outH, outW,
      kernelH, kernelW, padTop, padLeft, height, width, next);
    return;
  }
  for (let gi = firstUnit(next, groups, tid, nt), g1 = unitsEnd(next, groups, tid, nt); gi < g1; gi = nextUnit(next, gi)) {
    const s0 = gi * group;
    const g = min(group, n - s0);
    const ld = g * p;
    gatherChannels(dy + ((<usize>s0 * out) << 2), matT, g, filters, p);
    gemm(1, 0, r, ld, filters, 1, w, matT, 0, colT, 0, 1);
    const dxs = dx + ((<usize>s0 * img) << 2);
    memory.fill(dxs, 0, (<usize>g * img) << 2);
    for (let s = 0; s < g; s++) {
      col2imLd(colT + ((<usize>s * p) << 2), ld, dxs + ((<usize>s * img) << 2), channels, height, width, kernelH, kernelW,
        strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
    }
  }
}

// ---- batch normalization and tanh (same contracts and arithmetic as ../../layers/batchNorm.ts and
// ../activation.ts): every sum and product in double, in the TypeScript's order, rounded to float32 where
// the TypeScript stores, so the results are bit-identical. f64x2 lanes (a, b) play the TypeScript's
// accumulators (s0, s1) and (s2, s3) over quads of a plane; the tail adds into s0, the total is
// (s0 + s1) + (s2 + s3). Channels split over the threads (each channel's arithmetic stays whole).

/** The upper two float32 lanes of v, widened to double. */
@inline function bnHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Two double pairs rounded to float32 and stored as four values at p. */
@inline function bnStore(p: usize, lo: v128, hi: v128): void {
  v128.store(p, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
}

/** Sum of len float32 values from a (planeSum). */
function bnPlaneSum(a: usize, len: i32): f64 {
  let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
  let p = 0;
  for (; p + 4 <= len; p += 4) {
    const v = v128.load(a + (<usize>p << 2));
    s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
    s23 = f64x2.add(s23, bnHigh(v));
  }
  let s0 = f64x2.extract_lane(s01, 0);
  for (; p < len; p++) s0 += <f64>load<f32>(a + (<usize>p << 2));
  return s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
}

/** Sum of (a - mean)^2 over len float32 values (planeSquares). */
function bnPlaneSquares(a: usize, len: i32, mean: f64): f64 {
  const vm = f64x2.splat(mean);
  let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
  let p = 0;
  for (; p + 4 <= len; p += 4) {
    const v = v128.load(a + (<usize>p << 2));
    const d01 = f64x2.sub(f64x2.promote_low_f32x4(v), vm);
    const d23 = f64x2.sub(bnHigh(v), vm);
    s01 = f64x2.add(s01, f64x2.mul(d01, d01));
    s23 = f64x2.add(s23, f64x2.mul(d23, d23));
  }
  let s0 = f64x2.extract_lane(s01, 0);
  for (; p < len; p++) {
    const d = <f64>load<f32>(a + (<usize>p << 2)) - mean;
    s0 += d * d;
  }
  return s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
}

/** Sum of a * b over len float32 pairs (planeDot). */
function bnPlaneDot(a: usize, b: usize, len: i32): f64 {
  let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
  let p = 0;
  for (; p + 4 <= len; p += 4) {
    const o = <usize>p << 2;
    const u = v128.load(a + o), v = v128.load(b + o);
    s01 = f64x2.add(s01, f64x2.mul(f64x2.promote_low_f32x4(u), f64x2.promote_low_f32x4(v)));
    s23 = f64x2.add(s23, f64x2.mul(bnHigh(u), bnHigh(v)));
  }
  let s0 = f64x2.extract_lane(s01, 0);
  for (; p < len; p++) {
    const o = <usize>p << 2;
    s0 += <f64>load<f32>(a + o) * <f64>load<f32>(b + o);
  }
  return s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
}

/**
 * Forward over x [n, C, P] (thread tid's share of the channels): stats holds doubles mean[C], var[C],
 * invStd[C]. training: mean and the biased variance of each channel are computed and written there;
 * else they are read from there. invStd = 1 / sqrt(var + epsilon) is written; then
 * xhat = f32((x - mean) * invStd) and y = f32(gamma * h + beta) with h the unrounded double.
 */
export function batchNormForward(
  x: usize, y: usize, xhat: usize, n: i32, channels: i32, plane: i32, stats: usize,
  gamma: usize, beta: usize, epsilon: f64, training: i32, tid: i32, nt: i32,
): void {
  const m = <f64>n * <f64>plane;
  const c0 = shareLo(channels, tid, nt), c1 = shareLo(channels, tid + 1, nt);
  const step = <usize>channels * plane << 2;
  for (let c = c0; c < c1; c++) {
    const pm = stats + (<usize>c << 3), pv = pm + (<usize>channels << 3), pi = pv + (<usize>channels << 3);
    const first = <usize>c * plane << 2;
    let mean: f64, variance: f64;
    if (training) {
      let s: f64 = 0;
      for (let i = 0, o = first; i < n; i++, o += step) s += bnPlaneSum(x + o, plane);
      mean = s / m;
      let q: f64 = 0;
      for (let i = 0, o = first; i < n; i++, o += step) q += bnPlaneSquares(x + o, plane, mean);
      variance = q / m;
      store<f64>(pm, mean);
      store<f64>(pv, variance);
    } else {
      mean = load<f64>(pm);
      variance = load<f64>(pv);
    }
    const inv = 1 / Math.sqrt(variance + epsilon);
    store<f64>(pi, inv);
    const g = <f64>load<f32>(gamma + (<usize>c << 2)), b = <f64>load<f32>(beta + (<usize>c << 2));
    const vm = f64x2.splat(mean), vi = f64x2.splat(inv), vg = f64x2.splat(g), vb = f64x2.splat(b);
    for (let i = 0, o = first; i < n; i++, o += step) {
      const xs = x + o, hs = xhat + o, ys = y + o;
      let p = 0;
      for (; p + 4 <= plane; p += 4) {
        const q = <usize>p << 2;
        const v = v128.load(xs + q);
        const h01 = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), vm), vi);
        const h23 = f64x2.mul(f64x2.sub(bnHigh(v), vm), vi);
        bnStore(hs + q, h01, h23);
        bnStore(ys + q, f64x2.add(f64x2.mul(vg, h01), vb), f64x2.add(f64x2.mul(vg, h23), vb));
      }
      for (; p < plane; p++) {
        const q = <usize>p << 2;
        const h = (<f64>load<f32>(xs + q) - mean) * inv;
        store<f32>(hs + q, <f32>h);
        store<f32>(ys + q, <f32>(g * h + b));
      }
    }
  }
}

/**
 * Backward over dy [n, C, P] (thread tid's share of the channels): sums gets doubles sum(dy)[C] then
 * sum(dy * xhat)[C] (the caller adds them to beta's and gamma's gradients); dx is OVERWRITTEN with
 * f32(gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))), the means 0 without batch statistics.
 */
export function batchNormBackward(
  dy: usize, xhat: usize, dx: usize, n: i32, channels: i32, plane: i32, invStd: usize,
  gamma: usize, sums: usize, batchStats: i32, tid: i32, nt: i32,
): void {
  const m = <f64>n * <f64>plane;
  const c0 = shareLo(channels, tid, nt), c1 = shareLo(channels, tid + 1, nt);
  const step = <usize>channels * plane << 2;
  for (let c = c0; c < c1; c++) {
    const first = <usize>c * plane << 2;
    let sumDy: f64 = 0, sumDyXhat: f64 = 0;
    for (let i = 0, o = first; i < n; i++, o += step) {
      sumDy += bnPlaneSum(dy + o, plane);
      sumDyXhat += bnPlaneDot(dy + o, xhat + o, plane);
    }
    store<f64>(sums + (<usize>c << 3), sumDy);
    store<f64>(sums + (<usize>(channels + c) << 3), sumDyXhat);
    const k = <f64>load<f32>(gamma + (<usize>c << 2)) * load<f64>(invStd + (<usize>c << 3));
    const meanDy = batchStats ? sumDy / m : 0;
    const meanDyXhat = batchStats ? sumDyXhat / m : 0;
    const vk = f64x2.splat(k), vd = f64x2.splat(meanDy), vx = f64x2.splat(meanDyXhat);
    for (let i = 0, o = first; i < n; i++, o += step) {
      const ds = dy + o, hs = xhat + o, xs = dx + o;
      let p = 0;
      for (; p + 4 <= plane; p += 4) {
        const q = <usize>p << 2;
        const d = v128.load(ds + q), h = v128.load(hs + q);
        const r01 = f64x2.mul(vk, f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(d), vd), f64x2.mul(f64x2.promote_low_f32x4(h), vx)));
        const r23 = f64x2.mul(vk, f64x2.sub(f64x2.sub(bnHigh(d), vd), f64x2.mul(bnHigh(h), vx)));
        bnStore(xs + q, r01, r23);
      }
      for (; p < plane; p++) {
        const q = <usize>p << 2;
        store<f32>(xs + q, <f32>(k * (<f64>load<f32>(ds + q) - meanDy - <f64>load<f32>(hs + q) * meanDyXhat)));
      }
    }
  }
}

/**
 * tanh in double as fdlibm's s_tanh.c computes it (V8's Math.tanh is that port, on the same expm1),
 * so f32(tanhF64(x)) is Math.fround(Math.tanh(x)).
 */
function tanhF64(x: f64): f64 {
  const jx = <i32>(reinterpret<u64>(x) >> 32);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1 / x + 1 : 1 / x - 1;
  let z: f64;
  if (ix < 0x40360000) {
    if (ix < 0x3e300000) return x;
    if (ix >= 0x3ff00000) {
      const t = Math.expm1(2 * Math.abs(x));
      z = 1 - 2 / (t + 2);
    } else {
      const t = Math.expm1(-2 * Math.abs(x));
      z = -t / (t + 2);
    }
  } else {
    z = 1;
  }
  return jx >= 0 ? z : -z;
}

/** y = f32(tanh(x)) over thread tid's share of n values. */
export function tanhForward(x: usize, y: usize, n: i32, tid: i32, nt: i32): void {
  const hi = shareLo(n, tid + 1, nt);
  for (let i = shareLo(n, tid, nt); i < hi; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>tanhF64(<f64>load<f32>(x + o)));
  }
}

/** dx = f32(dy * (1 - y * y)) in double over thread tid's share of n values. */
export function tanhBackward(y: usize, dy: usize, dx: usize, n: i32, tid: i32, nt: i32): void {
  const lo = groupShareLo(n, 4, tid, nt);
  const hi = groupShareLo(n, 4, tid + 1, nt);
  const one = f64x2.splat(1);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(y + o), d = v128.load(dy + o);
    const y01 = f64x2.promote_low_f32x4(v), y23 = bnHigh(v);
    bnStore(dx + o, f64x2.mul(f64x2.promote_low_f32x4(d), f64x2.sub(one, f64x2.mul(y01, y01))),
      f64x2.mul(bnHigh(d), f64x2.sub(one, f64x2.mul(y23, y23))));
  }
  for (; i < hi; i++) {
    const o = <usize>i << 2;
    const v = <f64>load<f32>(y + o);
    store<f32>(dx + o, <f32>(<f64>load<f32>(dy + o) * (1 - v * v)));
  }
}

// ---- optimizer update (same contract as ../adam.ts, float32 arithmetic, no mask) ----

/** Adam on n params (thread tid's share of them): m, v updated in place, w = w*keep - lr*c1*m / (sqrt(v)*c2 + eps), g + l2*w as the gradient. */
export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, l2: f32, keep: f32, beta1: f32, beta2: f32, a1: f32, a2: f32, eps: f32, c1: f32, c2: f32,
  tid: i32, nt: i32,
): void {
  // Thread tid updates its share of the values, whole f32x4 quads (each value's arithmetic is the same).
  const lo = groupShareLo(n, 4, tid, nt);
  const hi = groupShareLo(n, 4, tid + 1, nt);
  // a1 = 1 - beta1 and a2 = 1 - beta2 come computed in double: 1 - f32(0.999) is 1.3e-5 off in float32.
  const vb1 = f32x4.splat(beta1), va1 = f32x4.splat(a1);
  const vb2 = f32x4.splat(beta2), va2 = f32x4.splat(a2);
  const vl2 = f32x4.splat(l2), vkeep = f32x4.splat(keep), vs = f32x4.splat(lr * c1);
  const vc2 = f32x4.splat(c2), veps = f32x4.splat(eps);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    const wj = v128.load(w + o);
    const d = f32x4.add(v128.load(g + o), f32x4.mul(vl2, wj));
    const mj = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(va1, d));
    const vj = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(va2, f32x4.mul(d, d)));
    v128.store(m + o, mj);
    v128.store(v + o, vj);
    const den = f32x4.add(f32x4.mul(f32x4.sqrt(vj), vc2), veps);
    v128.store(w + o, f32x4.sub(f32x4.mul(wj, vkeep), f32x4.div(f32x4.mul(vs, mj), den)));
  }
  for (; i < hi; i++) {
    const o = <usize>i << 2;
    const wj = load<f32>(w + o);
    const d = load<f32>(g + o) + l2 * wj;
    const mj = beta1 * load<f32>(m + o) + a1 * d;
    const vj = beta2 * load<f32>(v + o) + a2 * d * d;
    store<f32>(m + o, mj);
    store<f32>(v + o, vj);
    store<f32>(w + o, wj * keep - (lr * c1 * mj) / (sqrt<f32>(vj) * c2 + eps));
  }
}

// ---- sums of squares (gradient norms) ----

/** Values per chunk of sumSquares. */
const SQ_CHUNK: i32 = 4096;

/**
 * out[c] (f64) = the sum of the squares of x[c * 4096, min(n, (c + 1) * 4096)) for thread tid's share of
 * the chunks: each float32 promoted to double (its square is exact), values 4q + r summed in lane r in
 * order, then (lane 0 + lane 1) + (lane 2 + lane 3), then the chunk's last n mod 4 values one by one. The
 * caller adds the chunk sums in chunk order, so the total is the same bits on any thread count.
 */
export function sumSquares(x: usize, n: i32, out: usize, tid: i32, nt: i32): void {
  const chunks = (n + SQ_CHUNK - 1) / SQ_CHUNK;
  const c1 = shareLo(chunks, tid + 1, nt);
  for (let c = shareLo(chunks, tid, nt); c < c1; c++) {
    const lo = c * SQ_CHUNK;
    const hi = min(n, lo + SQ_CHUNK);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let i = lo;
    for (; i + 4 <= hi; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const p = f64x2.promote_low_f32x4(v);
      const q = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      a0 = f64x2.add(a0, f64x2.mul(p, p));
      a1 = f64x2.add(a1, f64x2.mul(q, q));
    }
    let s = (f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1)) + (f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1));
    for (; i < hi; i++) {
      const v = <f64>load<f32>(x + (<usize>i << 2));
      s += v * v;
    }
    store<f64>(out + (<usize>c << 3), s);
  }
}

// ---- LSTM steps (same contract as ../lstm.ts's TypeScript reference), all steps in one call ----

/**
 * tanh on four lanes as a rational function (Eigen's fast float tanh: odd degree-13 numerator over an
 * even degree-6 denominator, x clamped to ±7.905 where tanh is 1 in float32, x itself below 4e-4).
 * Its error against Math.tanh is checked in ../lstm.test.ts.
 */
@inline function tanh4(x: v128): v128 {
  const lim = f32x4.splat(7.90531110763549805);
  const xc = f32x4.max(f32x4.neg(lim), f32x4.min(lim, x));
  const x2 = f32x4.mul(xc, xc);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, xc);
  let q = f32x4.splat(1.19825839466702e-6);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.26843463243900e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-3));
  const small = f32x4.lt(f32x4.abs(x), f32x4.splat(0.0004));
  return v128.bitselect(x, f32x4.div(p, q), small);
}

/** The logistic function on four lanes: 1/2 + tanh(x/2)/2. */
@inline function sigmoid4(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return f32x4.add(half, f32x4.mul(half, tanh4(f32x4.mul(half, x))));
}

/** Four lanes from p, or the `count` (< 4) left at the end of a row and zeros. */
@inline function loadPart(p: usize, count: i32): v128 {
  if (count >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline function storePart(p: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/**
 * Thread tid's first batch row in the recurrent kernels (whole groups of 4 rows, the GEMM's row tiles).
 * Each sample's steps depend only on its own earlier steps, so every thread runs all the steps of its
 * rows with no hand-over between steps, and each row's values are the same on any thread count.
 */
@inline function batchLo(batch: i32, tid: i32, nt: i32): i32 {
  return min(batch, shareLo((batch + 3) >> 2, tid, nt) << 2);
}

/**
 * Forward through every step for thread tid's batch rows (batchLo). z [steps, batch, 4u] holds x_t Wx + b
 * (gate order i, f, g, o) and is overwritten with the gate activations; wh is [u, 4u]; h and c are
 * [(steps + 1), batch, u] with block 0 the zero initial state (set here) and block t+1 step t's state.
 * Step t: z_t += h_(t-1) Wh (one GEMM), then i, f, o = σ, g = tanh, c = f c_(t-1) + i g, h = o tanh(c).
 */
export function lstmForward(z: usize, wh: usize, h: usize, c: usize, steps: i32, batch: i32, units: i32, tid: i32, nt: i32): void {
  const n = batch * units;
  const g4 = 4 * units;
  const ub = <usize>units << 2;
  const b0 = batchLo(batch, tid, nt);
  const b1 = batchLo(batch, tid + 1, nt);
  if (b1 <= b0) return;
  memory.fill(h + <usize>b0 * ub, 0, <usize>(b1 - b0) * ub);
  memory.fill(c + <usize>b0 * ub, 0, <usize>(b1 - b0) * ub);
  for (let t = 0; t < steps; t++) {
    const zt = z + ((<usize>t * batch * g4) << 2);
    const hPrev = h + ((<usize>t * n) << 2);
    const cPrev = c + ((<usize>t * n) << 2);
    const nb = <usize>n << 2;
    gemmLd(0, 0, b1 - b0, g4, units, 1, hPrev + <usize>b0 * ub, units, wh, g4, 1, zt + ((<usize>b0 * g4) << 2), g4);
    for (let b = b0; b < b1; b++) {
      const a = zt + ((<usize>b * g4) << 2);
      const row = <usize>b * ub;
      for (let j = 0; j < units; j += 4) {
        const cnt = units - j;
        const o4 = <usize>j << 2;
        const i = sigmoid4(loadPart(a + o4, cnt));
        const f = sigmoid4(loadPart(a + ub + o4, cnt));
        const g = tanh4(loadPart(a + 2 * ub + o4, cnt));
        const o = sigmoid4(loadPart(a + 3 * ub + o4, cnt));
        storePart(a + o4, i, cnt);
        storePart(a + ub + o4, f, cnt);
        storePart(a + 2 * ub + o4, g, cnt);
        storePart(a + 3 * ub + o4, o, cnt);
        const cv = f32x4.add(f32x4.mul(f, loadPart(cPrev + row + o4, cnt)), f32x4.mul(i, g));
        storePart(cPrev + nb + row + o4, cv, cnt);
        storePart(hPrev + nb + row + o4, f32x4.mul(o, tanh4(cv)), cnt);
      }
    }
  }
}

/**
 * Backward through every step for thread tid's batch rows (the forward's act = its overwritten z, and its
 * c). dH [steps, batch, u] is dL/dh_t from the layer's output; fills dZ [steps, batch, 4u] (gradient of
 * the pre-activations), using carryH and carryC ([batch, u] each) for dL/dh and dL/dc flowing back from
 * later steps.
 */
export function lstmBackward(
  act: usize, c: usize, dH: usize, wh: usize, dZ: usize, carryH: usize, carryC: usize, steps: i32, batch: i32, units: i32,
  tid: i32, nt: i32,
): void {
  const n = batch * units;
  const g4 = 4 * units;
  const ub = <usize>units << 2;
  const nb = <usize>n << 2;
  const one = f32x4.splat(1);
  const b0 = batchLo(batch, tid, nt);
  const b1 = batchLo(batch, tid + 1, nt);
  if (b1 <= b0) return;
  memory.fill(carryH + <usize>b0 * ub, 0, <usize>(b1 - b0) * ub);
  memory.fill(carryC + <usize>b0 * ub, 0, <usize>(b1 - b0) * ub);
  for (let t = steps - 1; t >= 0; t--) {
    const at = act + ((<usize>t * batch * g4) << 2);
    const dzt = dZ + ((<usize>t * batch * g4) << 2);
    const cPrev = c + ((<usize>t * n) << 2);
    const dht = dH + ((<usize>t * n) << 2);
    for (let b = b0; b < b1; b++) {
      const a = at + ((<usize>b * g4) << 2);
      const d = dzt + ((<usize>b * g4) << 2);
      const row = <usize>b * ub;
      for (let j = 0; j < units; j += 4) {
        const cnt = units - j;
        const o4 = <usize>j << 2;
        const k = row + o4;
        const dh = f32x4.add(loadPart(dht + k, cnt), loadPart(carryH + k, cnt));
        const i = loadPart(a + o4, cnt);
        const f = loadPart(a + ub + o4, cnt);
        const g = loadPart(a + 2 * ub + o4, cnt);
        const o = loadPart(a + 3 * ub + o4, cnt);
        const tc = tanh4(loadPart(cPrev + nb + k, cnt));
        const dc = f32x4.add(loadPart(carryC + k, cnt), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
        storePart(d + o4, f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, f32x4.sub(one, i))), cnt);
        storePart(d + ub + o4, f32x4.mul(f32x4.mul(dc, loadPart(cPrev + k, cnt)), f32x4.mul(f, f32x4.sub(one, f))), cnt);
        storePart(d + 2 * ub + o4, f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g))), cnt);
        storePart(d + 3 * ub + o4, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o))), cnt);
        storePart(carryC + k, f32x4.mul(dc, f), cnt);
      }
    }
    gemmLd(0, 1, b1 - b0, units, g4, 1, dzt + ((<usize>b0 * g4) << 2), g4, wh, g4, 0, carryH + <usize>b0 * ub, units);
  }
}

/**
 * The nearest of k rows of c (d floats each) to the sample x by squared distance, with exactly the result
 * of rowSqDistances and a scan for the smallest (strictly smaller wins, so the lowest index on ties): its
 * index, returned, and its distance at out (f64). First a float32 screen: A_j = sum (x_t - c_jt)^2 in
 * float32, four prototypes and four lanes of t at a time, in any order. Every term is nonnegative, so A_j
 * is within a relative gamma_{d+4} of the exact E_j = sum (x_t - c_jt)^2 (the difference's rounding counts
 * twice once squared, the product's once, and a term meets at most d + 1 additions on its way to the
 * total), plus d 2^-149 for products that underflow, and the double distance S_j is within gamma_{d+2}
 * (of 2^-53) of E_j: S_j lies in [(A_j - abs)(1 - rel), (A_j + abs)(1 + rel)] with rel = 2 (d + 3) 2^-24
 * (above both together, with room for the double roundings of the bounds themselves, while d is at most
 * 2^20: gamma_n <= 2 n u needs n u <= 1/2) and abs = d 2^-149. Only the prototypes whose lower bound is
 * not above the least upper bound can be the nearest (any other's S_j exceeds some candidate's); their S_j
 * are rowSqDistances's doubles (the sum in order, separate multiply and add), scanned in index order.
 * Returns -1 (nothing written) when a screen value is not finite (a NaN, an infinity, or float32
 * overflow) or d is over 2^20, for the caller's exact pass over every prototype. scratch: room for k f64.
 */
export function nearestOneScreened(x: usize, c: usize, k: i32, d: i32, scratch: usize, out: usize): i32 {
  screenOneRange(x, c, k, d, scratch);
  return nearestFromScreen(x, c, k, d, scratch, out);
}

/**
 * nearestOneScreened's float32 screen split over the threads (thread tid's share of the prototypes in
 * groups of four, as somUpdate splits a SOM's units, so each thread reads the rows its moves last wrote);
 * nearestFromScreen then finishes on the calling thread. Each A_j is the same whichever thread computes it.
 */
export function screenOne(x: usize, c: usize, k: i32, d: i32, scratch: usize, tid: i32, nt: i32): void {
  const lo = groupShareLo(k, 4, tid, nt);
  const hi = groupShareLo(k, 4, tid + 1, nt);
  if (hi > lo) screenOneRange(x, c + <usize>lo * (<usize>d << 2), hi - lo, d, scratch + (<usize>lo << 3));
}

/** The float32 screen of rows [0, k) of c into scratch (f64 each), four prototypes at a time. */
function screenOneRange(x: usize, c: usize, k: i32, d: i32, scratch: usize): void {
  const row = <usize>d << 2;
  const d4 = <usize>(d & ~3) << 2;
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const p0 = c + <usize>j * row;
    const p1 = p0 + row;
    const p2 = p1 + row;
    const p3 = p2 + row;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let t: usize = 0; t < d4; t += 16) {
      const xv = v128.load(x + t);
      const e0 = f32x4.sub(xv, v128.load(p0 + t));
      const e1 = f32x4.sub(xv, v128.load(p1 + t));
      const e2 = f32x4.sub(xv, v128.load(p2 + t));
      const e3 = f32x4.sub(xv, v128.load(p3 + t));
      a0 = madd(e0, e0, a0);
      a1 = madd(e1, e1, a1);
      a2 = madd(e2, e2, a2);
      a3 = madd(e3, e3, a3);
    }
    // The four sums' lanes added pairwise (a transpose of the four accumulators, then three additions).
    const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 1, 4, 5), v128.shuffle<f32>(a0, a1, 2, 3, 6, 7));
    const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 1, 4, 5), v128.shuffle<f32>(a2, a3, 2, 3, 6, 7));
    let sum = f32x4.add(v128.shuffle<f32>(s01, s23, 0, 2, 4, 6), v128.shuffle<f32>(s01, s23, 1, 3, 5, 7));
    for (let t = d4; t < row; t += 4) {
      const xt = load<f32>(x + t);
      const e = f32x4.sub(f32x4.splat(xt), f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(p0 + t)), 1, load<f32>(p1 + t)), 2, load<f32>(p2 + t)), 3, load<f32>(p3 + t)));
      sum = f32x4.add(sum, f32x4.mul(e, e));
    }
    v128.store(scratch + (<usize>j << 3), f64x2.promote_low_f32x4(sum));
    v128.store(scratch + (<usize>j << 3), f64x2.promote_low_f32x4(v128.shuffle<f32>(sum, sum, 2, 3, 0, 1)), 16);
  }
  for (; j < k; j++) {
    const p0 = c + <usize>j * row;
    let a0 = f32x4.splat(0);
    for (let t: usize = 0; t < d4; t += 16) {
      const e0 = f32x4.sub(v128.load(x + t), v128.load(p0 + t));
      a0 = madd(e0, e0, a0);
    }
    let s = f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
    for (let t = d4; t < row; t += 4) {
      const e = load<f32>(x + t) - load<f32>(p0 + t);
      s += e * e;
    }
    store<f64>(scratch + (<usize>j << 3), <f64>s);
  }
}

/**
 * The rest of nearestOneScreened from the screen's values in scratch: the least upper bound, the exact
 * distances of the prototypes it cannot rule out, the nearest (or -1 when a screen value is not finite).
 */
export function nearestFromScreen(x: usize, c: usize, k: i32, d: i32, scratch: usize, out: usize): i32 {
  if (d > 1 << 20) return -1; // past where rel covers the screen's error (see nearestOneScreened)
  const row = <usize>d << 2;
  const rel = <f64>(2 * (d + 3)) * 5.9604644775390625e-8; // 2 (d + 3) 2^-24
  const abs = <f64>d * 1.401298464324817e-45; // d 2^-149
  let least = Infinity;
  for (let q = 0; q < k; q++) {
    const a = load<f64>(scratch + (<usize>q << 3));
    if (!isFinite(a)) return -1;
    const u = (a + abs) * (1 + rel);
    if (u < least) least = u;
  }
  let best = -1;
  let bv = Infinity;
  for (let q = 0; q < k; q++) {
    if ((load<f64>(scratch + (<usize>q << 3)) - abs) * (1 - rel) > least) continue;
    rowSqDistancesRange(x, c + <usize>q * row, 1, d, out); // the exact distance, as rowSqDistances's
    const sq = load<f64>(out);
    if (sq < bv) {
      bv = sq;
      best = q;
    }
  }
  store<f64>(out, bv);
  return best;
}

/**
 * Squared distances from one row x (d floats) to the k rows of c (k x d, row-major) into out (k f64):
 * out[j] = sum over t = 0..d-1, in that order, of (f64(x[t]) - f64(c[j][t]))^2 with one f64 accumulator
 * per prototype, a separate multiply and add (no fused multiply-add): exactly the arithmetic of the
 * TypeScript sqDist (../../local/distance.ts), so both give the same doubles bit for bit. Each f64x2
 * lane is one prototype's accumulator (two prototypes' t-th values side by side, loaded from their rows);
 * eight prototypes at a time keep four accumulators in flight.
 */
export function rowSqDistances(x: usize, c: usize, k: i32, d: i32, out: usize, tid: i32, nt: i32): void {
  // Thread tid's share of the prototypes in whole groups of eight (each distance is the same in any group).
  const lo = groupShareLo(k, 8, tid, nt);
  const hi = groupShareLo(k, 8, tid + 1, nt);
  if (hi > lo) rowSqDistancesRange(x, c + <usize>lo * (<usize>d << 2), hi - lo, d, out + (<usize>lo << 3));
}

function rowSqDistancesRange(x: usize, c: usize, k: i32, d: i32, out: usize): void {
  const row = <usize>d << 2;
  const end = row;
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    const p0 = c + <usize>j * row;
    const p2 = p0 + 2 * row;
    const p4 = p0 + 4 * row;
    const p6 = p0 + 6 * row;
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    for (let t: usize = 0; t < end; t += 4) {
      const xv = f64x2.splat(<f64>load<f32>(x + t));
      const v0 = v128.load32_lane(p0 + row + t, v128.load32_zero(p0 + t), 1);
      const v1 = v128.load32_lane(p2 + row + t, v128.load32_zero(p2 + t), 1);
      const v2 = v128.load32_lane(p4 + row + t, v128.load32_zero(p4 + t), 1);
      const v3 = v128.load32_lane(p6 + row + t, v128.load32_zero(p6 + t), 1);
      const e0 = f64x2.sub(xv, f64x2.promote_low_f32x4(v0));
      const e1 = f64x2.sub(xv, f64x2.promote_low_f32x4(v1));
      const e2 = f64x2.sub(xv, f64x2.promote_low_f32x4(v2));
      const e3 = f64x2.sub(xv, f64x2.promote_low_f32x4(v3));
      a0 = f64x2.add(a0, f64x2.mul(e0, e0));
      a1 = f64x2.add(a1, f64x2.mul(e1, e1));
      a2 = f64x2.add(a2, f64x2.mul(e2, e2));
      a3 = f64x2.add(a3, f64x2.mul(e3, e3));
    }
    const o = out + (<usize>j << 3);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; j + 2 <= k; j += 2) {
    const p0 = c + <usize>j * row;
    let a0 = f64x2.splat(0);
    for (let t: usize = 0; t < end; t += 4) {
      const xv = f64x2.splat(<f64>load<f32>(x + t));
      const e0 = f64x2.sub(xv, f64x2.promote_low_f32x4(v128.load32_lane(p0 + row + t, v128.load32_zero(p0 + t), 1)));
      a0 = f64x2.add(a0, f64x2.mul(e0, e0));
    }
    v128.store(out + (<usize>j << 3), a0);
  }
  if (j < k) {
    const p0 = c + <usize>j * row;
    let s: f64 = 0;
    for (let t: usize = 0; t < end; t += 4) {
      const e = <f64>load<f32>(x + t) - <f64>load<f32>(p0 + t);
      s += e * e;
    }
    store<f64>(out + (<usize>j << 3), s);
  }
}

/**
 * out[q] = the dot product of the rows at byte addresses xs[q] and cs[q] (d float32 each) for q < m, each
 * summed in order t = 0..d-1 in one double with a separate multiply and add: exactly the TypeScript `dot`
 * (engine/local/distance.ts), bit for bit. Two pairs share an f64x2 (one lane each), eight pairs per pass
 * (four independent accumulators); four values of each row per step, read as one vector and spread over
 * the lanes by shuffles (one load a row instead of four lane loads).
 */
export function pairDots(xs: usize, cs: usize, m: i32, d: i32, out: usize, tid: i32, nt: i32): void {
  // Thread tid's share of the pairs in whole groups of eight (each pair's sum is the same in any group).
  const q0 = groupShareLo(m, 8, tid, nt);
  const q1 = groupShareLo(m, 8, tid + 1, nt);
  if (q1 > q0) pairDotsRange(xs + (<usize>q0 << 2), cs + (<usize>q0 << 2), q1 - q0, d, out + (<usize>q0 << 3));
}

/**
 * acc + a * b on f64x2 lanes holding float32 values: their product is exact in double, so the fused and
 * the separate multiply-add round the same sum once and give the same bits.
 */
@inline function maddExact(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, acc);
  return f64x2.add(acc, f64x2.mul(a, b));
}

/** Lanes 0 and 1 of a float32 vector as an f64x2. */
@inline function lowPair(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2 and 3 of a float32 vector as an f64x2. */
@inline function highPair(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/**
 * acc's lanes + the products of values t..t+3 of rows xa with ca (lane 0) and xb with cb (lane 1), added in
 * order t, t + 1, t + 2, t + 3 (byte offset t).
 */
@inline function pairStep4(acc: v128, xa: usize, xb: usize, ca: usize, cb: usize, t: usize): v128 {
  const xv = v128.load(xa + t);
  const xw = v128.load(xb + t);
  const cv = v128.load(ca + t);
  const cw = v128.load(cb + t);
  // [a_t, b_t, a_t+1, b_t+1] and [a_t+2, b_t+2, a_t+3, b_t+3].
  const xl = v128.shuffle<f32>(xv, xw, 0, 4, 1, 5);
  const cl = v128.shuffle<f32>(cv, cw, 0, 4, 1, 5);
  const xh = v128.shuffle<f32>(xv, xw, 2, 6, 3, 7);
  const ch = v128.shuffle<f32>(cv, cw, 2, 6, 3, 7);
  acc = maddExact(lowPair(xl), lowPair(cl), acc);
  acc = maddExact(highPair(xl), highPair(cl), acc);
  acc = maddExact(lowPair(xh), lowPair(ch), acc);
  return maddExact(highPair(xh), highPair(ch), acc);
}

function pairDotsRange(xs: usize, cs: usize, m: i32, d: i32, out: usize): void {
  const end = <usize>d << 2;
  const end4 = end & ~(<usize>15);
  let q = 0;
  for (; q + 8 <= m; q += 8) {
    const xa = xs + (<usize>q << 2);
    const ca = cs + (<usize>q << 2);
    const x0 = <usize>load<i32>(xa);
    const x1 = <usize>load<i32>(xa, 4);
    const x2 = <usize>load<i32>(xa, 8);
    const x3 = <usize>load<i32>(xa, 12);
    const x4 = <usize>load<i32>(xa, 16);
    const x5 = <usize>load<i32>(xa, 20);
    const x6 = <usize>load<i32>(xa, 24);
    const x7 = <usize>load<i32>(xa, 28);
    const c0 = <usize>load<i32>(ca);
    const c1 = <usize>load<i32>(ca, 4);
    const c2 = <usize>load<i32>(ca, 8);
    const c3 = <usize>load<i32>(ca, 12);
    const c4 = <usize>load<i32>(ca, 16);
    const c5 = <usize>load<i32>(ca, 20);
    const c6 = <usize>load<i32>(ca, 24);
    const c7 = <usize>load<i32>(ca, 28);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let t: usize = 0;
    for (; t < end4; t += 16) {
      a0 = pairStep4(a0, x0, x1, c0, c1, t);
      a1 = pairStep4(a1, x2, x3, c2, c3, t);
      a2 = pairStep4(a2, x4, x5, c4, c5, t);
      a3 = pairStep4(a3, x6, x7, c6, c7, t);
    }
    for (; t < end; t += 4) {
      const u0 = f64x2.promote_low_f32x4(v128.load32_lane(x1 + t, v128.load32_zero(x0 + t), 1));
      const v0 = f64x2.promote_low_f32x4(v128.load32_lane(c1 + t, v128.load32_zero(c0 + t), 1));
      const u1 = f64x2.promote_low_f32x4(v128.load32_lane(x3 + t, v128.load32_zero(x2 + t), 1));
      const v1 = f64x2.promote_low_f32x4(v128.load32_lane(c3 + t, v128.load32_zero(c2 + t), 1));
      const u2 = f64x2.promote_low_f32x4(v128.load32_lane(x5 + t, v128.load32_zero(x4 + t), 1));
      const v2 = f64x2.promote_low_f32x4(v128.load32_lane(c5 + t, v128.load32_zero(c4 + t), 1));
      const u3 = f64x2.promote_low_f32x4(v128.load32_lane(x7 + t, v128.load32_zero(x6 + t), 1));
      const v3 = f64x2.promote_low_f32x4(v128.load32_lane(c7 + t, v128.load32_zero(c6 + t), 1));
      a0 = f64x2.add(a0, f64x2.mul(u0, v0));
      a1 = f64x2.add(a1, f64x2.mul(u1, v1));
      a2 = f64x2.add(a2, f64x2.mul(u2, v2));
      a3 = f64x2.add(a3, f64x2.mul(u3, v3));
    }
    const o = out + (<usize>q << 3);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; q < m; q++) {
    const x0 = <usize>load<i32>(xs + (<usize>q << 2));
    const c0 = <usize>load<i32>(cs + (<usize>q << 2));
    let s: f64 = 0;
    for (let t: usize = 0; t < end; t += 4) s += <f64>load<f32>(x0 + t) * <f64>load<f32>(c0 + t);
    store<f64>(out + (<usize>q << 3), s);
  }
}

/**
 * acc's lanes + the squares of values t..t+3 of rows xa (lane 0) and xb (lane 1), added in order t, t + 1,
 * t + 2, t + 3 (byte offset t): pairStep4 with ca = xa and cb = xb, each value spread over the lanes once.
 */
@inline function squareStep4(acc: v128, xa: usize, xb: usize, t: usize): v128 {
  const xv = v128.load(xa + t);
  const xw = v128.load(xb + t);
  const xl = v128.shuffle<f32>(xv, xw, 0, 4, 1, 5);
  const xh = v128.shuffle<f32>(xv, xw, 2, 6, 3, 7);
  const l0 = lowPair(xl);
  const h0 = highPair(xl);
  const l1 = lowPair(xh);
  const h1 = highPair(xh);
  acc = maddExact(l0, l0, acc);
  acc = maddExact(h0, h0, acc);
  acc = maddExact(l1, l1, acc);
  return maddExact(h1, h1, acc);
}

/**
 * out[q] = the squared norm of the row at byte address xs[q] (d float32) for q < m: pairDotsRange with each
 * row against itself, the same doubles (each square exact, added in order t = 0..d-1), with half its
 * shuffles and conversions (a squared norm's two operands are one vector).
 */
function pairSquaresRange(xs: usize, m: i32, d: i32, out: usize): void {
  const end = <usize>d << 2;
  const end4 = end & ~(<usize>15);
  let q = 0;
  for (; q + 8 <= m; q += 8) {
    const xa = xs + (<usize>q << 2);
    const x0 = <usize>load<i32>(xa);
    const x1 = <usize>load<i32>(xa, 4);
    const x2 = <usize>load<i32>(xa, 8);
    const x3 = <usize>load<i32>(xa, 12);
    const x4 = <usize>load<i32>(xa, 16);
    const x5 = <usize>load<i32>(xa, 20);
    const x6 = <usize>load<i32>(xa, 24);
    const x7 = <usize>load<i32>(xa, 28);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let t: usize = 0;
    for (; t < end4; t += 16) {
      a0 = squareStep4(a0, x0, x1, t);
      a1 = squareStep4(a1, x2, x3, t);
      a2 = squareStep4(a2, x4, x5, t);
      a3 = squareStep4(a3, x6, x7, t);
    }
    for (; t < end; t += 4) {
      const u0 = f64x2.promote_low_f32x4(v128.load32_lane(x1 + t, v128.load32_zero(x0 + t), 1));
      const u1 = f64x2.promote_low_f32x4(v128.load32_lane(x3 + t, v128.load32_zero(x2 + t), 1));
      const u2 = f64x2.promote_low_f32x4(v128.load32_lane(x5 + t, v128.load32_zero(x4 + t), 1));
      const u3 = f64x2.promote_low_f32x4(v128.load32_lane(x7 + t, v128.load32_zero(x6 + t), 1));
      a0 = f64x2.add(a0, f64x2.mul(u0, u0));
      a1 = f64x2.add(a1, f64x2.mul(u1, u1));
      a2 = f64x2.add(a2, f64x2.mul(u2, u2));
      a3 = f64x2.add(a3, f64x2.mul(u3, u3));
    }
    const o = out + (<usize>q << 3);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; q < m; q++) {
    const x0 = <usize>load<i32>(xs + (<usize>q << 2));
    let s: f64 = 0;
    for (let t: usize = 0; t < end; t += 4) {
      const v = <f64>load<f32>(x0 + t);
      s += v * v;
    }
    store<f64>(out + (<usize>q << 3), s);
  }
}

/**
 * One block of the screened nearest-prototype pass (../../local/nearest.ts, nearestScreened), with the
 * TypeScript loop's doubles bit for bit: rows x d samples at x (squared norms xn), k x d prototypes at c
 * (squared norms cn, square roots cRoot). prod = X C^T by the GEMM (float32; only the screen reads it);
 * every score's lower and upper bound from it (margins rel, abs); the prototypes whose lower bound is not
 * above the best upper bound (the second best when labels2 != 0) rescored exactly (pairDots on their
 * addresses, candX / candC / candV, rows x k room; count[r] of them for row r); the argmin (and second)
 * over those, ties to the lowest index, into labels / scores (labels2 / scores2). low (rows x k f64) gets
 * every lower bound, the exact score where one was computed, less slackRel * (xn + slackBase) (0: none).
 * labelsOnly != 0 (without labels2): a row with a single candidate takes it as its label unrescored, its
 * score NaN (a Lloyd pass whose scores are not used). psums != 0: each thread also adds its rows to its
 * partial cluster sums there (addPartialSums). codes != 0: prod is the exact integer product of the
 * samples' pixel codes and the prototypes' i16 codes (packCodesB and codeRows; cq holds k rows of dp codes), each
 * bound from it with the codes' errors (rowErr, colErr) and colScale (distanceWasm.ts's ScreenCodes,
 * ../../local/nearest.ts's centroidCodes). The threads take chunks of rows from a counter at `next`
 * (an i32 set to 0 before the call), GEMM and all, so one hand-over a block.
 */
export function nearestBlock(
  x: usize, rows: i32, d: i32, c: usize, k: i32, xn: usize, cn: usize, cRoot: usize, rel: f64, abs: f64,
  prod: usize, candX: usize, candC: usize, candV: usize, count: usize,
  labels: usize, scores: usize, labels2: usize, scores2: usize, low: usize, slackRel: f64, slackBase: f64, labelsOnly: i32,
  psums: usize, codes: usize, rowErr: usize, cq: usize, dp: i32, colScale: usize, colErr: usize, next: usize, tid: i32, nt: i32,
): void {
  const rowBytes = <usize>d << 2;
  // The prototypes packed once (the products are the GEMM's bits whatever rows a call takes).
  const kPanels = (k + NR - 1) / NR;
  const pairs = dp >> 1;
  const packed = codes != 0 || (k <= NC && <usize>kPanels * NR * d <= <usize>KC * NC);
  if (codes != 0) packCodesB(cq, dp, k);
  else if (packed) {
    const pb0 = packB;
    for (let pc = 0; pc < d; pc += KC) {
      packB = pb0 + ((<usize>kPanels * NR * pc) << 2);
      packPanelsB(1, c, d, pc, min(KC, d - pc), 0, k);
    }
    packB = pb0;
  }
  // Rows in chunks of NEAREST_CHUNK taken from the counter at `next` (an i32, 0 before the call) by
  // whichever thread is free: each row's arithmetic is the same whichever takes it.
  while (true) {
    const ch = atomic.add<i32>(next, NEAREST_CHUNK);
    if (ch >= rows) return;
    const ce = min(rows, ch + NEAREST_CHUNK);
    const po = prod + ((<usize>ch * k) << 2);
    if (codes != 0) codeRows(codes + <usize>ch * d, ce - ch, d, pairs, k, po);
    else if (packed) {
      const pb0 = packB;
      for (let r = ch; r < ce; r += MC) {
        const mc = min(MC, ce - r);
        for (let pc = 0; pc < d; pc += KC) {
          const kc = min(KC, d - pc);
          packPanelsA(0, x + <usize>r * rowBytes, d, 0, mc, pc, kc);
          packB = pb0 + ((<usize>kPanels * NR * pc) << 2);
          macroKernel(mc, k, kc, 1, prod + ((<usize>r * k) << 2), k, pc == 0);
        }
      }
      packB = pb0;
    } else gemmLd(0, 1, ce - ch, k, d, 1, x + <usize>ch * rowBytes, d, c, d, 0, po, k);
    nearestRows(x, ch, ce, d, c, k, xn, cn, cRoot, rel, abs, prod, candX, candC, candV, count, labels, scores, labels2, scores2, low, slackRel, slackBase, labelsOnly,
      codes, rowErr, colScale, colErr);
    if (psums != 0) addPartialSums(x, ch, ce, d, k, labels, psums + <usize>tid * ((<usize>k * d + 2) << 3));
  }
}

/** Rows a nearestBlock chunk (16 panels of the 4x8 tile). */
const NEAREST_CHUNK: i32 = 64;

/**
 * The integer screen's relative margin for rows of d values, (d + 8) 2^-50: it covers the doubles'
 * roundings (the norms summed in order included). nearestRows and lloydSparse use it alike.
 */
@inline function codeScreenRel(d: i32): f64 {
  return <f64>(d + 8) * 0.00000000000000088817841970012523;
}

/** nearestBlock's screen, exact rescoring and argmin for rows [r0, r1), whose products are in prod. */
function nearestRows(
  x: usize, r0: i32, r1: i32, d: i32, c: usize, k: i32, xn: usize, cn: usize, cRoot: usize, rel: f64, abs: f64,
  prod: usize, candX: usize, candC: usize, candV: usize, count: usize,
  labels: usize, scores: usize, labels2: usize, scores2: usize, low: usize, slackRel: f64, slackBase: f64, labelsOnly: i32,
  codes: usize, rowErr: usize, colScale: usize, colErr: usize,
): void {
  const rowBytes = <usize>d << 2;
  const relI = codeScreenRel(d);
  const second = labels2 != 0;
  const base = <usize>r0 * k;
  let m: usize = base;
  for (let r = r0; r < r1; r++) {
    const xi = load<f64>(xn + (<usize>r << 3));
    const xr = Math.sqrt(xi);
    const po = prod + ((<usize>r * k) << 2);
    const lo = low + ((<usize>r * k) << 3);
    // Two prototypes a step (f64x2 lanes, each the scalar arithmetic below), each lane keeping its
    // smallest and second smallest upper bound; the lanes' pairs are merged after.
    const xiv = f64x2.splat(xi);
    const twoRelXr = f64x2.splat(2 * rel * xr);
    const ex = codes != 0 ? load<f64>(rowErr + (<usize>r << 3)) : 0;
    const xrv = f64x2.splat(xr * 1.0000000000009095); // sqrt(xi) rounded up past its roundings (1 + 2^-40)
    const exv = f64x2.splat(ex);
    const relIv = f64x2.splat(relI);
    const relv = f64x2.splat(rel);
    const absv = f64x2.splat(abs);
    const two = f64x2.splat(2);
    const zero = f64x2.splat(0);
    let m1 = f64x2.splat(Infinity);
    let m2 = f64x2.splat(Infinity);
    let j = 0;
    for (; j + 2 <= k; j += 2) {
      const sum = f64x2.add(xiv, v128.load(cn + (<usize>j << 3)));
      let approx: v128, mg: v128;
      if (codes != 0) {
        // P = q_x . q_c * s_j / 255 (exact integers, two roundings); |x . c - P| <= (|x| + |e_x|) |e_c| +
        // |e_x| |c| with colErr >= 2 |e_c| and rowErr >= 2 |e_x|, so the score is within mg of approx.
        const pv = f64x2.mul(f64x2.convert_low_i32x4_s(v128.load64_zero(po + (<usize>j << 2))), v128.load(colScale + (<usize>j << 3)));
        const ce = v128.load(colErr + (<usize>j << 3));
        approx = f64x2.sub(sum, f64x2.mul(two, pv));
        mg = f64x2.add(f64x2.add(f64x2.mul(xrv, ce), f64x2.mul(exv, f64x2.add(v128.load(cRoot + (<usize>j << 3)), ce))),
          f64x2.add(f64x2.mul(relIv, f64x2.add(sum, f64x2.mul(two, f64x2.abs(pv)))), absv));
      } else {
        approx = f64x2.sub(sum, f64x2.mul(two, f64x2.promote_low_f32x4(v128.load64_zero(po + (<usize>j << 2)))));
        mg = f64x2.add(f64x2.add(f64x2.mul(twoRelXr, v128.load(cRoot + (<usize>j << 3))), f64x2.mul(relv, sum)), absv);
      }
      const t = f64x2.add(approx, mg);
      const up = v128.and(t, f64x2.gt(t, zero));
      v128.store(lo + (<usize>j << 3), f64x2.sub(approx, mg));
      m2 = f64x2.min(m2, f64x2.max(m1, up));
      m1 = f64x2.min(m1, up);
    }
    const a1 = f64x2.extract_lane(m1, 0);
    const b1 = f64x2.extract_lane(m1, 1);
    let u1 = Math.min(a1, b1);
    let u2 = Math.min(Math.max(a1, b1), Math.min(f64x2.extract_lane(m2, 0), f64x2.extract_lane(m2, 1)));
    for (; j < k; j++) {
      const cj = load<f64>(cn + (<usize>j << 3));
      let approx: f64, mg: f64;
      if (codes != 0) {
        const pv = <f64>load<i32>(po + (<usize>j << 2)) * load<f64>(colScale + (<usize>j << 3));
        const ce = load<f64>(colErr + (<usize>j << 3));
        approx = xi + cj - 2 * pv;
        mg = xr * 1.0000000000009095 * ce + ex * (load<f64>(cRoot + (<usize>j << 3)) + ce) + (relI * (xi + cj + 2 * Math.abs(pv)) + abs);
      } else {
        approx = xi + cj - 2 * <f64>load<f32>(po + (<usize>j << 2));
        mg = 2 * rel * xr * load<f64>(cRoot + (<usize>j << 3)) + rel * (xi + cj) + abs;
      }
      const up = approx + mg > 0 ? approx + mg : 0;
      store<f64>(lo + (<usize>j << 3), approx - mg);
      if (up < u1) {
        u2 = u1;
        u1 = up;
      } else if (up < u2) u2 = up;
    }
    const bound = second ? u2 : u1;
    const m0 = m;
    const xa = <i32>(x + <usize>r * rowBytes);
    let only = -1;
    for (let j = 0; j < k; j++) {
      if (load<f64>(lo + (<usize>j << 3)) > bound) continue;
      store<i32>(candX + (m << 2), xa);
      store<i32>(candC + (m << 2), <i32>(c + <usize>j * rowBytes));
      m++;
      only = j;
    }
    // labelsOnly: a row with one candidate has it for its label (every other score is above its upper
    // bound), with no exact score (NaN) and its screen bound kept; count 0 marks it for the loop below.
    if (labelsOnly != 0 && !second && m - m0 == 1) {
      m = m0;
      store<i32>(labels + (<usize>r << 2), only);
      store<f64>(scores + (<usize>r << 3), NaN);
    }
    store<i32>(count + (<usize>r << 2), <i32>(m - m0));
  }
  pairDotsRange(candX + (base << 2), candC + (base << 2), <i32>(m - base), d, candV + (base << 3));
  let q: usize = base;
  for (let r = r0; r < r1; r++) {
    const xi = load<f64>(xn + (<usize>r << 3));
    const lo = low + ((<usize>r * k) << 3);
    const e = q + <usize>load<i32>(count + (<usize>r << 2));
    let b1 = -1;
    let b2 = -1;
    let s1 = Infinity;
    let s2 = Infinity;
    for (; q < e; q++) {
      const j = <i32>((<usize>load<i32>(candC + (q << 2)) - c) / rowBytes);
      const dv = xi + load<f64>(cn + (<usize>j << 3)) - 2 * load<f64>(candV + (q << 3));
      const v = dv > 0 ? dv : 0;
      store<f64>(lo + (<usize>j << 3), v);
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
    if (b1 >= 0 || labelsOnly == 0) {
      store<i32>(labels + (<usize>r << 2), b1);
      store<f64>(scores + (<usize>r << 3), s1);
    }
    if (second) {
      store<i32>(labels2 + (<usize>r << 2), b2);
      store<f64>(scores2 + (<usize>r << 3), b2 < 0 ? Infinity : s2);
    }
    if (slackRel != 0) {
      const eps = slackRel * (xi + slackBase);
      const ev = f64x2.splat(eps);
      let j = 0;
      for (; j + 2 <= k; j += 2) {
        const a = lo + (<usize>j << 3);
        v128.store(a, f64x2.sub(v128.load(a), ev));
      }
      for (; j < k; j++) {
        const a = lo + (<usize>j << 3);
        store<f64>(a, load<f64>(a) - eps);
      }
    }
  }
}

/**
 * The integer screen's GEMM (codeRows): the samples' pixel codes (bytes) times the prototypes' i16 codes
 * (k rows of dp values at cq, dp = d rounded up to even, zero-padded), exactly: i32x4.dot_i16x8_s adds two
 * products a lane (x86's pmaddwd), so a 4x8 tile takes two values of k a step. The caller keeps every sum
 * below 2^31 (dp x 255 x the largest code). This packs the prototypes: per 8-column panel and pair p, the
 * eight columns' (c[2p], c[2p + 1]) as i32 (32 bytes).
 */
function packCodesB(cq: usize, dp: i32, k: i32): void {
  const pairs = dp >> 1;
  const kPanels = (k + NR - 1) / NR;
  let dst = packB;
  for (let jp = 0; jp < kPanels; jp++) {
    for (let p = 0; p < pairs; p++, dst += 32) {
      for (let q = 0; q < NR; q++) {
        const j = jp * NR + q;
        store<i32>(dst + (<usize>q << 2), j < k ? load<i32>(cq + ((<usize>j * dp + (<usize>p << 1)) << 1)) : 0);
      }
    }
  }
}

/**
 * prod (rows x k, i32) = the rows' pixel codes (rows x d bytes at codes) times the prototypes' codes
 * packed by packCodesB, exactly; blocks of rows whose pairs fit the packed A room.
 */
function codeRows(codes: usize, rows: i32, d: i32, pairs: i32, k: i32, prod: usize): void {
  const kPanels = (k + NR - 1) / NR;
  const mcMax = max(MR, min(MC, ((MC * KC * 4) / (pairs * 16)) * MR));
  for (let ic = 0; ic < rows; ic += mcMax) {
    const mc = min(mcMax, rows - ic);
    packCodesA(codes + <usize>ic * d, mc, d, pairs);
    for (let jp = 0; jp < kPanels; jp++) {
      const nr = min(NR, k - jp * NR);
      const pb = packB + <usize>jp * pairs * 32;
      for (let ir = 0; ir < mc; ir += MR) {
        const mr = min(MR, mc - ir);
        microKernelCodes(pairs, packA + <usize>(ir / MR) * pairs * 16, pb, prod + ((<usize>(ic + ir) * k + jp * NR) << 2), k, mr, nr);
      }
    }
  }
}

/** Rows x d pixel codes (bytes) as ceil(rows/4) panels of `pairs` steps x 4 rows of (x[2p], x[2p + 1]) i16 pairs. */
function packCodesA(codes: usize, rows: i32, d: i32, pairs: i32): void {
  let dst = packA;
  for (let ip = 0; ip < rows; ip += MR) {
    const full = rows - ip >= MR;
    let p = 0;
    if (full) {
      const s = codes + <usize>ip * d;
      // Four pairs (eight bytes) of each row at a time, widened to i16 and transposed as 4x4 i32.
      for (; (p + 4) * 2 <= d; p += 4, dst += 64) {
        const o = <usize>p << 1;
        transpose4x4To(dst, 16,
          i16x8.extend_low_i8x16_u(v128.load64_zero(s + o)),
          i16x8.extend_low_i8x16_u(v128.load64_zero(s + <usize>d + o)),
          i16x8.extend_low_i8x16_u(v128.load64_zero(s + <usize>(2 * d) + o)),
          i16x8.extend_low_i8x16_u(v128.load64_zero(s + <usize>(3 * d) + o)));
      }
    }
    for (; p < pairs; p++, dst += 16) {
      for (let r = 0; r < MR; r++) {
        const row = ip + r;
        const t = p << 1;
        let v = 0;
        if (row < rows) {
          const s = codes + <usize>row * d;
          v = <i32>load<u8>(s + <usize>t) | (t + 1 < d ? <i32>load<u8>(s + <usize>(t + 1)) << 16 : 0);
        }
        store<i32>(dst + (<usize>r << 2), v);
      }
    }
  }
}

/** The 4x8 integer tile: eight i32x4 accumulators over `pairs` steps of two values of k; writes the mr x nr corner of C (i32, ldc). */
@inline function microKernelCodes(pairs: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32): void {
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  for (let p = 0; p < pairs; p++, pa += 16, pb += 32) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(av, b0));
    c01 = i32x4.add(c01, i32x4.dot_i16x8_s(av, b1));
    av = v128.load32_splat(pa, 4);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(av, b0));
    c11 = i32x4.add(c11, i32x4.dot_i16x8_s(av, b1));
    av = v128.load32_splat(pa, 8);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(av, b0));
    c21 = i32x4.add(c21, i32x4.dot_i16x8_s(av, b1));
    av = v128.load32_splat(pa, 12);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(av, b0));
    c31 = i32x4.add(c31, i32x4.dot_i16x8_s(av, b1));
  }
  const ld = <usize>ldc << 2;
  if (mr == MR && nr == NR) {
    let p = c;
    v128.store(p, c00);
    v128.store(p, c01, 16);
    p += ld;
    v128.store(p, c10);
    v128.store(p, c11, 16);
    p += ld;
    v128.store(p, c20);
    v128.store(p, c21, 16);
    p += ld;
    v128.store(p, c30);
    v128.store(p, c31, 16);
    return;
  }
  v128.store(edge, c00);
  v128.store(edge, c01, 16);
  v128.store(edge, c10, 32);
  v128.store(edge, c11, 48);
  v128.store(edge, c20, 64);
  v128.store(edge, c21, 80);
  v128.store(edge, c30, 96);
  v128.store(edge, c31, 112);
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < nr; q++) store<i32>(c + <usize>r * ld + (<usize>q << 2), load<i32>(edge + ((<usize>(r * NR + q)) << 2)));
  }
}

/** 1/255 rounded to float32. */
const INV255: f32 = 1.0 / 255;

/**
 * The squared norms of rows x d samples at x (norms[r], pairDots's doubles for row r with itself; xs
 * lists the rows' addresses) and their pixel codes (pixelCodesRange), eight rows at a time so that the codes read
 * rows the norms just brought into cache. The threads take chunks of ROW_CHUNK rows from the counter at `next`
 * (0: each its static share).
 */
export function normsCodes(xs: usize, x: usize, rows: i32, d: i32, norms: usize, codes: usize, err: usize, next: usize, tid: i32, nt: i32): void {
  // Chunks of ROW_CHUNK rows from the counter (or this thread's static share of them).
  const chunks = (rows + ROW_CHUNK - 1) / ROW_CHUNK;
  for (let u = firstUnit(next, chunks, tid, nt), u1 = unitsEnd(next, chunks, tid, nt); u < u1; u = nextUnit(next, u)) {
    const end = min(rows, (u + 1) * ROW_CHUNK);
    for (let q = u * ROW_CHUNK; q < end; q += 8) {
      const g = min(8, end - q);
      pairSquaresRange(xs + (<usize>q << 2), g, d, norms + (<usize>q << 3));
      pixelCodesRange(x, q, q + g, d, codes, err);
    }
  }
}

/** Rows a chunk of normsCodes and lloydBounded (a multiple of normsCodes's eight). */
const ROW_CHUNK: i32 = 256;

/**
 * Pixel codes of rows [r0, r1) of x (d floats each): codes[r * d + t] = an integer q in [0, 255]
 * nearest 255 x[r * d + t], and err[r] >= 2 |x_r - q_r / 255| (the whole row's error, real numbers):
 * with w = fl(q fl(1/255)) within 2^-23 of q / 255 and the computed x - w within 2^-24 of itself, every
 * |x_t - q_t / 255| <= M (1 + 2^-23) + 2^-23 (1 + 2^-24), M the largest computed |x_t - w_t|, and the row's
 * norm at most sqrt(d) times that. Infinity for a row with a value outside [0, 1] or not a number.
 */
function pixelCodesRange(x: usize, r0: i32, r1: i32, d: i32, codes: usize, err: usize): void {
  const v255 = f32x4.splat(255);
  const inv = f32x4.splat(INV255);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const magic = f32x4.splat(8388608);
  for (let r = r0; r < r1; r++) {
    const xr = x + ((<usize>r * d) << 2);
    const cr = codes + <usize>r * d;
    let ok = f32x4.eq(zero, zero); // all lanes true
    let m = zero;
    let t = 0;
    for (; t + 4 <= d; t += 4) {
      const v = v128.load(xr + (<usize>t << 2));
      ok = v128.and(ok, v128.and(f32x4.ge(v, zero), f32x4.le(v, one)));
      // 255 v + 2^23 rounds 255 v to an integer q (ties to even) in the low bits, since v is in [0, 1].
      const big = f32x4.add(f32x4.mul(v, v255), magic);
      const q = f32x4.sub(big, magic);
      v128.store32_lane(cr + <usize>t, v128.shuffle<u8>(big, big, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12), 0);
      m = f32x4.pmax(m, f32x4.abs(f32x4.sub(v, f32x4.mul(q, inv))));
    }
    let bad = !v128.all_true<i32>(ok);
    let mm = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
    for (; t < d; t++) {
      const v = load<f32>(xr + (<usize>t << 2));
      if (!(v >= 0 && v <= 1)) bad = true;
      const q = bad ? <f32>0 : nearest<f32>(v * 255);
      store<u8>(cr + <usize>t, <u8><i32>q);
      mm = max(mm, abs<f32>(v - q * INV255));
    }
    const bound = (<f64>mm + 1.1920928955078125e-7) * 1.000001 * Math.sqrt(<f64>d); // (M + 2^-23)(1 + 2^-19) sqrt(d)
    store<f64>(err + (<usize>r << 3), bad ? Infinity : 2 * bound);
  }
}

/**
 * Rows [r0, r1) of x (d floats each) added to this thread's partial cluster sums at ps + 16 (k x d
 * doubles; row r to the sums of cluster labels[r]), in any order: only for sums that are exact whatever
 * the order (the caller checks, engine/local/distance.ts's sumsExact), with the two words at ps: the
 * least of (|v| bits - 1) as unsigned, so the smallest nonzero |v| (0xffffffff: none yet), and the
 * largest |v| bits (non-finite values show there), over every value added. A label outside [0, k) adds
 * nothing and sets the largest bits to 0xffffffff, which no exact sum passes.
 */
function addPartialSums(x: usize, r0: i32, r1: i32, d: i32, k: i32, labels: usize, ps: usize): void {
  const rowBytes = <usize>d << 2;
  const sums = ps + 16;
  const mask = i32x4.splat(0x7fffffff);
  const one = i32x4.splat(1);
  let lo = i32x4.splat(load<i32>(ps));
  let hi = i32x4.splat(load<i32>(ps, 4));
  for (let r = r0; r < r1; r++) {
    const lab = load<i32>(labels + (<usize>r << 2));
    if (lab < 0 || lab >= k) {
      hi = i32x4.splat(-1);
      continue;
    }
    const xr = x + <usize>r * rowBytes;
    const sr = sums + ((<usize>lab * d) << 3);
    let t = 0;
    for (; t + 8 <= d; t += 8) {
      const v0 = v128.load(xr + (<usize>t << 2));
      const v1 = v128.load(xr + (<usize>t << 2), 16);
      const b0 = v128.and(v0, mask);
      const b1 = v128.and(v1, mask);
      lo = i32x4.min_u(lo, i32x4.min_u(i32x4.sub(b0, one), i32x4.sub(b1, one)));
      hi = i32x4.max_u(hi, i32x4.max_u(b0, b1));
      const a = sr + (<usize>t << 3);
      v128.store(a, f64x2.add(v128.load(a), lowPair(v0)));
      v128.store(a, f64x2.add(v128.load(a, 16), highPair(v0)), 16);
      v128.store(a, f64x2.add(v128.load(a, 32), lowPair(v1)), 32);
      v128.store(a, f64x2.add(v128.load(a, 48), highPair(v1)), 48);
    }
    for (; t < d; t++) {
      const v = load<f32>(xr + (<usize>t << 2));
      const b = i32x4.splat(reinterpret<i32>(v) & 0x7fffffff);
      lo = i32x4.min_u(lo, i32x4.sub(b, one));
      hi = i32x4.max_u(hi, b);
      const a = sr + (<usize>t << 3);
      store<f64>(a, load<f64>(a) + <f64>v);
    }
  }
  lo = i32x4.min_u(lo, v128.shuffle<i32>(lo, lo, 2, 3, 0, 1));
  lo = i32x4.min_u(lo, v128.shuffle<i32>(lo, lo, 1, 0, 3, 2));
  hi = i32x4.max_u(hi, v128.shuffle<i32>(hi, hi, 2, 3, 0, 1));
  hi = i32x4.max_u(hi, v128.shuffle<i32>(hi, hi, 1, 0, 3, 2));
  store<i32>(ps, i32x4.extract_lane(lo, 0));
  store<i32>(ps, i32x4.extract_lane(hi, 0), 4);
}

/**
 * One block of a Lloyd pass that uses the distance bounds (../../local/lloyd-bounds.ts, the Elkan case;
 * that file's comment proves the test), with its doubles bit for bit: for each of the rows x d samples at x
 * with labels (i32), squared norms xn, bounds lb (rows x k f64, recorded at pass stamp[r]; decay[s * k + j]
 * bounds centroid j's moves since pass s): the exact score to its label (pairDots, into scores), then the
 * verdict (0: no other centroid can be as close; 1: at most `few` can, rescored exactly and the argmin over
 * the label and them, ties to the lowest index, updates labels and scores; 2: more can, so the caller
 * screens it). candX / candC / candV hold rows x (few + 1) pairs' addresses and dot products.
 * The threads take the rows in chunks from the counter at `next` (0: each its static share).
 */
export function lloydBounded(
  x: usize, rows: i32, d: i32, c: usize, k: i32, labels: usize, xn: usize, cn: usize, lb: usize, stamp: usize, decay: usize,
  epsRel: f64, cnMax: f64, up: f64, down: f64, few: i32,
  scores: usize, verdict: usize, candX: usize, candC: usize, candV: usize, count: usize, next: usize, tid: i32, nt: i32,
): void {
  // Chunks of ROW_CHUNK rows from the counter (or this thread's static share of them); each row's
  // rivals are listed at rows + r * few, wherever its chunk runs.
  const chunks = (rows + ROW_CHUNK - 1) / ROW_CHUNK;
  for (let u = firstUnit(next, chunks, tid, nt), u1 = unitsEnd(next, chunks, tid, nt); u < u1; u = nextUnit(next, u)) {
    lloydBoundedRows(x, u * ROW_CHUNK, min(rows, (u + 1) * ROW_CHUNK), rows, d, c, k, labels, xn, cn, lb, stamp, decay, epsRel, cnMax, up, down, few,
      scores, verdict, candX, candC, candV, count);
  }
}

/** lloydBounded for rows [r0, r1) of `rows`. */
function lloydBoundedRows(
  x: usize, r0: i32, r1: i32, rows: i32, d: i32, c: usize, k: i32, labels: usize, xn: usize, cn: usize, lb: usize, stamp: usize, decay: usize,
  epsRel: f64, cnMax: f64, up: f64, down: f64, few: i32,
  scores: usize, verdict: usize, candX: usize, candC: usize, candV: usize, count: usize,
): void {
  if (r1 <= r0) return;
  const rowBytes = <usize>d << 2;
  // The label's exact dot products: pairs r0..r1 of the first rows.
  for (let r = r0; r < r1; r++) {
    store<i32>(candX + (<usize>r << 2), <i32>(x + <usize>r * rowBytes));
    store<i32>(candC + (<usize>r << 2), <i32>(c + <usize>load<i32>(labels + (<usize>r << 2)) * rowBytes));
  }
  pairDotsRange(candX + (<usize>r0 << 2), candC + (<usize>r0 << 2), r1 - r0, d, candV + (<usize>r0 << 3));
  // The rivals listed after them, this thread's from rows + r0 * few.
  const base = <usize>rows + <usize>r0 * few;
  let m = base;
  for (let r = r0; r < r1; r++) {
    const a = load<i32>(labels + (<usize>r << 2));
    const xi = load<f64>(xn + (<usize>r << 3));
    const dv = xi + load<f64>(cn + (<usize>a << 3)) - 2 * load<f64>(candV + (<usize>r << 3));
    const sa = dv > 0 ? dv : 0;
    store<f64>(scores + (<usize>r << 3), sa);
    const eps = epsRel * (xi + cnMax);
    const rad = Math.sqrt((sa + 2 * eps) * up) * up;
    const o = lb + ((<usize>r * k) << 3);
    const so = decay + ((<usize>load<i32>(stamp + (<usize>r << 2)) * k) << 3);
    const m0 = m;
    let many = false;
    // Two centroids a step (f64x2 lanes, each the scalar test below), until more than `few` rivals.
    const radv = f64x2.splat(rad);
    const upv = f64x2.splat(up);
    const downv = f64x2.splat(down);
    let j = 0;
    for (; j + 2 <= k && !many; j += 2) {
      const wv = f64x2.mul(f64x2.add(radv, v128.load(so + (<usize>j << 3))), upv);
      const out = i64x2.bitmask(f64x2.gt(f64x2.mul(v128.load(o + (<usize>j << 3)), downv), f64x2.mul(f64x2.mul(wv, wv), upv)));
      if (out == 3) continue;
      for (let l = 0; l < 2; l++) {
        if ((out & (1 << l)) != 0 || j + l == a) continue;
        if (<i32>(m - m0) == few) {
          many = true;
          break;
        }
        store<i32>(candX + (m << 2), <i32>(x + <usize>r * rowBytes));
        store<i32>(candC + (m << 2), <i32>(c + <usize>(j + l) * rowBytes));
        m++;
      }
    }
    for (; j < k && !many; j++) {
      const w = (rad + load<f64>(so + (<usize>j << 3))) * up;
      if (j != a && !(load<f64>(o + (<usize>j << 3)) * down > w * w * up)) {
        if (<i32>(m - m0) < few) {
          store<i32>(candX + (m << 2), <i32>(x + <usize>r * rowBytes));
          store<i32>(candC + (m << 2), <i32>(c + <usize>j * rowBytes));
          m++;
        } else many = true;
      }
    }
    if (many) m = m0;
    store<i32>(count + (<usize>r << 2), <i32>(m - m0));
    store<i32>(verdict + (<usize>r << 2), many ? 2 : m > m0 ? 1 : 0);
  }
  if (m == base) return;
  pairDotsRange(candX + (base << 2), candC + (base << 2), <i32>(m - base), d, candV + (base << 3));
  let q = base;
  for (let r = r0; r < r1; r++) {
    const e = q + <usize>load<i32>(count + (<usize>r << 2));
    if (e == q) continue;
    const xi = load<f64>(xn + (<usize>r << 3));
    let b = load<i32>(labels + (<usize>r << 2));
    let sb = load<f64>(scores + (<usize>r << 3));
    for (; q < e; q++) {
      const j = <i32>((<usize>load<i32>(candC + (q << 2)) - c) / rowBytes);
      const dv = xi + load<f64>(cn + (<usize>j << 3)) - 2 * load<f64>(candV + (q << 3));
      const v = dv > 0 ? dv : 0;
      if (v < sb || (v == sb && j < b)) {
        b = j;
        sb = v;
      }
    }
    store<i32>(labels + (<usize>r << 2), b);
    store<f64>(scores + (<usize>r << 3), sb);
  }
}

/**
 * out[q] = the exact integer product of a sample's pixel codes (d bytes at xq) and prototype list[q]'s i16
 * codes (rows of dpBytes bytes at cq, zero-padded) for q < m: codeRows's sums for these pairs (integers, so
 * in any order), four prototypes at a time so that each widened vector of the sample serves four.
 */
function codeDots(xq: usize, cq: usize, dpBytes: usize, list: usize, m: i32, d: i32, out: usize): void {
  const d8 = d & ~7;
  let q = 0;
  for (; q + 4 <= m; q += 4) {
    const c0 = cq + <usize>load<i32>(list + (<usize>q << 2)) * dpBytes;
    const c1 = cq + <usize>load<i32>(list + (<usize>q << 2), 4) * dpBytes;
    const c2 = cq + <usize>load<i32>(list + (<usize>q << 2), 8) * dpBytes;
    const c3 = cq + <usize>load<i32>(list + (<usize>q << 2), 12) * dpBytes;
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let a2 = i32x4.splat(0);
    let a3 = i32x4.splat(0);
    for (let t = 0; t < d8; t += 8) {
      const xv = i16x8.extend_low_i8x16_u(v128.load64_zero(xq + <usize>t));
      const tb = <usize>t << 1;
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xv, v128.load(c0 + tb)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xv, v128.load(c1 + tb)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xv, v128.load(c2 + tb)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xv, v128.load(c3 + tb)));
    }
    let s0 = i32x4.extract_lane(a0, 0) + i32x4.extract_lane(a0, 1) + i32x4.extract_lane(a0, 2) + i32x4.extract_lane(a0, 3);
    let s1 = i32x4.extract_lane(a1, 0) + i32x4.extract_lane(a1, 1) + i32x4.extract_lane(a1, 2) + i32x4.extract_lane(a1, 3);
    let s2 = i32x4.extract_lane(a2, 0) + i32x4.extract_lane(a2, 1) + i32x4.extract_lane(a2, 2) + i32x4.extract_lane(a2, 3);
    let s3 = i32x4.extract_lane(a3, 0) + i32x4.extract_lane(a3, 1) + i32x4.extract_lane(a3, 2) + i32x4.extract_lane(a3, 3);
    for (let t = d8; t < d; t++) {
      const v = <i32>load<u8>(xq + <usize>t);
      const tb = <usize>t << 1;
      s0 += v * <i32>load<i16>(c0 + tb);
      s1 += v * <i32>load<i16>(c1 + tb);
      s2 += v * <i32>load<i16>(c2 + tb);
      s3 += v * <i32>load<i16>(c3 + tb);
    }
    store<i32>(out + (<usize>q << 2), s0);
    store<i32>(out + (<usize>q << 2), s1, 4);
    store<i32>(out + (<usize>q << 2), s2, 8);
    store<i32>(out + (<usize>q << 2), s3, 12);
  }
  for (; q < m; q++) {
    const c0 = cq + <usize>load<i32>(list + (<usize>q << 2)) * dpBytes;
    let a0 = i32x4.splat(0);
    for (let t = 0; t < d8; t += 8) {
      const xv = i16x8.extend_low_i8x16_u(v128.load64_zero(xq + <usize>t));
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xv, v128.load(c0 + (<usize>t << 1))));
    }
    let s0 = i32x4.extract_lane(a0, 0) + i32x4.extract_lane(a0, 1) + i32x4.extract_lane(a0, 2) + i32x4.extract_lane(a0, 3);
    for (let t = d8; t < d; t++) s0 += <i32>load<u8>(xq + <usize>t) * <i32>load<i16>(c0 + (<usize>t << 1));
    store<i32>(out + (<usize>q << 2), s0);
  }
}

/**
 * Bytes of lloydSparse's work room per thread for k prototypes: a row's list, lo, hi and products (k
 * each), then a chunk's candidates per row, and its pairs (ROW_CHUNK x k: two addresses and a dot product).
 */
export function lloydSparseWork(k: i32): i32 {
  return ((k * 24 + ROW_CHUNK * 4 + ROW_CHUNK * k * 16 + 15) >> 4) << 4;
}

/**
 * A Lloyd pass after the first on the samples' pixel codes, with the distance bounds of an earlier pass
 * (../../local/lloyd-bounds.ts, the Elkan case, says why the test holds): for each of the rows x d samples
 * at x (pixel codes from `codes`, row errors rowErr; labels, squared norms xn, bounds lb (rows x k f64,
 * dated to pass stamp[r]); decay[s * k + j] bounds centroid j's moves since pass s), the label's
 * integer-screen upper bound U (nearestRows's bounds, the same margins) stands in for its exact score:
 * every centroid j whose bound leaves e_ij <= sqrt(U + 2 E) is a possible rival, and only the label and
 * those are screened on their codes (codeDots), the candidates rescored exactly, a chunk's pairs at a time
 * (ties to the lowest index). Every other centroid's score is strictly above the label's, so the label is
 * nearestRows's, which is the plain definition's. Unless `last` != 0 (no pass follows), the screened
 * centroids' bounds are rewritten from the screen (the exact score where computed) less the rounding
 * margin eps = epsRel (xn + cnMax), dated back to the row's stamp (backdated); the other bounds and the
 * stamps stay as they are. Every score is exact unless labelsOnly != 0 (a Lloyd pass before the last: a
 * single candidate takes the label unrescored, its score NaN). count[r] gets the number of rivals
 * screened. With psums != 0 each thread adds its rows to its partial sums there (addPartialSums). The
 * threads take chunks of ROW_CHUNK rows from the counter at `next`; `work` holds lloydSparseWork(k) bytes a
 * thread.
 */
export function lloydSparse(
  x: usize, rows: i32, d: i32, c: usize, k: i32, labels: usize, xn: usize, cn: usize, cRoot: usize, lb: usize, stamp: usize, decay: usize,
  epsRel: f64, cnMax: f64, up: f64, down: f64, abs: f64, last: i32, labelsOnly: i32,
  codes: usize, rowErr: usize, cq: usize, dp: i32, colScale: usize, colErr: usize,
  scores: usize, count: usize, work: usize, psums: usize, next: usize, tid: i32, nt: i32,
): void {
  // This thread's work room (lloydSparseWork): a row's list, lo, hi and products, then a chunk's pairs.
  const w = work + <usize>tid * <usize>lloydSparseWork(k);
  const list = w;
  const lo = list + (<usize>k << 2);
  const hi = lo + (<usize>k << 3);
  const prodQ = hi + (<usize>k << 3);
  const perRow = prodQ + (<usize>k << 2);
  const candX = perRow + (<usize>ROW_CHUNK << 2);
  const candC = candX + ((<usize>ROW_CHUNK * k) << 2);
  const candV = candC + ((<usize>ROW_CHUNK * k) << 2);
  const ps = psums + <usize>tid * ((<usize>k * d + 2) << 3);
  const rowBytes = <usize>d << 2;
  const chunks = (rows + ROW_CHUNK - 1) / ROW_CHUNK;
  for (let u = firstUnit(next, chunks, tid, nt), u1 = unitsEnd(next, chunks, tid, nt); u < u1; u = nextUnit(next, u)) {
    const r0 = u * ROW_CHUNK;
    const r1 = min(rows, r0 + ROW_CHUNK);
    // Each row screened; the pairs left to rescore listed for the whole chunk, so that their exact dot
    // products run eight pairs at a time.
    let m = 0;
    for (let r = r0; r < r1; r++) {
      const nc = lloydSparseRow(x, r, d, c, k, labels, xn, cn, cRoot, lb, stamp, decay, epsRel, cnMax, up, down, abs, last, labelsOnly, codes, rowErr,
        cq, dp, colScale, colErr, scores, count, list, lo, hi, prodQ, candX + (<usize>m << 2), candC + (<usize>m << 2));
      store<i32>(perRow + (<usize>(r - r0) << 2), nc);
      m += nc;
    }
    if (m > 0) pairDotsRange(candX, candC, m, d, candV);
    let q = 0;
    for (let r = r0; r < r1; r++) {
      const e = q + load<i32>(perRow + (<usize>(r - r0) << 2));
      if (e == q) continue;
      const xi = load<f64>(xn + (<usize>r << 3));
      const eps = epsRel * (xi + cnMax);
      const o = lb + ((<usize>r * k) << 3);
      const so = decay + ((<usize>load<i32>(stamp + (<usize>r << 2)) * k) << 3);
      let b = -1;
      let sb = Infinity;
      for (; q < e; q++) {
        const j = <i32>((<usize>load<i32>(candC + (<usize>q << 2)) - c) / rowBytes);
        const dv = xi + load<f64>(cn + (<usize>j << 3)) - 2 * load<f64>(candV + (<usize>q << 3));
        const v = dv > 0 ? dv : 0;
        if (last == 0) store<f64>(o + (<usize>j << 3), backdated(v - eps, load<f64>(so + (<usize>j << 3)), down));
        if (b < 0 || v < sb || (v == sb && j < b)) {
          b = j;
          sb = v;
        }
      }
      store<i32>(labels + (<usize>r << 2), b);
      store<f64>(scores + (<usize>r << 3), sb);
    }
    if (psums != 0) addPartialSums(x, r0, r1, d, k, labels, ps);
  }
}

/**
 * lloydSparse's screen of row r (work rows of k entries: list, lo, hi, prodQ): the label's and the possible
 * rivals' bounds, the screened bounds written (unless last); a single candidate (labelsOnly) taken as the
 * label, its score NaN, and 0 returned; else the candidates' pairs (sample and centroid addresses) written at
 * candX and candC and their number returned, for the caller to rescore exactly.
 */
function lloydSparseRow(
  x: usize, r: i32, d: i32, c: usize, k: i32, labels: usize, xn: usize, cn: usize, cRoot: usize, lb: usize, stamp: usize, decay: usize,
  epsRel: f64, cnMax: f64, up: f64, down: f64, abs: f64, last: i32, labelsOnly: i32,
  codes: usize, rowErr: usize, cq: usize, dp: i32, colScale: usize, colErr: usize,
  scores: usize, count: usize, list: usize, lo: usize, hi: usize, prodQ: usize, candX: usize, candC: usize,
): i32 {
  const rowBytes = <usize>d << 2;
  const dpBytes = <usize>dp << 1;
  const relI = codeScreenRel(d);
  const xi = load<f64>(xn + (<usize>r << 3));
  const xr = Math.sqrt(xi) * 1.0000000000009095; // rounded up past its roundings (1 + 2^-40), as nearestRows
  const ex = load<f64>(rowErr + (<usize>r << 3));
  const xq = codes + <usize>r * <usize>d;
  const a = load<i32>(labels + (<usize>r << 2));
  const eps = epsRel * (xi + cnMax);
  // The label's screen first: its upper bound decides which centroids can be rivals.
  store<i32>(list, a);
  codeDots(xq, cq, dpBytes, list, 1, d, prodQ);
  sparseBounds(xi, xr, ex, relI, abs, cn, cRoot, colScale, colErr, list, prodQ, 0, 1, lo, hi);
  const ua = load<f64>(hi);
  const rad = Math.sqrt((ua + 2 * eps) * up) * up;
  const o = lb + ((<usize>r * k) << 3);
  const so = decay + ((<usize>load<i32>(stamp + (<usize>r << 2)) * k) << 3);
  // Two centroids a step (f64x2 lanes, each the scalar test below): most pairs have no rival.
  let m = 1;
  const radv = f64x2.splat(rad);
  const upv = f64x2.splat(up);
  const downv = f64x2.splat(down);
  let j = 0;
  for (; j + 2 <= k; j += 2) {
    const wv = f64x2.mul(f64x2.add(radv, v128.load(so + (<usize>j << 3))), upv);
    const out = i64x2.bitmask(f64x2.gt(f64x2.mul(v128.load(o + (<usize>j << 3)), downv), f64x2.mul(f64x2.mul(wv, wv), upv)));
    if (out == 3) continue;
    if ((out & 1) == 0 && j != a) {
      store<i32>(list + (<usize>m << 2), j);
      m++;
    }
    if ((out & 2) == 0 && j + 1 != a) {
      store<i32>(list + (<usize>m << 2), j + 1);
      m++;
    }
  }
  for (; j < k; j++) {
    const wj = (rad + load<f64>(so + (<usize>j << 3))) * up;
    if (j != a && !(load<f64>(o + (<usize>j << 3)) * down > wj * wj * up)) {
      store<i32>(list + (<usize>m << 2), j);
      m++;
    }
  }
  store<i32>(count + (<usize>r << 2), m - 1);
  // The rivals' screen, and the least upper bound over the label and them.
  codeDots(xq, cq, dpBytes, list + 4, m - 1, d, prodQ + 4);
  sparseBounds(xi, xr, ex, relI, abs, cn, cRoot, colScale, colErr, list, prodQ, 1, m, lo, hi);
  let u1: f64 = Infinity;
  for (let q = 0; q < m; q++) {
    const h = load<f64>(hi + (<usize>q << 3));
    if (h < u1) u1 = h;
  }
  // Candidates: a lower bound not above it (as nearestRows: `!(low > bound)`).
  let nc = 0;
  let only = -1;
  const xa = <i32>(x + <usize>r * rowBytes);
  for (let q = 0; q < m; q++) {
    const j = load<i32>(list + (<usize>q << 2));
    const lq = load<f64>(lo + (<usize>q << 3));
    if (last == 0) store<f64>(o + (<usize>j << 3), backdated(lq - eps, load<f64>(so + (<usize>j << 3)), down));
    if (lq > u1) continue;
    store<i32>(candX + (<usize>nc << 2), xa);
    store<i32>(candC + (<usize>nc << 2), <i32>(c + <usize>j * rowBytes));
    nc++;
    only = j;
  }
  if (nc == 1 && labelsOnly != 0) {
    store<i32>(labels + (<usize>r << 2), only);
    store<f64>(scores + (<usize>r << 3), NaN);
    return 0;
  }
  return nc;
}

/**
 * A bound l <= e^2 on a distance now, for a row whose bounds date from an earlier pass s: with dj >= the
 * centroid's moves since s (decay, rounded up), (sqrt(l) + dj)^2 rounded down at every step (dj taken
 * down past its own roundings), so that at any later pass sqrt(bound) - decay since s <= sqrt(l) - the
 * moves since now <= e then. l <= 0 counts as 0.
 */
@inline function backdated(l: f64, dj: f64, down: f64): f64 {
  const base = l > 0 ? Math.sqrt(l * down) * down : 0;
  const s = (base + dj * down * down * down) * down;
  return s * s * down;
}

/**
 * nearestRows's integer-screen bounds for list entries q0..q1-1 (prototype list[q], integer product
 * prodQ[q]): lo[q] = approx - mg, hi[q] = max(approx + mg, 0), the same doubles as nearestRows's scalar loop.
 */
function sparseBounds(
  xi: f64, xr: f64, ex: f64, relI: f64, abs: f64, cn: usize, cRoot: usize, colScale: usize, colErr: usize,
  list: usize, prodQ: usize, q0: i32, q1: i32, lo: usize, hi: usize,
): void {
  for (let q = q0; q < q1; q++) {
    const j = <usize>load<i32>(list + (<usize>q << 2));
    const cj = load<f64>(cn + (j << 3));
    const pv = <f64>load<i32>(prodQ + (<usize>q << 2)) * load<f64>(colScale + (j << 3));
    const ce = load<f64>(colErr + (j << 3));
    const approx = xi + cj - 2 * pv;
    const mg = xr * ce + ex * (load<f64>(cRoot + (j << 3)) + ce) + (relI * (xi + cj + 2 * Math.abs(pv)) + abs);
    const t = approx + mg;
    store<f64>(hi + (<usize>q << 3), t > 0 ? t : 0);
    store<f64>(lo + (<usize>q << 3), approx - mg);
  }
}

/**
 * Cluster sums: sums[labels[r] * d + t] += x[r * d + t] for every row r, each one double addition, the
 * rows of each cluster in increasing r, so every sum adds its samples in sample order as the TypeScript
 * loop does. The rows are taken in `order` (a permutation of 0..rows-1 grouped by label, increasing within
 * a label); the sums of one run of rows with the same label are carried in registers, sixteen columns at
 * a time, while the run's rows stream past (one load and one store of each sum a run, not one a row).
 * Thread tid of nt takes its share of the columns t (in pairs, one f64x2 lane each).
 */
export function clusterSums(x: usize, rows: i32, d: i32, labels: usize, order: usize, sums: usize, tid: i32, nt: i32): void {
  const pairs = d >> 1;
  const t0 = shareLo(pairs, tid, nt) << 1;
  const t1 = tid == nt - 1 ? d : shareLo(pairs, tid + 1, nt) << 1;
  const rowBytes = <usize>d << 2;
  let q = 0;
  while (q < rows) {
    const lab = load<i32>(labels + (<usize>load<i32>(order + (<usize>q << 2)) << 2));
    let e = q + 1;
    while (e < rows && load<i32>(labels + (<usize>load<i32>(order + (<usize>e << 2)) << 2)) == lab) e++;
    const sr = sums + ((<usize>lab * d) << 3);
    let t = t0;
    for (; t + 16 <= t1; t += 16) {
      const a = sr + (<usize>t << 3);
      let s0 = v128.load(a);
      let s1 = v128.load(a, 16);
      let s2 = v128.load(a, 32);
      let s3 = v128.load(a, 48);
      let s4 = v128.load(a, 64);
      let s5 = v128.load(a, 80);
      let s6 = v128.load(a, 96);
      let s7 = v128.load(a, 112);
      for (let p = q; p < e; p++) {
        const xr = x + <usize>load<i32>(order + (<usize>p << 2)) * rowBytes + (<usize>t << 2);
        const v0 = v128.load(xr);
        const v1 = v128.load(xr, 16);
        const v2 = v128.load(xr, 32);
        const v3 = v128.load(xr, 48);
        s0 = f64x2.add(s0, lowPair(v0));
        s1 = f64x2.add(s1, highPair(v0));
        s2 = f64x2.add(s2, lowPair(v1));
        s3 = f64x2.add(s3, highPair(v1));
        s4 = f64x2.add(s4, lowPair(v2));
        s5 = f64x2.add(s5, highPair(v2));
        s6 = f64x2.add(s6, lowPair(v3));
        s7 = f64x2.add(s7, highPair(v3));
      }
      v128.store(a, s0);
      v128.store(a, s1, 16);
      v128.store(a, s2, 32);
      v128.store(a, s3, 48);
      v128.store(a, s4, 64);
      v128.store(a, s5, 80);
      v128.store(a, s6, 96);
      v128.store(a, s7, 112);
    }
    // The last columns (fewer than sixteen), row by row.
    for (let p = q; p < e && t < t1; p++) {
      const xr = x + <usize>load<i32>(order + (<usize>p << 2)) * rowBytes;
      let u = t;
      for (; u + 4 <= t1; u += 4) {
        const a = sr + (<usize>u << 3);
        const v = v128.load(xr + (<usize>u << 2));
        v128.store(a, f64x2.add(v128.load(a), lowPair(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), highPair(v)), 16);
      }
      for (; u + 2 <= t1; u += 2) {
        const a = sr + (<usize>u << 3);
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v128.load64_zero(xr + (<usize>u << 2)))));
      }
      if (u < t1) {
        const a = sr + (<usize>u << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(xr + (<usize>u << 2)));
      }
    }
    q = e;
  }
}

// ---- GRU steps (same contract as ../gru.ts's TypeScript reference), all steps in one call ----

/**
 * Forward through every step for thread tid's batch rows (PyTorch's GRU: the reset gate scales the recurrent
 * part of the new gate after its projection). z [steps, batch, 3u] holds x_t Wx + b (gate order r, z, n)
 * and is overwritten with the gate activations; wh is [u, 3u], bh [u]; h is [(steps + 1), batch, u] with
 * block 0 the zero initial state (set here); hn [steps, batch, u] gets h_(t-1) Wh_n + bh; r is [batch, 3u]
 * scratch. Step t: r = h_(t-1) Wh (one GEMM), then rg = σ(z_r + r_r), zg = σ(z_z + r_z),
 * hn = r_n + bh, n = tanh(z_n + rg hn), h_t = (1 - zg) n + zg h_(t-1).
 */
export function gruForward(
  z: usize, wh: usize, bh: usize, h: usize, hn: usize, r: usize, steps: i32, batch: i32, units: i32, tid: i32, nt: i32,
): void {
  const n = batch * units;
  const g3 = 3 * units;
  const ub = <usize>units << 2;
  const nb = <usize>n << 2;
  const one = f32x4.splat(1);
  const b0 = batchLo(batch, tid, nt);
  const b1 = batchLo(batch, tid + 1, nt);
  if (b1 <= b0) return;
  memory.fill(h + <usize>b0 * ub, 0, <usize>(b1 - b0) * ub);
  for (let t = 0; t < steps; t++) {
    const zt = z + ((<usize>t * batch * g3) << 2);
    const hPrev = h + ((<usize>t * n) << 2);
    const hnt = hn + ((<usize>t * n) << 2);
    gemmLd(0, 0, b1 - b0, g3, units, 1, hPrev + <usize>b0 * ub, units, wh, g3, 0, r + ((<usize>b0 * g3) << 2), g3);
    for (let b = b0; b < b1; b++) {
      const a = zt + ((<usize>b * g3) << 2);
      const ra = r + ((<usize>b * g3) << 2);
      const row = <usize>b * ub;
      for (let j = 0; j < units; j += 4) {
        const cnt = units - j;
        const o4 = <usize>j << 2;
        const rg = sigmoid4(f32x4.add(loadPart(a + o4, cnt), loadPart(ra + o4, cnt)));
        const zg = sigmoid4(f32x4.add(loadPart(a + ub + o4, cnt), loadPart(ra + ub + o4, cnt)));
        const hv = f32x4.add(loadPart(ra + 2 * ub + o4, cnt), loadPart(bh + o4, cnt));
        const ng = tanh4(f32x4.add(loadPart(a + 2 * ub + o4, cnt), f32x4.mul(rg, hv)));
        storePart(a + o4, rg, cnt);
        storePart(a + ub + o4, zg, cnt);
        storePart(a + 2 * ub + o4, ng, cnt);
        storePart(hnt + row + o4, hv, cnt);
        const hp = loadPart(hPrev + row + o4, cnt);
        storePart(hPrev + nb + row + o4, f32x4.add(f32x4.mul(f32x4.sub(one, zg), ng), f32x4.mul(zg, hp)), cnt);
      }
    }
  }
}

/**
 * Backward through every step for thread tid's batch rows (the forward's act = its overwritten z, its hn
 * and h). dH [steps, batch, u] is dL/dh_t from the layer's output; fills dZ and dR [steps, batch, 3u]
 * (gradients of the input and recurrent parts of the pre-activations: equal for r and z, dR_n = dZ_n rg),
 * using carry [batch, u] for dL/dh flowing back from later steps: carry = dh zg + dR_t Wh^T. The recurrent
 * bias's gradient is gruBiasGrad's, after it.
 */
export function gruBackward(
  act: usize, hn: usize, h: usize, dH: usize, wh: usize, dZ: usize, dR: usize, carry: usize, steps: i32, batch: i32, units: i32,
  tid: i32, nt: i32,
): void {
  const n = batch * units;
  const g3 = 3 * units;
  const ub = <usize>units << 2;
  const one = f32x4.splat(1);
  const b0 = batchLo(batch, tid, nt);
  const b1 = batchLo(batch, tid + 1, nt);
  if (b1 <= b0) return;
  memory.fill(carry + <usize>b0 * ub, 0, <usize>(b1 - b0) * ub);
  for (let t = steps - 1; t >= 0; t--) {
    const off = (<usize>t * batch * g3) << 2;
    const hPrev = h + ((<usize>t * n) << 2);
    const dht = dH + ((<usize>t * n) << 2);
    const hnt = hn + ((<usize>t * n) << 2);
    for (let b = b0; b < b1; b++) {
      const a = act + off + ((<usize>b * g3) << 2);
      const dz = dZ + off + ((<usize>b * g3) << 2);
      const dr = dR + off + ((<usize>b * g3) << 2);
      const row = <usize>b * ub;
      for (let j = 0; j < units; j += 4) {
        const cnt = units - j;
        const o4 = <usize>j << 2;
        const k = row + o4;
        const dh = f32x4.add(loadPart(dht + k, cnt), loadPart(carry + k, cnt));
        const rg = loadPart(a + o4, cnt);
        const zg = loadPart(a + ub + o4, cnt);
        const ng = loadPart(a + 2 * ub + o4, cnt);
        const dnp = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, zg)), f32x4.sub(one, f32x4.mul(ng, ng)));
        const dzp = f32x4.mul(f32x4.mul(dh, f32x4.sub(loadPart(hPrev + k, cnt), ng)), f32x4.mul(zg, f32x4.sub(one, zg)));
        const drp = f32x4.mul(f32x4.mul(dnp, loadPart(hnt + k, cnt)), f32x4.mul(rg, f32x4.sub(one, rg)));
        const dnr = f32x4.mul(dnp, rg);
        storePart(dz + o4, drp, cnt);
        storePart(dr + o4, drp, cnt);
        storePart(dz + ub + o4, dzp, cnt);
        storePart(dr + ub + o4, dzp, cnt);
        storePart(dz + 2 * ub + o4, dnp, cnt);
        storePart(dr + 2 * ub + o4, dnr, cnt);
        storePart(carry + k, f32x4.mul(dh, zg), cnt);
      }
    }
    gemmLd(0, 1, b1 - b0, units, g3, 1, dR + off + ((<usize>b0 * g3) << 2), g3, wh, g3, 1, carry + <usize>b0 * ub, units);
  }
}

/** dbh [u] += the dR_n of every step and sample (steps from last to first, batch rows in order), as float32 sums. */
export function gruBiasGrad(dR: usize, dbh: usize, steps: i32, batch: i32, units: i32): void {
  const g3 = 3 * units;
  const ub = <usize>units << 2;
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const dr = dR + ((<usize>(t * batch + b) * g3) << 2) + 2 * ub;
      for (let j = 0; j < units; j += 4) {
        const cnt = units - j;
        const o4 = <usize>j << 2;
        storePart(dbh + o4, f32x4.add(loadPart(dbh + o4, cnt), loadPart(dr + o4, cnt)), cnt);
      }
    }
  }
}

// ---- simple RNN steps (same contract as ../rnn.ts's TypeScript reference), all steps in one call ----

/**
 * Forward through every step for thread tid's batch rows: z [steps, batch, u] holds x_t Wx + b and is
 * overwritten with z_t + h_(t-1) Wh; h [(steps + 1), batch, u] gets h_t = tanh of that, block 0 zero.
 */
export function rnnForward(z: usize, wh: usize, h: usize, steps: i32, batch: i32, units: i32, tid: i32, nt: i32): void {
  const n = batch * units;
  const nb = <usize>n << 2;
  const b0 = batchLo(batch, tid, nt);
  const b1 = batchLo(batch, tid + 1, nt);
  if (b1 <= b0) return;
  const i0 = b0 * units;
  const i1 = b1 * units;
  const r0 = (<usize>i0) << 2;
  memory.fill(h + r0, 0, <usize>(i1 - i0) << 2);
  for (let t = 0; t < steps; t++) {
    const zt = z + ((<usize>t * n) << 2);
    const hPrev = h + ((<usize>t * n) << 2);
    gemmLd(0, 0, b1 - b0, units, units, 1, hPrev + r0, units, wh, units, 1, zt + r0, units);
    for (let i = i0; i < i1; i += 4) storePart(hPrev + nb + (<usize>i << 2), tanh4(loadPart(zt + (<usize>i << 2), i1 - i)), i1 - i);
  }
}

/**
 * Backward through every step for thread tid's batch rows: dZ_t = (dH_t + carry)(1 - h_t²), carry = dZ_t Wh^T
 * ([batch, u] scratch).
 */
export function rnnBackward(h: usize, dH: usize, wh: usize, dZ: usize, carry: usize, steps: i32, batch: i32, units: i32, tid: i32, nt: i32): void {
  const n = batch * units;
  const nb = <usize>n << 2;
  const one = f32x4.splat(1);
  const b0 = batchLo(batch, tid, nt);
  const b1 = batchLo(batch, tid + 1, nt);
  if (b1 <= b0) return;
  const i0 = b0 * units;
  const i1 = b1 * units;
  const r0 = (<usize>i0) << 2;
  memory.fill(carry + r0, 0, <usize>(i1 - i0) << 2);
  for (let t = steps - 1; t >= 0; t--) {
    const o = (<usize>t * n) << 2;
    const ht = h + o + nb;
    for (let i = i0; i < i1; i += 4) {
      const cnt = i1 - i;
      const p = <usize>i << 2;
      const y = loadPart(ht + p, cnt);
      const d = f32x4.add(loadPart(dH + o + p, cnt), loadPart(carry + p, cnt));
      storePart(dZ + o + p, f32x4.mul(d, f32x4.sub(one, f32x4.mul(y, y))), cnt);
    }
    gemmLd(0, 1, b1 - b0, units, units, 1, dZ + o + r0, units, wh, units, 0, carry + r0, units);
  }
}

/**
 * The SOM's move of the listed units toward one sample x (d floats). For list entry i, unit
 * u = units[i] (an i32 row of w, k x d f32 row-major; no unit listed twice) with gain g = gains[i] (f64),
 * for t = 0..d-1 in order: m = g * (f64(x[t]) - f64(w[u][t])), w[u][t] = f32(f64(w[u][t]) + m),
 * s += m * m; then out[i] = s (f64). The arithmetic of the TypeScript loop in ../../local/som.ts
 * (`present`) with a separate multiply and add, so the weights and the movements are the same bit for
 * bit. Each f64x2 lane is one unit; four units at a time keep two chains in flight.
 */
export function somUpdate(x: usize, w: usize, d: i32, units: usize, gains: usize, count: i32, out: usize, tid: i32, nt: i32): void {
  // Thread tid's share of the listed units in whole groups of four (each unit's update is the same in any group).
  const lo = groupShareLo(count, 4, tid, nt);
  const hi = groupShareLo(count, 4, tid + 1, nt);
  if (hi > lo) somUpdateRange(x, w, d, units + (<usize>lo << 2), gains + (<usize>lo << 3), hi - lo, out + (<usize>lo << 3));
}

function somUpdateRange(x: usize, w: usize, d: i32, units: usize, gains: usize, count: i32, out: usize): void {
  const row = <usize>d << 2;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const ui = units + (<usize>i << 2);
    const p0 = w + <usize>load<i32>(ui) * row;
    const p1 = w + <usize>load<i32>(ui, 4) * row;
    const p2 = w + <usize>load<i32>(ui, 8) * row;
    const p3 = w + <usize>load<i32>(ui, 12) * row;
    const gi = gains + (<usize>i << 3);
    const g01 = v128.load(gi);
    const g23 = v128.load(gi, 16);
    let s01 = f64x2.splat(0);
    let s23 = f64x2.splat(0);
    for (let t: usize = 0; t < row; t += 4) {
      const xv = f64x2.splat(<f64>load<f32>(x + t));
      const w01 = f64x2.promote_low_f32x4(v128.load32_lane(p1 + t, v128.load32_zero(p0 + t), 1));
      const w23 = f64x2.promote_low_f32x4(v128.load32_lane(p3 + t, v128.load32_zero(p2 + t), 1));
      const m01 = f64x2.mul(g01, f64x2.sub(xv, w01));
      const m23 = f64x2.mul(g23, f64x2.sub(xv, w23));
      const n01 = f32x4.demote_f64x2_zero(f64x2.add(w01, m01));
      const n23 = f32x4.demote_f64x2_zero(f64x2.add(w23, m23));
      v128.store32_lane(p0 + t, n01, 0);
      v128.store32_lane(p1 + t, n01, 1);
      v128.store32_lane(p2 + t, n23, 0);
      v128.store32_lane(p3 + t, n23, 1);
      s01 = f64x2.add(s01, f64x2.mul(m01, m01));
      s23 = f64x2.add(s23, f64x2.mul(m23, m23));
    }
    const o = out + (<usize>i << 3);
    v128.store(o, s01);
    v128.store(o, s23, 16);
  }
  for (; i < count; i++) {
    const p = w + <usize>load<i32>(units + (<usize>i << 2)) * row;
    const g = load<f64>(gains + (<usize>i << 3));
    let s: f64 = 0;
    for (let t: usize = 0; t < row; t += 4) {
      const wt = <f64>load<f32>(p + t);
      const m = g * (<f64>load<f32>(x + t) - wt);
      store<f32>(p + t, <f32>(wt + m));
      s += m * m;
    }
    store<f64>(out + (<usize>i << 3), s);
  }
}
