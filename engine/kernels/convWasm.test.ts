/**
 * The WebAssembly forward convolution builds its GEMM's packed panels straight from the images (im2col
 * fused into the packing): it must give, bit for bit, what im2col followed by the GEMM give on the same
 * kernels, for every geometry (strides, dilation, asymmetric padding, widths that are no multiple of the
 * 8-column panels, several samples per GEMM, more than one KC block of rows and NC block of columns).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { randomArray } from '../testing/numeric.js';
import {
  conv2dBackwardInputWasm, conv2dBackwardWasm, conv2dForwardWasm, convTranspose2dBackwardWasm, convTranspose2dForwardWasm, directTakes, directWeightGradTakes, forwardPath, inputGradDirectTakes, inputGradPath, samplesPerGemm, weightGradPath, winogradTakes, type ConvPath,
} from './convWasm.js';
import { conv2dBackwardRef, conv2dRef } from './reference.js';
import { setKernelThreads } from './wasm/threads.js';
import { assertAllClose } from '../testing/numeric.js';
import { colCols, colRows, imageSize, squareWindow, windowGeom, type WindowGeom } from './geometry.js';
import { put, reserve, resetHeap, take, wasmHeap, type WasmHeap } from './wasm/runtime.js';

function geomArgs(g: WindowGeom): number[] {
  return [g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW];
}

/** One sample at a time: the kernels' im2col into a column matrix, their GEMM, their bias. */
function unfused(h: WasmHeap, x: Float32Array, n: number, g: WindowGeom, w: Float32Array, f: number, b: Float32Array): Float32Array {
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  const y = new Float32Array(n * f * p);
  for (let s = 0; s < n; s++) {
    resetHeap(h);
    const px = reserve(h, img);
    put(h, px, x, s * img, img);
    const pw = reserve(h, f * r);
    put(h, pw, w, 0, f * r);
    const pb = reserve(h, f);
    put(h, pb, b, 0, f);
    const pcol = reserve(h, r * p);
    const py = reserve(h, f * p);
    h.fn.im2col(px, pcol, ...geomArgs(g));
    h.fn.gemm(0, 0, f, p, r, 1, pw, pcol, 0, py, 0, 1);
    h.fn.addChannelBias(py, f, p, pb);
    take(h, py, y, s * f * p, f * p);
  }
  return y;
}

function sameBits(got: Float32Array, want: Float32Array, label: string): void {
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.fail(`${label}: value ${i} is ${got[i]}, im2col + GEMM give ${want[i]}`);
}

function check(h: WasmHeap, rng: Rng, g: WindowGeom, n: number, f: number, label: string): void {
  const x = randomArray(rng, n * imageSize(g));
  const w = randomArray(rng, f * colRows(g));
  const b = randomArray(rng, f);
  const want = unfused(h, x, n, g, w, f, b);
  // Every path of the whole-batch kernel that takes this geometry, whichever forwardPath picks.
  const direct = directTakes(g);
  for (const path of ['fused', 'im2col', ...(direct ? ['direct'] : [])] as ConvPath[]) {
    const y = new Float32Array(n * f * colCols(g));
    conv2dForwardWasm(h, x, n, g, w, f, b, y, path);
    sameBits(y, want, `${label} (${n} samples, ${samplesPerGemm(n, colRows(g), colCols(g))} per GEMM, ${path})`);
  }
}

test('the forward convolution, fused packing, im2col first or direct, equals one sample at a time im2col then GEMM bit for bit', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('no WebAssembly SIMD here');
  const rng = new Rng(31);
  for (let i = 0; i < 60; i++) {
    const k = 1 + rng.int(4);
    let g: WindowGeom;
    try {
      g = windowGeom({
        channels: 1 + rng.int(4), height: 2 + rng.int(13), width: 2 + rng.int(21), kernelH: k, kernelW: 1 + rng.int(4),
        strideH: 1 + rng.int(3), strideW: 1 + rng.int(3), dilationH: 1 + rng.int(2), dilationW: 1 + rng.int(2),
        padTop: rng.int(k), padBottom: rng.int(k), padLeft: rng.int(3), padRight: rng.int(3),
      });
    } catch {
      continue; // does not fit
    }
    check(h, rng, g, 1 + rng.int(6), 1 + rng.int(9), `random geometry ${i}`);
  }
  // The bench's VGG layers: 3x3 same on 64x64 (4,096 columns: two NC blocks), 64 channels (576 rows: two KC blocks).
  check(h, rng, squareWindow(3, 64, 64, 3, 1, 'same'), 2, 16, 'vgg first conv');
  check(h, rng, squareWindow(64, 16, 16, 3, 1, 'same'), 3, 8, 'vgg last conv');
  check(h, rng, squareWindow(2, 28, 28, 4, 2, 'same'), 5, 3, 'dcgan conv');
  // The DCGAN discriminator's layers at stride 2 (the table-packed panels): 28 -> 14 and 14 -> 7.
  check(h, rng, squareWindow(1, 28, 28, 4, 2, 'same'), 7, 32, 'dcgan first discriminator conv');
  check(h, rng, squareWindow(32, 14, 14, 4, 2, 'same'), 9, 64, 'dcgan second discriminator conv');
  // Taps past the packing table (9x9 = 81 > 64) keep the column-by-column path.
  check(h, rng, squareWindow(2, 12, 12, 9, 2, 'same'), 3, 5, '9x9 kernel at stride 2');
  check(h, rng, squareWindow(1, 7, 7, 5, 1, 'same'), 9, 5, '7x7 grids, 7-wide rows crossing the 8-column panels');
  // Rows of 8 to 15 outputs: panels across one row seam (two runs of inputs), with padding on both sides,
  // at the batch's first and last rows (loads that would leave the batch take the scalar path).
  check(h, rng, squareWindow(1, 28, 28, 5, 1, 'same'), 3, 6, 'LeNet-5 first conv, 28-wide rows');
  check(h, rng, squareWindow(6, 12, 12, 5, 1, 'valid'), 2, 16, 'LeNet-5 second conv');
  for (const width of [9, 10, 11, 13, 15]) {
    check(h, rng, windowGeom({ channels: 2, height: 5, width, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 2, padTop: 1, padBottom: 1, padLeft: 2, padRight: 2 }), 3, 4, `${width}-wide rows, dilation 2`);
  }
});

test('ReLU applied as the forward convolution writes its output equals ReLU after it, bit for bit, on every path', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('no WebAssembly SIMD here');
  const rng = new Rng(33);
  const cases: [WindowGeom, number, number][] = [
    [squareWindow(3, 64, 64, 3, 1, 'same'), 3, 16], // Winograd F(4x4, 3x3) panels
    [squareWindow(8, 16, 16, 3, 1, 'same'), 3, 12], // F(4x4, 3x3) stacked tile rows
    [squareWindow(4, 12, 48, 3, 1, 'same'), 2, 5], // F(2x2, 3x3): rows of 48
    [squareWindow(1, 28, 28, 5, 1, 'same'), 3, 6], // direct
    [squareWindow(32, 14, 14, 4, 2, 'same'), 5, 7], // stride 2: fused packing or im2col
  ];
  let paths = 0;
  for (const [g, n, f] of cases) {
    const x = randomArray(rng, n * imageSize(g));
    const w = randomArray(rng, f * colRows(g));
    const b = randomArray(rng, f);
    const all: ConvPath[] = ['fused', 'im2col', ...(directTakes(g) ? ['direct' as const] : []), ...(winogradTakes(g) ? ['winograd' as const, 'winograd4' as const] : [])];
    for (const path of all) {
      const plain = new Float32Array(n * f * colCols(g));
      conv2dForwardWasm(h, x, n, g, w, f, b, plain, path);
      const want = plain.map((v) => (v > 0 ? v : 0));
      assert.ok(want.some((v) => v === 0) && want.some((v) => v > 0), 'both signs occur');
      const got = new Float32Array(n * f * colCols(g)).fill(NaN);
      conv2dForwardWasm(h, x, n, g, w, f, b, got, path, true);
      sameBits(got, want, `${path} ${g.channels}x${g.height}x${g.width} -> ${f}`);
      paths++;
    }
  }
  assert.equal(paths, 5 + 5 + 5 + 3 + 2);
});

test('the input gradient by the direct kernel (flipped weights over bordered dy) matches the plain loops', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('no WebAssembly SIMD here');
  const rng = new Rng(32);
  const cases: [WindowGeom, number, number][] = [
    [squareWindow(16, 32, 32, 3, 1, 'same'), 2, 16], // a VGG-style layer
    [squareWindow(6, 14, 14, 5, 1, 'valid'), 3, 16], // LeNet-5's second layer: 6 channels (a 4-block and two alone)
    [squareWindow(3, 20, 20, 3, 1, 'same'), 3, 5], // rows of 20 (a tail of 4)
  ];
  for (let i = 0; i < 14; i++) {
    const k = 1 + rng.int(4);
    const kw = 1 + rng.int(4);
    const g = windowGeom({
      channels: 1 + rng.int(9), height: k + rng.int(6), width: kw + rng.int(18), kernelH: k, kernelW: kw,
      strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: rng.int(k), padBottom: rng.int(k + 1), padLeft: rng.int(kw), padRight: rng.int(kw + 1),
    });
    cases.push([g, 1 + rng.int(4), 1 + rng.int(9)]);
  }
  for (const [g, n, f] of cases) {
    assert.ok(inputGradDirectTakes(g));
    const x = randomArray(rng, n * imageSize(g));
    const w = randomArray(rng, f * colRows(g));
    const dy = randomArray(rng, n * f * colCols(g));
    const want = conv2dBackwardRef(x, dy, n, g, w, f);
    const got = { dx: new Float32Array(x.length).fill(9), dw: new Float32Array(w.length), db: new Float32Array(f) };
    conv2dBackwardWasm(h, x, dy, n, g, w, f, got.dx, got.dw, got.db, 'direct');
    const label = `${g.channels}x${g.height}x${g.width} k${g.kernelH}x${g.kernelW} pad ${g.padTop},${g.padLeft}, ${n} samples, ${f} filters`;
    // dx sums F x kH x kW products, dw and db n x outH x outW (float32 sums of up to 2,048 terms).
    assertAllClose(got.dx, want.dx, { rtol: 1e-5, atol: 1e-5 }, `dx ${label}`);
    assertAllClose(got.dw, want.dw, { rtol: 1e-4, atol: 1e-4 }, `dw ${label}`);
    assertAllClose(got.db, want.db, { rtol: 1e-4, atol: 1e-4 }, `db ${label}`);
  }
});

/**
 * Winograd's sums are not the direct sums rounded differently only: the transforms add and subtract
 * inputs and weights before the products (transformed values up to 4 and 2.25 times the originals'
 * magnitudes), so the error bound is a larger multiple of the products' magnitudes. Each value must lie
 * within 2^-16 (256 times float32's unit roundoff) of that sum of magnitudes from the exact (double)
 * value; the worst seen was about 33 times the unit roundoff (one channel, no sum to average the
 * errors). A transform coefficient off by 1e-3, a tile shifted by one, a lost channel or filter quad, or
 * garbage from past the image's border all miss it by far more.
 */
function nearExact(got: Float32Array, exact: Float32Array, scale: Float32Array, label: string, bound = 2 ** -16): void {
  assert.equal(got.length, exact.length);
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i] - exact[i]);
    if (!(err <= bound * scale[i] + 1e-30)) assert.fail(`${label}: value ${i} is ${got[i]}, exactly ${exact[i]} (products' magnitudes ${scale[i]})`);
  }
}

/**
 * F(4x4, 3x3)'s transforms weigh values by up to 10 (B^T's rows: 4, -5, 1) and 19 (A^T's: 1, 1, 8, 8, 1),
 * so its sums round more: its bound is 2^-14 (1,024 unit roundoffs) of the products' magnitudes; the worst
 * seen was about 200 (an input gradient). An F(2x2, 3x3)-sized error budget would not hold it; a wrong
 * coefficient or tile still misses it by far.
 */
const F4_BOUND = 2 ** -14;

const abs = (a: Float32Array) => a.map(Math.abs);

test('the Winograd kernels (3x3, stride 1): F(2x2, 3x3) and F(4x4, 3x3) forward, input and weight gradients within rounding of the exact convolution', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('no WebAssembly SIMD here');
  const rng = new Rng(33);
  const cases: [WindowGeom, number, number][] = [
    [squareWindow(16, 64, 64, 3, 1, 'same'), 2, 16], // the VGG-style net's layers
    [squareWindow(32, 32, 32, 3, 1, 'same'), 2, 32],
    [squareWindow(64, 16, 16, 3, 1, 'same'), 1, 64],
    [squareWindow(8, 28, 28, 3, 1, 'valid'), 3, 6], // 26 outputs a row: a panel cut at 10 and 2 filters of a quad
    [squareWindow(9, 7, 7, 3, 1, 'same'), 2, 5], // odd rows: the last tile row has one output row
  ];
  for (let i = 0; i < 24; i++) {
    const pt = rng.int(3);
    const pl = rng.int(3);
    cases.push([windowGeom({
      channels: 1 + rng.int(20), height: 3 + rng.int(30), width: 3 + rng.int(40), kernelH: 3, kernelW: 3,
      strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: pt, padBottom: rng.int(3), padLeft: pl, padRight: rng.int(3),
    }), 1 + rng.int(4), 1 + rng.int(11)]);
  }
  for (const [g, n, f] of cases) {
    assert.ok(winogradTakes(g));
    const label = `${g.channels}x${g.height}x${g.width} pad ${g.padTop},${g.padLeft} -> ${g.outH}x${g.outW}, ${n} samples, ${f} filters`;
    const x = randomArray(rng, n * imageSize(g));
    const w = randomArray(rng, f * colRows(g));
    const b = rng.int(2) ? randomArray(rng, f) : null;
    const yExact = conv2dRef(x, n, g, w, f, b);
    const yScale = conv2dRef(abs(x), n, g, abs(w), f, b && abs(b));
    const y = new Float32Array(n * f * colCols(g)).fill(7);
    conv2dForwardWasm(h, x, n, g, w, f, b, y, 'winograd');
    nearExact(y, yExact, yScale, `y ${label}`);
    const y4 = new Float32Array(n * f * colCols(g)).fill(7);
    conv2dForwardWasm(h, x, n, g, w, f, b, y4, 'winograd4');
    nearExact(y4, yExact, yScale, `y by F(4x4, 3x3) ${label}`, F4_BOUND);
    const dy = randomArray(rng, n * f * colCols(g));
    const exact = conv2dBackwardRef(x, dy, n, g, w, f).dx;
    const scale = conv2dBackwardRef(abs(x), abs(dy), n, g, abs(w), f).dx;
    const dx4 = new Float32Array(x.length).fill(7);
    conv2dBackwardInputWasm(h, dy, n, g, w, f, dx4, 'winograd4');
    nearExact(dx4, exact, scale, `dx alone by F(4x4, 3x3) ${label}`, F4_BOUND);
    const dx = new Float32Array(x.length).fill(7);
    conv2dBackwardInputWasm(h, dy, n, g, w, f, dx, 'winograd');
    nearExact(dx, exact, scale, `dx alone ${label}`);
    const got = { dx: new Float32Array(x.length).fill(7), dw: new Float32Array(w.length), db: new Float32Array(f) };
    conv2dBackwardWasm(h, x, dy, n, g, w, f, got.dx, got.dw, got.db, 'winograd', 'winograd');
    sameBits(got.dx, dx, `dx with the weight gradients ${label}`);
    const want = conv2dBackwardRef(x, dy, n, g, w, f);
    nearExact(got.dw, want.dw, conv2dBackwardRef(abs(x), abs(dy), n, g, abs(w), f).dw, `dw ${label}`);
    assertAllClose(got.db, want.db, { rtol: 1e-4, atol: 1e-4 }, `db ${label}`);
    // The weight gradient alone (no dx), and added to what dw held: the same sums.
    const dwScale = conv2dBackwardRef(abs(x), abs(dy), n, g, abs(w), f).dw;
    const dw = new Float32Array(w.length).fill(0.5);
    conv2dBackwardWasm(h, x, dy, n, g, w, f, null, dw, null, 'winograd', 'winograd');
    nearExact(dw, want.dw.map((v) => v + 0.5), dwScale.map((v) => v + 0.5), `dw added ${label}`);
    // F(4x4, 3x3): its input gradient as alone, its weight gradient within its bound, stored and added.
    const got4 = { dx: new Float32Array(x.length).fill(7), dw: new Float32Array(w.length), db: new Float32Array(f) };
    conv2dBackwardWasm(h, x, dy, n, g, w, f, got4.dx, got4.dw, got4.db, 'winograd4', 'winograd4');
    sameBits(got4.dx, dx4, `dx by F(4x4, 3x3) with the weight gradients ${label}`);
    nearExact(got4.dw, want.dw, dwScale, `dw by F(4x4, 3x3) ${label}`, F4_BOUND);
    const dw4 = new Float32Array(w.length).fill(0.5);
    conv2dBackwardWasm(h, x, dy, n, g, w, f, null, dw4, null, 'winograd', 'winograd4');
    nearExact(dw4, want.dw.map((v) => v + 0.5), dwScale.map((v) => v + 0.5), `dw added by F(4x4, 3x3) ${label}`, F4_BOUND);
  }
});

test('the direct weight gradient (stride 1, up to 5 columns of taps, any padding) is within rounding of the exact sum, stored and added, on 1 and 2 threads alike', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('no WebAssembly SIMD here');
  const rng = new Rng(41);
  const cases: [WindowGeom, number, number][] = [
    [squareWindow(1, 28, 28, 5, 1, 'same'), 64, 6], // LeNet-5's first layer (28 outputs a row, 2 of border)
    [squareWindow(1, 28, 28, 5, 1, 'valid'), 9, 6], // 24 outputs a row
    [squareWindow(3, 9, 9, 3, 1, 'valid'), 5, 7], // 7 outputs a row: four in the lanes, three after
  ];
  for (let i = 0; i < 16; i++) {
    const kh = 1 + rng.int(5);
    const kw = 1 + rng.int(5);
    cases.push([windowGeom({
      channels: 1 + rng.int(4), height: kh + rng.int(20), width: kw + rng.int(20), kernelH: kh, kernelW: kw,
      padTop: rng.int(3), padBottom: rng.int(3), padLeft: rng.int(3), padRight: rng.int(3),
    }), 1 + rng.int(20), 1 + rng.int(9)]);
  }
  for (const [g, n, f] of cases) {
    assert.ok(directWeightGradTakes(g));
    const label = `${g.channels}x${g.height}x${g.width} k${g.kernelH}x${g.kernelW} pad ${g.padTop},${g.padLeft} -> ${g.outH}x${g.outW}, ${n} samples, ${f} filters`;
    const x = randomArray(rng, n * imageSize(g));
    const w = randomArray(rng, f * colRows(g));
    const dy = randomArray(rng, n * f * colCols(g));
    const want = conv2dBackwardRef(x, dy, n, g, w, f);
    const scale = conv2dBackwardRef(abs(x), abs(dy), n, g, abs(w), f).dw;
    const got = { dx: new Float32Array(x.length).fill(7), dw: new Float32Array(w.length).fill(7), db: new Float32Array(f) };
    conv2dBackwardWasm(h, x, dy, n, g, w, f, got.dx, got.dw, got.db, 'gemm', 'direct');
    nearExact(got.dw, want.dw.map((v) => v + 7), scale.map((v) => v + 7), `dw added ${label}`);
    assertAllClose(got.dx, want.dx, { rtol: 1e-4, atol: 1e-4 }, `dx ${label}`);
    assertAllClose(got.db, want.db.map((v) => v), { rtol: 1e-4, atol: 1e-4 }, `db ${label}`);
    const alone: Float32Array[] = [];
    for (const threads of [1, 2]) {
      setKernelThreads(threads);
      const dw = new Float32Array(w.length);
      conv2dBackwardWasm(h, x, dy, n, g, w, f, null, dw, null, 'gemm', 'direct');
      nearExact(dw, want.dw, scale, `dw ${label}, ${threads} threads`);
      alone.push(dw);
    }
    setKernelThreads('auto');
    sameBits(alone[1], alone[0], `dw on 2 threads ${label}`);
  }
  assert.equal(weightGradPath(squareWindow(1, 28, 28, 5, 1, 'same'), 6), 'direct'); // LeNet-5's first layer
  assert.equal(weightGradPath(squareWindow(6, 14, 14, 5, 1, 'valid'), 16), 'gemm'); // its second: 150 taps
  assert.equal(weightGradPath(squareWindow(1, 28, 28, 4, 2, 'same'), 32), 'gemm'); // strided (the DCGAN's first)
  assert.equal(weightGradPath(squareWindow(1, 28, 28, 7, 1, 'same'), 6), 'gemm'); // 7 columns of taps
});

test('the Winograd kernels give the same bits on 1 and 2 threads, and the layers they are picked for', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('no WebAssembly SIMD here');
  const rng = new Rng(34);
  const g = squareWindow(16, 32, 32, 3, 1, 'same');
  const n = 5;
  const f = 12;
  const x = randomArray(rng, n * imageSize(g));
  const w = randomArray(rng, f * colRows(g));
  const b = randomArray(rng, f);
  const dy = randomArray(rng, n * f * colCols(g));
  const run = () => {
    const y = new Float32Array(n * f * colCols(g));
    conv2dForwardWasm(h, x, n, g, w, f, b, y, 'winograd');
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length);
    conv2dBackwardWasm(h, x, dy, n, g, w, f, dx, dw, new Float32Array(f), 'winograd', 'winograd');
    const y4 = new Float32Array(n * f * colCols(g));
    conv2dForwardWasm(h, x, n, g, w, f, b, y4, 'winograd4');
    const dx4 = new Float32Array(x.length);
    const dw4 = new Float32Array(w.length);
    conv2dBackwardWasm(h, x, dy, n, g, w, f, dx4, dw4, new Float32Array(f), 'winograd4', 'winograd4');
    return [y, dx, dw, y4, dx4, dw4];
  };
  const one = run();
  setKernelThreads(2);
  try {
    const two = run();
    sameBits(two[0], one[0], 'y on 2 threads');
    sameBits(two[1], one[1], 'dx on 2 threads');
    sameBits(two[2], one[2], 'dw on 2 threads');
    sameBits(two[3], one[3], 'y by F(4x4, 3x3) on 2 threads');
    sameBits(two[4], one[4], 'dx by F(4x4, 3x3) on 2 threads');
    sameBits(two[5], one[5], 'dw by F(4x4, 3x3) on 2 threads');
  } finally {
    setKernelThreads(1);
  }
  // The VGG-style net's 3x3 layers, its colour one too (F(4x4, 3x3) on rows of 14 to 16 and 28 or more,
  // F(2x2, 3x3) on rows of 48); not one gray channel, not 5x5, not strided, not rows of 7.
  assert.equal(forwardPath(squareWindow(16, 64, 64, 3, 1, 'same')), 'winograd4');
  assert.equal(forwardPath(squareWindow(16, 28, 28, 3, 1, 'same')), 'winograd4');
  assert.equal(forwardPath(squareWindow(64, 16, 16, 3, 1, 'same')), 'winograd4');
  assert.equal(forwardPath(squareWindow(64, 14, 14, 3, 1, 'same')), 'winograd4');
  assert.equal(forwardPath(squareWindow(16, 48, 48, 3, 1, 'same')), 'winograd');
  assert.equal(forwardPath(squareWindow(3, 64, 64, 3, 1, 'same')), 'winograd4');
  assert.equal(forwardPath(squareWindow(1, 28, 28, 3, 1, 'same')), 'direct');
  assert.equal(forwardPath(squareWindow(16, 28, 28, 5, 1, 'same')) === 'winograd', false);
  assert.equal(forwardPath(squareWindow(16, 28, 28, 3, 2, 'same')) === 'winograd', false);
  assert.equal(forwardPath(squareWindow(16, 7, 7, 3, 1, 'same')) === 'winograd', false);
  assert.equal(inputGradPath(squareWindow(16, 64, 64, 3, 1, 'same'), 16), 'winograd4');
  assert.equal(inputGradPath(squareWindow(16, 16, 16, 3, 1, 'same'), 16), 'winograd4');
  assert.equal(inputGradPath(squareWindow(16, 48, 48, 3, 1, 'same'), 16), 'winograd');
  assert.equal(inputGradPath(squareWindow(3, 64, 64, 3, 1, 'same'), 16), 'winograd4'); // 16 filters summed over
  assert.equal(inputGradPath(squareWindow(16, 64, 64, 3, 1, 'same'), 2) === 'winograd', false);
  assert.equal(weightGradPath(squareWindow(16, 64, 64, 3, 1, 'same'), 16), 'winograd4');
  assert.equal(weightGradPath(squareWindow(64, 16, 16, 3, 1, 'same'), 64), 'winograd4');
  assert.equal(weightGradPath(squareWindow(32, 14, 14, 3, 1, 'same'), 32), 'winograd4');
  assert.equal(weightGradPath(squareWindow(64, 7, 7, 3, 1, 'same'), 64), 'winograd'); // short rows: F(2x2, 3x3)
  assert.equal(weightGradPath(squareWindow(3, 64, 64, 3, 1, 'same'), 16), 'winograd4'); // a colour first layer
  assert.equal(weightGradPath(squareWindow(1, 28, 28, 3, 1, 'same'), 16), 'direct'); // one gray channel: not Winograd, few taps
  assert.equal(weightGradPath(squareWindow(16, 28, 28, 3, 2, 'same'), 16), 'gemm');
});

test('groups and chunks come from a counter: one thread alone on a two-thread call takes every unit, and a late one finds none left', (t) => {
  const h = wasmHeap();
  if (!h) return t.skip('no WebAssembly SIMD here');
  const rng = new Rng(35);
  // The DCGAN discriminator's second layer (8 groups of 8 images, 8 chunks) and its generator's first
  // transposed layer (its image is the 14 x 14 output).
  const g = squareWindow(32, 14, 14, 4, 2, 'same');
  const n = 64;
  const f = 64;
  const r = colRows(g);
  const p = colCols(g);
  const img = imageSize(g);
  const group = samplesPerGemm(n, r, p);
  const groups = Math.ceil(n / group);
  const chunks = h.fn.chunksFor(groups);
  assert.ok(groups >= 4 && chunks >= 4, `${groups} groups, ${chunks} chunks`);
  const x = randomArray(rng, n * img);
  const w = randomArray(rng, f * r);
  const b = randomArray(rng, f);
  const dy = randomArray(rng, n * f * p);
  // What the layer gives on one thread.
  const y1 = new Float32Array(n * f * p);
  conv2dForwardWasm(h, x, n, g, w, f, b, y1, 'im2col');
  const dx1 = new Float32Array(x.length);
  const dw1 = new Float32Array(w.length);
  const db1 = new Float32Array(f);
  conv2dBackwardWasm(h, x, dy, n, g, w, f, dx1, dw1, db1, 'gemm', 'gemm');
  const dxAlone1 = new Float32Array(x.length);
  conv2dBackwardInputWasm(h, dy, n, g, w, f, dxAlone1, 'gemm');
  // The raw kernels called as thread 0 of 2, then as thread 1 of 2 on the same counter.
  const at = (floats: number) => reserve(h, floats);
  const setup = () => {
    resetHeap(h);
    const ptr = (a: Float32Array) => {
      const q = at(a.length);
      put(h, q, a, 0, a.length);
      return q;
    };
    const next = at(1);
    new Int32Array(h.f32.buffer, next, 1)[0] = 0;
    return { ptr, next, col: at(2 * r * p * group + 8), mat: at(2 * Math.max(f, g.channels) * p * group + 8) };
  };
  for (const tid of [0, 1]) {
    // Thread 1 runs second on a fresh counter only to show that it too takes every unit when it is alone.
    const s = setup();
    const px = s.ptr(x);
    const pw = s.ptr(w);
    const pb = s.ptr(b);
    const py = at(y1.length);
    h.f32.fill(Number.NaN, py >> 2, (py >> 2) + y1.length);
    h.fn.conv2dForward(px, n, pw, f, pb, py, s.col, s.mat, group, 0, 0, s.next, ...geomArgs(g), tid, 2);
    const y = new Float32Array(y1.length);
    take(h, py, y, 0, y.length);
    sameBits(y, y1, `forward, thread ${tid} of 2 alone`);
    // Thread 1 of 2, after thread 0 took everything, finds the counter past the end and writes nothing.
    h.f32.fill(Number.NaN, py >> 2, (py >> 2) + y1.length);
    h.fn.conv2dForward(px, n, pw, f, pb, py, s.col, s.mat, group, 0, 0, s.next, ...geomArgs(g), 1 - tid, 2);
    take(h, py, y, 0, y.length);
    assert.ok(y.every(Number.isNaN), 'a late thread on a spent counter writes nothing');
  }
  {
    const s = setup();
    const px = s.ptr(x);
    const pdy = s.ptr(dy);
    const pw = s.ptr(w);
    const pdx = at(x.length);
    const wLen = (f * r + 3) & ~3;
    const parts = at(chunks * (wLen + ((f + 3) & ~3)));
    const pdw = at(w.length);
    const pdb = at(f);
    h.f32.fill(0, pdw >> 2, (pdw >> 2) + w.length);
    h.f32.fill(0, pdb >> 2, (pdb >> 2) + f);
    h.fn.conv2dBackward(px, pdy, n, pw, f, pdx, pdb, s.col, s.mat, group, parts, 0, 0, 0, s.next, ...geomArgs(g), 0, 2);
    h.fn.addPartials(pdw, parts, chunks, f * r, wLen * 4, 0, 1);
    h.fn.addPartials(pdb, parts + chunks * wLen * 4, chunks, f, ((f + 3) & ~3) * 4, 0, 1);
    const got = [new Float32Array(x.length), new Float32Array(w.length), new Float32Array(f)];
    take(h, pdx, got[0], 0, x.length);
    take(h, pdw, got[1], 0, w.length);
    take(h, pdb, got[2], 0, f);
    sameBits(got[0], dx1, 'dx, thread 0 of 2 alone');
    sameBits(got[1], dw1, 'dw, thread 0 of 2 alone');
    sameBits(got[2], db1, 'db, thread 0 of 2 alone');
  }
  {
    const s = setup();
    const pdy = s.ptr(dy);
    const pw = s.ptr(w);
    const pdx = at(x.length);
    h.fn.conv2dBackwardInput(pdy, n, pw, f, pdx, s.col, s.mat, group, 0, 0, s.next, ...geomArgs(g), 0, 2);
    const got = new Float32Array(x.length);
    take(h, pdx, got, 0, x.length);
    sameBits(got, dxAlone1, 'dx alone, thread 0 of 2 alone');
  }
  {
    // The transposed layer: x is [n, f, 7, 7], its output the 32 x 14 x 14 image.
    const xt = dy;
    const yt1 = new Float32Array(n * img);
    convTranspose2dForwardWasm(h, xt, n, f, g, w, null, yt1);
    const dxt1 = new Float32Array(xt.length);
    const dwt1 = new Float32Array(w.length);
    const dbt1 = new Float32Array(g.channels);
    convTranspose2dBackwardWasm(h, xt, x, n, f, g, w, dxt1, dwt1, dbt1);
    let s = setup();
    let pxt = s.ptr(xt);
    let pw = s.ptr(w);
    const py = at(yt1.length);
    h.fn.convTranspose2dForward(pxt, n, f, pw, 0, py, s.col, s.mat, group, s.next, ...geomArgs(g), 0, 2);
    const yt = new Float32Array(yt1.length);
    take(h, py, yt, 0, yt.length);
    sameBits(yt, yt1, 'transposed forward, thread 0 of 2 alone');
    s = setup();
    pxt = s.ptr(xt);
    const pdy = s.ptr(x);
    pw = s.ptr(w);
    const pdx = at(xt.length);
    const wLen = (f * r + 3) & ~3;
    const bLen = (g.channels + 3) & ~3;
    const parts = at(chunks * (wLen + bLen));
    const pdw = at(w.length);
    const pdb = at(g.channels);
    h.f32.fill(0, pdw >> 2, (pdw >> 2) + w.length);
    h.f32.fill(0, pdb >> 2, (pdb >> 2) + g.channels);
    h.fn.convTranspose2dBackward(pxt, pdy, n, f, pw, pdx, pdb, s.col, s.mat, group, parts, s.next, ...geomArgs(g), 0, 2);
    h.fn.addPartials(pdw, parts, chunks, f * r, wLen * 4, 0, 1);
    h.fn.addPartials(pdb, parts + chunks * wLen * 4, chunks, g.channels, bLen * 4, 0, 1);
    const got = [new Float32Array(xt.length), new Float32Array(w.length), new Float32Array(g.channels)];
    take(h, pdx, got[0], 0, xt.length);
    take(h, pdw, got[1], 0, w.length);
    take(h, pdb, got[2], 0, g.channels);
    sameBits(got[0], dxt1, 'transposed dx, thread 0 of 2 alone');
    sameBits(got[1], dwt1, 'transposed dw, thread 0 of 2 alone');
    sameBits(got[2], dbt1, 'transposed db, thread 0 of 2 alone');
  }
  // The paths that take images one at a time from the counter: direct, F(2x2, 3x3), F(4x4, 3x3) forward,
  // and the direct input gradient.
  const g3 = squareWindow(16, 16, 16, 3, 1, 'same');
  const n3 = 6;
  const x3 = randomArray(rng, n3 * imageSize(g3));
  const w3 = randomArray(rng, 16 * colRows(g3));
  const dy3 = randomArray(rng, n3 * 16 * colCols(g3));
  const modes: [ConvPath, number, number][] = [
    ['direct', 2, h.fn.convDirectScratch(16, 16, 3, 3, 16, 16)],
    ['winograd', 3, h.fn.winogradScratch(16, 16, 16, 16)],
    ['winograd4', 4, h.fn.winograd4Scratch(16, 16, 16, 16)],
  ];
  for (const [path, mode, scratch] of modes) {
    const want = new Float32Array(n3 * 16 * colCols(g3));
    conv2dForwardWasm(h, x3, n3, g3, w3, 16, null, want, path);
    const s = setup();
    const px = s.ptr(x3);
    const pw = s.ptr(w3);
    const py = at(want.length);
    const col = at(2 * scratch + 8);
    h.fn.conv2dForward(px, n3, pw, 16, 0, py, col, s.mat, 1, mode, 0, s.next, ...geomArgs(g3), 0, 2);
    const y = new Float32Array(want.length);
    take(h, py, y, 0, y.length);
    sameBits(y, want, `${path} forward, thread 0 of 2 alone`);
    h.f32.fill(Number.NaN, py >> 2, (py >> 2) + want.length);
    h.fn.conv2dForward(px, n3, pw, 16, 0, py, col, s.mat, 1, mode, 0, s.next, ...geomArgs(g3), 1, 2);
    take(h, py, y, 0, y.length);
    assert.ok(y.every(Number.isNaN), `${path}: a late thread on a spent counter writes nothing`);
  }
  const dxWant = new Float32Array(x3.length);
  conv2dBackwardInputWasm(h, dy3, n3, g3, w3, 16, dxWant, 'direct');
  const s = setup();
  const pdy = s.ptr(dy3);
  const pw = s.ptr(w3);
  const pdx = at(x3.length);
  const direct = at(2 * (16 * 16 * 9 + h.fn.convDirectInputGradScratch(16, 16, 3, 3, 16, 16)) + 64);
  h.fn.conv2dBackwardInput(pdy, n3, pw, 16, pdx, s.col, s.mat, 1, direct, 0, s.next, ...geomArgs(g3), 0, 2);
  const dx = new Float32Array(x3.length);
  take(h, pdx, dx, 0, dx.length);
  sameBits(dx, dxWant, 'direct input gradient, thread 0 of 2 alone');
});
