/**
 * ReLU / leaky ReLU and max pooling on the WebAssembly kernels (branch-free f32x4 selects instead of
 * the data-dependent branches that cost the TypeScript loops a misprediction per value). Operands are
 * copied in and results out, except resident ones (an arena's arrays, max pooling's winner indices
 * included), used where they are; the callers (activation.ts, maxPool.ts) keep the contracts and checks.
 */
import type { WindowGeom } from './geometry.js';
import { put, putBits, reserve, resetHeap, residentOffset, take, takeBits, type WasmHeap } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/** An operand's place in the heap: where it is when resident (an arena's array), else copied in. */
export function input(h: WasmHeap, a: Float32Array, n: number): number {
  const r = residentOffset(h, a);
  if (r >= 0) return r;
  const p = reserve(h, n);
  put(h, p, a, 0, n);
  return p;
}

/** Where an output goes: in place when resident, else a fresh region that done() copies back. */
export function output(h: WasmHeap, a: Float32Array, n: number): number {
  const r = residentOffset(h, a);
  return r >= 0 ? r : reserve(h, n);
}

export function done(h: WasmHeap, p: number, a: Float32Array, n: number): void {
  if (residentOffset(h, a) !== p) take(h, p, a, 0, n);
}

/** Below this many values the TypeScript loop wins over the copies. */
export const WASM_MIN_VALUES = 256;
/** From this many values ReLU / leaky ReLU split over the kernel threads (elementwise: the same values). */
const MIN_SPLIT_VALUES = 1 << 15;

export function leakyReluForwardWasm(h: WasmHeap, x: Float32Array, y: Float32Array, n: number, alpha: number): void {
  const nt = n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1;
  resetHeap(h);
  const px = input(h, x, n);
  const py = output(h, y, n);
  if (nt > 1) runThreaded(h, nt, 'leakyReluForwardShare', [px, py, n, alpha]);
  else h.fn.leakyReluForward(px, py, n, alpha);
  done(h, py, y, n);
}

export function leakyReluBackwardWasm(h: WasmHeap, x: Float32Array, dy: Float32Array, dx: Float32Array, n: number, alpha: number): void {
  const nt = n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1;
  resetHeap(h);
  const px = input(h, x, n);
  const pdy = input(h, dy, n);
  const pdx = output(h, dx, n);
  if (nt > 1) runThreaded(h, nt, 'leakyReluBackwardShare', [px, pdy, pdx, n, alpha]);
  else h.fn.leakyReluBackward(px, pdy, pdx, n, alpha);
  done(h, pdx, dx, n);
}

export function maxPoolForwardWasm(h: WasmHeap, x: Float32Array, n: number, g: WindowGeom, y: Float32Array, argmax: Int32Array): void {
  const planes = n * g.channels;
  const inLen = planes * g.height * g.width;
  const outLen = planes * g.outH * g.outW;
  if (x.length < inLen || y.length < outLen || argmax.length < outLen) {
    throw new Error(`maxPool: needs ${inLen} inputs and ${outLen} outputs, has ${x.length}, ${y.length} and ${argmax.length}`);
  }
  resetHeap(h);
  const px = input(h, x, inLen);
  const py = output(h, y, outLen);
  const ra = residentOffset(h, argmax);
  const pa = ra >= 0 ? ra : reserve(h, outLen);
  h.fn.maxPoolForward(px, planes, py, pa, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  done(h, py, y, outLen);
  if (ra < 0) takeBits(h, pa, argmax, outLen);
}

export function maxPoolBackwardWasm(h: WasmHeap, dy: Float32Array, argmax: Int32Array, count: number, dx: Float32Array, dxLength: number): void {
  resetHeap(h);
  const pdy = input(h, dy, count);
  const ra = residentOffset(h, argmax);
  const pa = ra >= 0 ? ra : reserve(h, count);
  const pdx = output(h, dx, dxLength);
  if (ra < 0) putBits(h, pa, argmax, count);
  h.fn.maxPoolBackward(pdy, pa, count, pdx, dxLength);
  done(h, pdx, dx, dxLength);
}
