/**
 * Whole-batch convolution and transposed convolution on the WebAssembly kernels: operands are copied
 * into the wasm heap once per batch, im2col + GEMM + bias run there sample by sample, results are
 * copied back. Same contracts as conv2d.ts and convTranspose2d.ts (which check the arguments and call these).
 */
import { colCols, colRows, imageSize, type WindowGeom } from './geometry.js';
import { put, reserve, resetHeap, take, type WasmHeap } from './wasm/runtime.js';

/** Reserve and fill a region with the first len values of a (0 for null: the kernels' "absent"). */
function putAll(h: WasmHeap, a: Float32Array | null, len: number): number {
  if (a === null) return 0;
  need(a, len);
  const ptr = reserve(h, len);
  put(h, ptr, a, 0, len);
  return ptr;
}

function need(a: Float32Array, len: number): void {
  if (a.length < len) throw new Error(`conv kernels: an operand needs ${len} values, has ${a.length}`);
}

export function conv2dForwardWasm(
  h: WasmHeap, x: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number,
  bias: Float32Array | null, y: Float32Array,
): void {
  resetHeap(h);
  const r = colRows(g);
  const p = colCols(g);
  const px = putAll(h, x, n * imageSize(g));
  const pw = putAll(h, w, filters * r);
  const pb = putAll(h, bias, filters);
  need(y, n * filters * p);
  const py = reserve(h, n * filters * p);
  const pcol = reserve(h, r * p);
  h.fn.conv2dForward(px, n, pw, filters, pb, py, pcol, g.channels, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  take(h, py, y, 0, n * filters * p);
}

export function conv2dBackwardWasm(
  h: WasmHeap, x: Float32Array, dy: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number,
  dx: Float32Array | null, dw: Float32Array, db: Float32Array | null,
): void {
  resetHeap(h);
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  const px = putAll(h, x, n * img);
  const pdy = putAll(h, dy, n * filters * p);
  const pw = putAll(h, w, filters * r);
  const pdw = putAll(h, dw, filters * r);
  const pdb = putAll(h, db, filters);
  if (dx) need(dx, n * img);
  const pdx = dx ? reserve(h, n * img) : 0;
  const pcol = reserve(h, r * p);
  h.fn.conv2dBackward(px, pdy, n, pw, filters, pdx, pdw, pdb, pcol, g.channels, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  take(h, pdw, dw, 0, filters * r);
  if (db) take(h, pdb, db, 0, filters);
  if (dx) take(h, pdx, dx, 0, n * img);
}

export function convTranspose2dForwardWasm(
  h: WasmHeap, x: Float32Array, n: number, inChannels: number, g: WindowGeom, w: Float32Array,
  bias: Float32Array | null, y: Float32Array,
): void {
  resetHeap(h);
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  const px = putAll(h, x, n * inChannels * p);
  const pw = putAll(h, w, inChannels * r);
  const pb = putAll(h, bias, g.channels);
  need(y, n * img);
  const py = reserve(h, n * img);
  const pcol = reserve(h, r * p);
  h.fn.convTranspose2dForward(px, n, inChannels, pw, pb, py, pcol, g.channels, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  take(h, py, y, 0, n * img);
}

export function convTranspose2dBackwardWasm(
  h: WasmHeap, x: Float32Array, dy: Float32Array, n: number, inChannels: number, g: WindowGeom, w: Float32Array,
  dx: Float32Array | null, dw: Float32Array, db: Float32Array | null,
): void {
  resetHeap(h);
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  const px = putAll(h, x, n * inChannels * p);
  const pdy = putAll(h, dy, n * img);
  const pw = putAll(h, w, inChannels * r);
  const pdw = putAll(h, dw, inChannels * r);
  const pdb = putAll(h, db, g.channels);
  if (dx) need(dx, n * inChannels * p);
  const pdx = dx ? reserve(h, n * inChannels * p) : 0;
  const pcol = reserve(h, r * p);
  h.fn.convTranspose2dBackward(px, pdy, n, inChannels, pw, pdx, pdw, pdb, pcol, g.channels, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  take(h, pdw, dw, 0, inChannels * r);
  if (db) take(h, pdb, db, 0, g.channels);
  if (dx) take(h, pdx, dx, 0, n * inChannels * p);
}
