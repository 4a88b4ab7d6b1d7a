/**
 * Whole-batch convolution and transposed convolution on the WebAssembly kernels: operands are copied
 * into the wasm heap once per batch, and im2col + GEMM + bias run there on groups of samples that share
 * one column matrix [C*kH*kW, group*outH*outW] (one GEMM per group: on small grids such as 7x7 a
 * per-sample GEMM is too narrow to keep the micro-kernel busy). Results are copied back. Same contracts as conv2d.ts and convTranspose2d.ts (which check the arguments and call these).
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

/**
 * Columns per GEMM to aim for: enough to fill the 8-wide micro-kernel panels with little padding, few
 * enough that the column matrix stays in cache between im2col and the GEMM (on the DCGAN, 256 to 512
 * columns ran 5-10% faster than one sample per GEMM and than the whole batch at once).
 */
const TARGET_COLS = 384;
/** Cap on the shared column matrix (floats, 16 MB) for layers whose single image is already wide. */
const COL_CAP = 1 << 22;

/** Samples sharing one column matrix of rows x (group * cols) values. */
export function samplesPerGemm(n: number, rows: number, cols: number): number {
  const want = Math.ceil(TARGET_COLS / Math.max(1, cols));
  return Math.max(1, Math.min(n, want, Math.floor(COL_CAP / Math.max(1, rows * cols))));
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
  const group = samplesPerGemm(n, r, p);
  const pcol = reserve(h, r * p * group);
  const pmat = reserve(h, filters * p * group);
  h.fn.conv2dForward(px, n, pw, filters, pb, py, pcol, pmat, group, g.channels, g.height, g.width, g.kernelH, g.kernelW,
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
  const group = samplesPerGemm(n, r, p);
  const pcol = reserve(h, r * p * group);
  const pmat = reserve(h, filters * p * group);
  h.fn.conv2dBackward(px, pdy, n, pw, filters, pdx, pdw, pdb, pcol, pmat, group, g.channels, g.height, g.width, g.kernelH, g.kernelW,
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
  const group = samplesPerGemm(n, r, p);
  const pcol = reserve(h, r * p * group);
  const pmat = reserve(h, inChannels * p * group);
  h.fn.convTranspose2dForward(px, n, inChannels, pw, pb, py, pcol, pmat, group, g.channels, g.height, g.width, g.kernelH, g.kernelW,
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
  const group = samplesPerGemm(n, r, p);
  const pcol = reserve(h, r * p * group);
  const pmat = reserve(h, inChannels * p * group);
  h.fn.convTranspose2dBackward(px, pdy, n, inChannels, pw, pdx, pdw, pdb, pcol, pmat, group, g.channels, g.height, g.width, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  take(h, pdw, dw, 0, inChannels * r);
  if (db) take(h, pdb, db, 0, g.channels);
  if (dx) take(h, pdx, dx, 0, n * inChannels * p);
}
