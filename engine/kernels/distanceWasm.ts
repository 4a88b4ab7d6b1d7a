/**
 * Squared distances from one sample to k prototypes on the WebAssembly kernels (rowSqDistances in
 * kernels.as): the same doubles, bit for bit, as the TypeScript sqDist (engine/local/distance.ts),
 * several prototypes at a time in f64x2 lanes. The sample is copied in; the prototypes are used where they
 * are when resident (in the kernel memory), else copied in.
 */
import { put, reserve, resetHeap, residentOffset, takeF64, type WasmHeap } from './wasm/runtime.js';

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
