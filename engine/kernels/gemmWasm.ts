/**
 * gemm() on the WebAssembly SIMD kernels: A, B (and C unless beta = 0) are copied into the wasm heap,
 * multiplied there, and C copied back. The copies are O(m*k + k*n + m*n) against O(m*n*k) arithmetic.
 * Arguments are checked by the caller (gemm.ts). Large products are split over the kernel threads by
 * columns or rows of C (bit-identical to one thread: see kernels.as).
 */
import { put, reserve, resetHeap, take, type WasmHeap } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/** Multiply-adds below which a GEMM runs on one thread (about 20 us of work: the hand-over costs ~1 us). */
const MIN_SPLIT_MACS = 1 << 19;

export function gemmWasm(
  h: WasmHeap,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  beta: number,
  c: Float32Array,
  cOff: number,
): void {
  resetHeap(h);
  const nt = m * n * k >= MIN_SPLIT_MACS && Math.max(m, n) >= 16 ? kernelThreads(h) : 1;
  const pa = reserve(h, m * k);
  const pb = reserve(h, k * n);
  const pc = reserve(h, m * n);
  put(h, pa, a, aOff, m * k);
  put(h, pb, b, bOff, k * n);
  if (beta !== 0) put(h, pc, c, cOff, m * n);
  runThreaded(h, nt, 'gemm', [transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, pb, beta, pc]);
  take(h, pc, c, cOff, m * n);
}
