/**
 * Squared distances from one sample to k prototypes on the WebAssembly kernels (rowSqDistances in
 * kernels.as): the same doubles, bit for bit, as the TypeScript sqDist (engine/local/distance.ts),
 * several prototypes at a time in f64x2 lanes. The sample is copied in; the prototypes are used where they
 * are when resident (in the kernel memory), else copied in.
 */
import { put, putBits, reserve, resetHeap, residentOffset, takeF64, type WasmHeap } from './wasm/runtime.js';

/** Below this many prototype values (k x d) the TypeScript loop wins over the call and the copies. */
export const WASM_MIN_DISTANCE_VALUES = 1024;

/**
 * out[j] = squared distance from x[xo..xo+d) to row j of c (k x d) for j < k; `out` must hold k values.
 */
export function rowSqDistancesWasm(h: WasmHeap, x: Float32Array, xo: number, c: Float32Array, k: number, d: number, out: Float64Array): void {
  if (c.length < k * d || x.length < xo + d || out.length < k) throw new Error(`rowSqDistances: needs ${k} x ${d} prototypes, a sample of ${d} and ${k} outputs`);
  resetHeap(h);
  const px = reserve(h, d);
  put(h, px, x, xo, d);
  let pc = residentOffset(h, c);
  if (pc < 0) {
    pc = reserve(h, k * d);
    put(h, pc, c, 0, k * d);
  }
  const po = reserve(h, 2 * k);
  h.fn.rowSqDistances(px, pc, k, d, po);
  takeF64(h, po, out, k);
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
  h.fn.pairDots(pa, pa + 4 * m, m, d, po);
  takeF64(h, po, out, m);
  return true;
}
