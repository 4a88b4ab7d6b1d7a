/**
 * The WebAssembly im2col and col2im against the TypeScript ones (im2col.ts), bit for bit: the phase-plane
 * path (dilation 1, any stride; kernels.as im2colPhases, col2imPhases) and the plain loops (dilation 2, or
 * planes larger than the path takes), on geometries with strides 1 to 3, kernels smaller and larger than
 * the stride, asymmetric padding, rows narrower than four outputs and image rows or columns no window
 * covers. col2im adds into a dx that is not zero, so its order of additions is checked too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { randomArray } from '../testing/numeric.js';
import { colCols, colRows, imageSize, squareWindow, windowGeom, type WindowGeom } from './geometry.js';
import { col2im, im2col } from './im2col.js';
import { put, reserve, resetHeap, take, wasmHeap } from './wasm/runtime.js';

function geomArgs(g: WindowGeom): number[] {
  return [g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW];
}

function sameBits(got: Float32Array, want: Float32Array, label: string): void {
  assert.equal(got.length, want.length, label);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.fail(`${label}: value ${i} is ${got[i]}, the TypeScript gives ${want[i]}`);
}

const GEOMS: [string, WindowGeom][] = [
  ['DCGAN discriminator 32 x 14 x 14, 4x4 stride 2 same', squareWindow(32, 14, 14, 4, 2, 'same')],
  ['DCGAN first layer 1 x 28 x 28, 4x4 stride 2 same', squareWindow(1, 28, 28, 4, 2, 'same')],
  ['LeNet-5 second layer 6 x 14 x 14, 5x5 valid', squareWindow(6, 14, 14, 5, 1, 'valid')],
  ['odd width 3 x 13 x 11, 3x3 stride 2 same', squareWindow(3, 13, 11, 3, 2, 'same')],
  ['stride 3, kernel 2 (phases no tap reads)', windowGeom({ channels: 2, height: 11, width: 17, kernelH: 2, kernelW: 2, strideH: 3, strideW: 3, padTop: 1, padLeft: 2, padBottom: 0, padRight: 1 })],
  ['rows of 3 outputs', windowGeom({ channels: 2, height: 7, width: 6, kernelH: 3, kernelW: 2, strideH: 2, strideW: 2, padTop: 0, padLeft: 1 })],
  ['columns no window covers (valid, stride 2)', squareWindow(2, 15, 15, 4, 2, 'valid')],
  ['stride 2 rows by 1 column, wide', windowGeom({ channels: 2, height: 9, width: 40, kernelH: 3, kernelW: 5, strideH: 2, strideW: 1, padTop: 2, padLeft: 0, padBottom: 1, padRight: 3 })],
  ['stride 1 rows by 2 columns', windowGeom({ channels: 3, height: 8, width: 21, kernelH: 4, kernelW: 3, strideH: 1, strideW: 2, padTop: 1, padLeft: 1, padBottom: 2, padRight: 0 })],
  ['dilation 2 (the plain loops)', squareWindow(3, 12, 12, 3, 1, 'same', 2)],
  ['planes larger than the path takes (the plain loops)', squareWindow(2, 140, 140, 3, 1, 'same')],
];

test('WebAssembly im2col and col2im equal the TypeScript ones bit for bit, through the phase planes and the plain loops', () => {
  const h = wasmHeap();
  if (!h) return assert.fail('the WebAssembly kernels must load here');
  const rng = new Rng(31);
  for (const [label, g] of GEOMS) {
    const img = imageSize(g);
    const cols = colRows(g) * colCols(g);
    const x = randomArray(rng, img);
    const wantCol = new Float32Array(cols);
    im2col(x, 0, g, wantCol, 0);
    resetHeap(h);
    const px = reserve(h, img);
    const pc = reserve(h, cols);
    put(h, px, x, 0, img);
    h.fn.im2col(px, pc, ...geomArgs(g));
    const gotCol = new Float32Array(cols);
    take(h, pc, gotCol, 0, cols);
    sameBits(gotCol, wantCol, `im2col, ${label}`);

    // col2im adds into a dx that already holds values, in the TypeScript's order.
    const c = randomArray(rng, cols);
    const dx0 = randomArray(rng, img, -1e3, 1e3);
    const wantDx = dx0.slice();
    col2im(c, 0, g, wantDx, 0);
    resetHeap(h);
    const pc2 = reserve(h, cols);
    const pd = reserve(h, img);
    put(h, pc2, c, 0, cols);
    put(h, pd, dx0, 0, img);
    h.fn.col2im(pc2, pd, ...geomArgs(g));
    const gotDx = new Float32Array(img);
    take(h, pd, gotDx, 0, img);
    sameBits(gotDx, wantDx, `col2im, ${label}`);
  }
});
