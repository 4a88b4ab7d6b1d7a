/**
 * The self-organizing map's move of some units toward one sample (engine/local/som.ts, `present`): for
 * list entry i, unit u = units[i] with gain g = gains[i], for t = 0..d-1 in order
 *   m = g * (x[t] - w[u][t]) (in double), w[u][t] = f32(w[u][t] + m), s += m * m,
 * and moved[i] = s. `somUpdateRef` is the TypeScript definition; `somUpdate` runs the WebAssembly kernel
 * (somUpdate in kernels.as: one f64x2 lane per unit, the same operations in the same order, so the same
 * floats and doubles bit for bit; split over the kernel threads by units) when the kernels are active
 * and w lives in the kernel memory, else the reference. No unit may be listed twice.
 */
import { wasmActive } from './backend.js';
import { put, putBits, putF64, reserve, resetHeap, residentOffset, takeF64 } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/** Below this many updated values (units x d) the TypeScript loop wins over the kernel call. */
export const SOM_UPDATE_WASM_MIN_VALUES = 1024;

/** From this many updated values the kernel call is split over the kernel threads by units (~40 us of work). */
const SPLIT_VALUES = 1 << 15;

function check(w: Float32Array, d: number, x: Float32Array, xo: number, units: Int32Array, gains: Float64Array, count: number, moved: Float64Array): void {
  if (x.length < xo + d || units.length < count || gains.length < count || moved.length < count) {
    throw new Error(`somUpdate: needs a sample of ${d} values and ${count} units, gains and outputs`);
  }
  const k = Math.floor(w.length / d);
  for (let i = 0; i < count; i++) {
    if (!(units[i] >= 0 && units[i] < k)) throw new Error(`somUpdate: unit ${units[i]} is not one of the ${k} rows`);
  }
}

/** The definition, in TypeScript. */
export function somUpdateRef(w: Float32Array, d: number, x: Float32Array, xo: number, units: Int32Array, gains: Float64Array, count: number, moved: Float64Array): void {
  check(w, d, x, xo, units, gains, count, moved);
  for (let i = 0; i < count; i++) {
    const g = gains[i];
    const o = units[i] * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const m = g * (x[xo + t] - w[o + t]);
      w[o + t] += m;
      s += m * m;
    }
    moved[i] = s;
  }
}

/** The same as somUpdateRef, on the WebAssembly kernels when they are active and w is resident. */
export function somUpdate(w: Float32Array, d: number, x: Float32Array, xo: number, units: Int32Array, gains: Float64Array, count: number, moved: Float64Array): void {
  const h = count * d >= SOM_UPDATE_WASM_MIN_VALUES ? wasmActive() : null;
  const pw = h ? residentOffset(h, w) : -1;
  if (!h || pw < 0) {
    somUpdateRef(w, d, x, xo, units, gains, count, moved);
    return;
  }
  check(w, d, x, xo, units, gains, count, moved);
  resetHeap(h);
  const px = reserve(h, d);
  put(h, px, x, xo, d);
  const pu = reserve(h, count);
  const pg = reserve(h, 2 * count);
  const po = reserve(h, 2 * count);
  putBits(h, pu, units, count);
  putF64(h, pg, gains, count);
  runThreaded(h, count * d >= SPLIT_VALUES ? kernelThreads(h) : 1, 'somUpdate', [px, pw, d, pu, pg, count, po]);
  takeF64(h, po, moved, count);
}
