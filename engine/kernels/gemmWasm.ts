/**
 * gemm() on the WebAssembly SIMD kernels: A, B (and C unless beta = 0) are copied into the wasm heap,
 * multiplied there, and C copied back. The copies are O(m*k + k*n + m*n) against O(m*n*k) arithmetic.
 * Arguments are checked by the caller (gemm.ts).
 */
import { put, reserve, resetHeap, take, type WasmHeap } from './wasm/runtime.js';

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
  const pa = reserve(h, m * k);
  const pb = reserve(h, k * n);
  const pc = reserve(h, m * n);
  put(h, pa, a, aOff, m * k);
  put(h, pb, b, bOff, k * n);
  if (beta !== 0) put(h, pc, c, cOff, m * n);
  h.fn.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, pb, beta, pc);
  take(h, pc, c, cOff, m * n);
}
