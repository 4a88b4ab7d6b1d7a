/**
 * ReLU / leaky ReLU and max pooling on the WebAssembly kernels (branch-free f32x4 selects instead of
 * the data-dependent branches that cost the TypeScript loops a misprediction per value). Operands are
 * copied in and results out; the callers (activation.ts, maxPool.ts) keep the contracts and checks.
 */
import type { WindowGeom } from './geometry.js';
import { put, putBits, reserve, resetHeap, take, takeBits, type WasmHeap } from './wasm/runtime.js';

/** Below this many values the TypeScript loop wins over the copies. */
export const WASM_MIN_VALUES = 256;

export function leakyReluForwardWasm(h: WasmHeap, x: Float32Array, y: Float32Array, n: number, alpha: number): void {
  resetHeap(h);
  const px = reserve(h, n);
  const py = reserve(h, n);
  put(h, px, x, 0, n);
  h.fn.leakyReluForward(px, py, n, alpha);
  take(h, py, y, 0, n);
}

export function leakyReluBackwardWasm(h: WasmHeap, x: Float32Array, dy: Float32Array, dx: Float32Array, n: number, alpha: number): void {
  resetHeap(h);
  const px = reserve(h, n);
  const pdy = reserve(h, n);
  put(h, px, x, 0, n);
  put(h, pdy, dy, 0, n);
  h.fn.leakyReluBackward(px, pdy, pdy, n, alpha);
  take(h, pdy, dx, 0, n);
}

export function maxPoolForwardWasm(h: WasmHeap, x: Float32Array, n: number, g: WindowGeom, y: Float32Array, argmax: Int32Array): void {
  const planes = n * g.channels;
  const inLen = planes * g.height * g.width;
  const outLen = planes * g.outH * g.outW;
  if (x.length < inLen || y.length < outLen || argmax.length < outLen) {
    throw new Error(`maxPool: needs ${inLen} inputs and ${outLen} outputs, has ${x.length}, ${y.length} and ${argmax.length}`);
  }
  resetHeap(h);
  const px = reserve(h, inLen);
  const py = reserve(h, outLen);
  const pa = reserve(h, outLen);
  put(h, px, x, 0, inLen);
  h.fn.maxPoolForward(px, planes, py, pa, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  take(h, py, y, 0, outLen);
  takeBits(h, pa, argmax, outLen);
}

export function maxPoolBackwardWasm(h: WasmHeap, dy: Float32Array, argmax: Int32Array, count: number, dx: Float32Array, dxLength: number): void {
  resetHeap(h);
  const pdy = reserve(h, count);
  const pa = reserve(h, count);
  const pdx = reserve(h, dxLength);
  put(h, pdy, dy, 0, count);
  putBits(h, pa, argmax, count);
  h.fn.maxPoolBackward(pdy, pa, count, pdx, dxLength);
  take(h, pdx, dx, 0, dxLength);
}
