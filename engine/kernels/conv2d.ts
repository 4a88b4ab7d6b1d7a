/**
 * 2-D convolution (cross-correlation, as every framework computes it) on NCHW batches through
 * im2col + GEMM, one sample at a time so the column scratch stays small. With the wasm backend active
 * the whole batch runs in WebAssembly (convWasm.ts; `col` is then unused but still checked).
 *   x: [n, C, H, W]   w: [F, C, kH, kW] (row-major, i.e. an F x C*kH*kW matrix)   bias: [F]
 *   y: [n, F, outH, outW]   col: scratch of at least colRows(g) * colCols(g) values
 */
import { reluForward } from './activation.js';
import { wasmActive } from './backend.js';
import { conv2dBackwardInputWasm, conv2dBackwardWasm, conv2dForwardWasm } from './convWasm.js';
import { gemm } from './gemm.js';
import { colCols, colRows, imageSize, type WindowGeom } from './geometry.js';
import { col2im, im2col } from './im2col.js';

function checkScratch(col: Float32Array, g: WindowGeom): void {
  const need = colRows(g) * colCols(g);
  if (col.length < need) throw new Error(`conv2d: column scratch needs ${need} values, has ${col.length}`);
}

/** y = conv(x, w) + bias (y overwritten). */
export function conv2dForward(
  x: Float32Array,
  n: number,
  g: WindowGeom,
  w: Float32Array,
  filters: number,
  bias: Float32Array | null,
  y: Float32Array,
  col: Float32Array,
  relu = false,
): void {
  checkScratch(col, g);
  const h = wasmActive();
  if (h) return conv2dForwardWasm(h, x, n, g, w, filters, bias, y, undefined, relu);
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  for (let s = 0; s < n; s++) {
    im2col(x, s * img, g, col, 0);
    gemm(false, false, filters, p, r, 1, w, 0, col, 0, 0, y, s * filters * p);
    if (bias) addChannelBias(y, s * filters * p, filters, p, bias);
  }
  if (relu) reluForward(y, y, n * filters * p);
}

/**
 * Gradients of conv2dForward given dy: dx is OVERWRITTEN (skipped when null), dw and db are ADDED to
 * (db skipped when null; dw null: neither weight nor bias gradient, dx alone). x is re-expanded with
 * im2col instead of being kept from the forward pass.
 */
export function conv2dBackward(
  x: Float32Array,
  dy: Float32Array,
  n: number,
  g: WindowGeom,
  w: Float32Array,
  filters: number,
  dx: Float32Array | null,
  dw: Float32Array | null,
  db: Float32Array | null,
  col: Float32Array,
): void {
  checkScratch(col, g);
  if (!dw) db = null;
  const h = wasmActive();
  if (h && !dw) return dx ? conv2dBackwardInputWasm(h, dy, n, g, w, filters, dx) : undefined;
  if (h && dw) return conv2dBackwardWasm(h, x, dy, n, g, w, filters, dx, dw, db);
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  if (dx) dx.fill(0, 0, n * img);
  for (let s = 0; s < n; s++) {
    const dyOff = s * filters * p;
    if (dw) {
      im2col(x, s * img, g, col, 0);
      gemm(false, true, filters, r, p, 1, dy, dyOff, col, 0, 1, dw, 0);
    }
    if (db) sumChannels(dy, dyOff, filters, p, db);
    if (dx) {
      gemm(true, false, r, p, filters, 1, w, 0, dy, dyOff, 0, col, 0);
      col2im(col, 0, g, dx, s * img);
    }
  }
}

/** y[off + c*plane + i] += bias[c]. */
export function addChannelBias(y: Float32Array, off: number, channels: number, plane: number, bias: Float32Array): void {
  for (let c = 0; c < channels; c++) {
    const b = bias[c];
    const start = off + c * plane;
    for (let i = start; i < start + plane; i++) y[i] += b;
  }
}

/** out[c] += sum over the plane of channel c. */
export function sumChannels(d: Float32Array, off: number, channels: number, plane: number, out: Float32Array): void {
  for (let c = 0; c < channels; c++) {
    let acc = 0;
    const start = off + c * plane;
    for (let i = start; i < start + plane; i++) acc += d[i];
    out[c] += acc;
  }
}
