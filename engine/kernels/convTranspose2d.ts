/**
 * Transposed 2-D convolution ("deconvolution"): the adjoint of conv2d, through GEMM + col2im.
 * g is the geometry from transposedWindow: its image is the OUTPUT [Cout, Ho, Wo], its outH x outW the
 * INPUT spatial size. With the wasm backend active the whole batch runs in WebAssembly (convWasm.ts).
 *   x: [n, Cin, H, W]   w: [Cin, Cout, kH, kW] (a Cin x Cout*kH*kW matrix)   bias: [Cout]
 *   y: [n, Cout, Ho, Wo]   col: scratch of at least colRows(g) * colCols(g) values
 */
import { addChannelBias, sumChannels } from './conv2d.js';
import { wasmActive } from './backend.js';
import { convTranspose2dBackwardWasm, convTranspose2dForwardWasm } from './convWasm.js';
import { gemm } from './gemm.js';
import { colCols, colRows, imageSize, type WindowGeom } from './geometry.js';
import { col2im, im2col } from './im2col.js';

function checkScratch(col: Float32Array, g: WindowGeom): void {
  const need = colRows(g) * colCols(g);
  if (col.length < need) throw new Error(`convTranspose2d: column scratch needs ${need} values, has ${col.length}`);
}

/** y = convTranspose(x, w) + bias (y overwritten). */
export function convTranspose2dForward(
  x: Float32Array,
  n: number,
  inChannels: number,
  g: WindowGeom,
  w: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  col: Float32Array,
): void {
  checkScratch(col, g);
  const h = wasmActive();
  if (h) return convTranspose2dForwardWasm(h, x, n, inChannels, g, w, bias, y);
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  const plane = g.height * g.width;
  y.fill(0, 0, n * img);
  for (let s = 0; s < n; s++) {
    gemm(true, false, r, p, inChannels, 1, w, 0, x, s * inChannels * p, 0, col, 0);
    col2im(col, 0, g, y, s * img);
    if (bias) addChannelBias(y, s * img, g.channels, plane, bias);
  }
}

/** Gradients given dy: dx OVERWRITTEN (skipped when null), dw and db ADDED to (db skipped when null). */
export function convTranspose2dBackward(
  x: Float32Array,
  dy: Float32Array,
  n: number,
  inChannels: number,
  g: WindowGeom,
  w: Float32Array,
  dx: Float32Array | null,
  dw: Float32Array,
  db: Float32Array | null,
  col: Float32Array,
): void {
  checkScratch(col, g);
  const h = wasmActive();
  if (h) return convTranspose2dBackwardWasm(h, x, dy, n, inChannels, g, w, dx, dw, db);
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  const plane = g.height * g.width;
  for (let s = 0; s < n; s++) {
    const xOff = s * inChannels * p;
    im2col(dy, s * img, g, col, 0);
    if (dx) gemm(false, false, inChannels, p, r, 1, w, 0, col, 0, 0, dx, xOff);
    gemm(false, true, inChannels, r, p, 1, x, xOff, col, 0, 1, dw, 0);
    if (db) sumChannels(dy, s * img, g.channels, plane, db);
  }
}
