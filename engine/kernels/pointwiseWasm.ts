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

/** Copy an output back from p unless it was computed in place (output gave its own place). */
export function done(h: WasmHeap, p: number, a: Float32Array, n: number): void {
  if (residentOffset(h, a) !== p) take(h, p, a, 0, n);
}

/** Below this many values the TypeScript loop wins over the copies. */
export const WASM_MIN_VALUES = 256;
/** From this many values ReLU / leaky ReLU split over the kernel threads (elementwise: the same values). */
const MIN_SPLIT_VALUES = 1 << 15;

/**
 * Pooled outputs from which max pooling is split over the kernel threads by planes: about 20 us of work
 * on one thread, against a hand-over of about 1 us. (LeNet-5's pools, 75,264 and 25,600 outputs at
 * batch 64, ran alone on the calling thread while the other core waited.)
 */
const POOL_SPLIT_OUTPUTS = 8192;

function poolThreads(h: WasmHeap, outputs: number, planes: number): number {
  return outputs >= POOL_SPLIT_OUTPUTS && planes >= 2 ? kernelThreads(h) : 1;
}

export function leakyReluForwardWasm(h: WasmHeap, x: Float32Array, y: Float32Array, n: number, alpha: number): void {
  const nt = n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1;
  resetHeap(h);
  const px = input(h, x, n);
  const py = output(h, y, n);
  runThreaded(h, nt, 'leakyReluForwardShare', [px, py, n, alpha]);
  done(h, py, y, n);
}

export function leakyReluBackwardWasm(h: WasmHeap, x: Float32Array, dy: Float32Array, dx: Float32Array, n: number, alpha: number): void {
  const nt = n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1;
  resetHeap(h);
  const px = input(h, x, n);
  const pdy = input(h, dy, n);
  const pdx = output(h, dx, n);
  runThreaded(h, nt, 'leakyReluBackwardShare', [px, pdy, pdx, n, alpha]);
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
  runThreaded(h, poolThreads(h, outLen, planes), 'maxPoolForward', [px, planes, py, pa, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW]);
  done(h, py, y, outLen);
  if (ra < 0) takeBits(h, pa, argmax, outLen);
}

/**
 * `planes`: how many equal planes the outputs and dx are (n*C; each window's winner in its own plane),
 * which lets the threads split them; 1 when unknown (one thread).
 */
export function maxPoolBackwardWasm(h: WasmHeap, dy: Float32Array, argmax: Int32Array, count: number, dx: Float32Array, dxLength: number, planes = 1): void {
  if (!(planes >= 1 && count % planes === 0 && dxLength % planes === 0)) planes = 1;
  resetHeap(h);
  const pdy = input(h, dy, count);
  const ra = residentOffset(h, argmax);
  const pa = ra >= 0 ? ra : reserve(h, count);
  const pdx = output(h, dx, dxLength);
  if (ra < 0) putBits(h, pa, argmax, count);
  runThreaded(h, poolThreads(h, count, planes), 'maxPoolBackward', [pdy, pa, count, pdx, dxLength, planes]);
  done(h, pdx, dx, dxLength);
}
