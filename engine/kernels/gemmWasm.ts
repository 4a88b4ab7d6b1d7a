/**
 * gemm() on the WebAssembly SIMD kernels: A, B (and C unless beta = 0) are copied into the wasm heap,
 * multiplied there, and C copied back; resident operands (kernels/resident.ts: weights, gradients) are
 * used where they are. The copies are O(m*k + k*n + m*n) against O(m*n*k) arithmetic.
 * Arguments are checked by the caller (gemm.ts). Large products are split over the kernel threads by
 * columns or rows of C (bit-identical to one thread: see kernels.as).
 */
import { put, reserve, resetHeap, residentOffset, take, type WasmHeap } from './wasm/runtime.js';
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
  const pa = operand(h, a, aOff, m * k);
  const pb = operand(h, b, bOff, k * n);
  // A resident C (a layer's gradient) is multiplied into in place; any other is copied in and out.
  const rc = residentOffset(h, c);
  const pc = rc >= 0 ? rc + cOff * 4 : reserve(h, m * n);
  if (rc < 0 && beta !== 0) put(h, pc, c, cOff, m * n);
  runThreaded(h, nt, 'gemm', [transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, pb, beta, pc]);
  if (rc < 0) take(h, pc, c, cOff, m * n);
}

/** The byte offset of a[off, off+len) in the heap: in place for a resident array, else copied in. */
function operand(h: WasmHeap, a: Float32Array, off: number, len: number): number {
  const r = residentOffset(h, a);
  if (r >= 0) return r + off * 4;
  const p = reserve(h, len);
  put(h, p, a, off, len);
  return p;
}
