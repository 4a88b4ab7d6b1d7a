import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { assertAllClose, randomArray } from '../testing/numeric.js';
import { conv2dBackward, conv2dForward } from './conv2d.js';
import { convTranspose2dBackward, convTranspose2dForward } from './convTranspose2d.js';
import { colCols, colRows, imageSize, squareWindow, transposedWindow, windowGeom, type WindowGeom } from './geometry.js';
import { conv2dBackwardRef, conv2dRef, convTranspose2dBackwardRef, convTranspose2dRef } from './reference.js';
import { eachBackend } from './testkit.js';

const TOL = { rtol: 1e-4, atol: 1e-4 };

function randomConvGeom(rng: Rng): WindowGeom {
  for (;;) {
    const k = 1 + rng.int(4);
    try {
      return windowGeom({
        channels: 1 + rng.int(3),
        height: 2 + rng.int(8),
        width: 2 + rng.int(8),
        kernelH: k,
        kernelW: 1 + rng.int(4),
        strideH: 1 + rng.int(3),
        strideW: 1 + rng.int(2),
        dilationH: 1 + rng.int(2),
        padTop: rng.int(k),
        padBottom: rng.int(k),
        padLeft: rng.int(2),
        padRight: rng.int(3),
      });
    } catch {
      // does not fit: draw again
    }
  }
}

eachBackend('conv2d forward and backward match direct loops (random strides, asymmetric padding, dilation)', () => {
  const rng = new Rng(21);
  for (let t = 0; t < 40; t++) {
    const g = randomConvGeom(rng);
    const n = 1 + rng.int(3);
    const f = 1 + rng.int(5);
    const x = randomArray(rng, n * imageSize(g));
    const w = randomArray(rng, f * colRows(g));
    const b = randomArray(rng, f);
    const col = new Float32Array(colRows(g) * colCols(g));
    const y = new Float32Array(n * f * colCols(g));
    conv2dForward(x, n, g, w, f, b, y, col);
    const label = `n=${n} f=${f} ${JSON.stringify(g)}`;
    assertAllClose(y, conv2dRef(x, n, g, w, f, b), TOL, `y ${label}`);

    const dy = randomArray(rng, y.length);
    const dx = new Float32Array(x.length).fill(5); // overwritten
    const dw = new Float32Array(w.length).fill(1); // accumulated
    const db = new Float32Array(f).fill(-1); // accumulated
    conv2dBackward(x, dy, n, g, w, f, dx, dw, db, col);
    const ref = conv2dBackwardRef(x, dy, n, g, w, f);
    assertAllClose(dx, ref.dx, TOL, `dx ${label}`);
    assertAllClose(dw, ref.dw.map((v) => v + 1), TOL, `dw ${label}`);
    assertAllClose(db, ref.db.map((v) => v - 1), TOL, `db ${label}`);
  }
});

eachBackend('conv2d hand case: 3x3 image, 2x2 kernel, valid', () => {
  const g = squareWindow(1, 3, 3, 2, 1, 'valid');
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = Float32Array.from([1, 0, 0, -1]);
  const y = new Float32Array(4);
  conv2dForward(x, 1, g, w, 1, Float32Array.from([0.5]), y, new Float32Array(16));
  assert.deepEqual(Array.from(y), [-3.5, -3.5, -3.5, -3.5]);
});

eachBackend('conv2d refuses a column scratch that is too small', () => {
  const g = squareWindow(1, 3, 3, 2, 1, 'valid');
  assert.throws(() => conv2dForward(new Float32Array(9), 1, g, new Float32Array(4), 1, null, new Float32Array(4), new Float32Array(8)), /scratch needs 16/);
});

eachBackend('transposed conv forward and backward match direct scatter loops', () => {
  const rng = new Rng(22);
  for (let t = 0; t < 30; t++) {
    const k = 1 + rng.int(4);
    const s = 1 + rng.int(3);
    const padding = rng.next() < 0.5 ? 'same' : 'valid';
    const op = rng.int(s);
    const cin = 1 + rng.int(3);
    const cout = 1 + rng.int(3);
    const h = 1 + rng.int(5);
    const wd = 1 + rng.int(5);
    const n = 1 + rng.int(2);
    const g = transposedWindow(cout, h, wd, k, s, padding, op);
    const x = randomArray(rng, n * cin * h * wd);
    const w = randomArray(rng, cin * colRows(g));
    const b = randomArray(rng, cout);
    const col = new Float32Array(colRows(g) * colCols(g));
    const y = new Float32Array(n * imageSize(g)).fill(3);
    convTranspose2dForward(x, n, cin, g, w, b, y, col);
    const label = `n=${n} cin=${cin} k=${k} s=${s} ${padding} op=${op} ${h}x${wd}`;
    assertAllClose(y, convTranspose2dRef(x, n, cin, g, w, b), TOL, `y ${label}`);

    const dy = randomArray(rng, y.length);
    const dx = new Float32Array(x.length).fill(5);
    const dw = new Float32Array(w.length);
    const db = new Float32Array(cout);
    convTranspose2dBackward(x, dy, n, cin, g, w, dx, dw, db, col);
    const ref = convTranspose2dBackwardRef(x, dy, n, cin, g, w);
    assertAllClose(dx, ref.dx, TOL, `dx ${label}`);
    assertAllClose(dw, ref.dw, TOL, `dw ${label}`);
    assertAllClose(db, ref.db, TOL, `db ${label}`);
  }
});

eachBackend('transposed conv is the adjoint of conv with the same weights: <conv(u), v> = <u, convT(v)>', () => {
  const rng = new Rng(23);
  const g = transposedWindow(2, 4, 5, 3, 2, 'same', 1); // image 2 x 8 x 10, maps 4 x 5
  const cin = 3;
  const u = randomArray(rng, imageSize(g));
  const v = randomArray(rng, cin * colCols(g));
  const w = randomArray(rng, cin * colRows(g));
  const col = new Float32Array(colRows(g) * colCols(g));
  const cu = new Float32Array(v.length);
  conv2dForward(u, 1, g, w, cin, null, cu, col);
  const tv = new Float32Array(u.length);
  convTranspose2dForward(v, 1, cin, g, w, null, tv, col);
  let lhs = 0;
  let rhs = 0;
  for (let i = 0; i < v.length; i++) lhs += cu[i] * v[i];
  for (let i = 0; i < u.length; i++) rhs += u[i] * tv[i];
  assert.ok(Math.abs(lhs - rhs) < 1e-4 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
});

eachBackend('DCGAN-sized layers (k4 s2 same on 28x28 and 14x14, several samples per GEMM) match direct loops', () => {
  const rng = new Rng(24);
  // n = 5 with 14x14 and 7x7 output grids: the wasm kernels group 2 and 5 samples per GEMM (a short last group).
  for (const [c, size, f] of [[2, 28, 3], [3, 14, 2]] as const) {
    const n = 5;
    const g = squareWindow(c, size, size, 4, 2, 'same');
    const x = randomArray(rng, n * imageSize(g));
    const w = randomArray(rng, f * colRows(g));
    const b = randomArray(rng, f);
    const col = new Float32Array(colRows(g) * colCols(g));
    const y = new Float32Array(n * f * colCols(g));
    conv2dForward(x, n, g, w, f, b, y, col);
    assertAllClose(y, conv2dRef(x, n, g, w, f, b), TOL, `conv y ${size}`);
    const dy = randomArray(rng, y.length);
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length);
    const db = new Float32Array(f);
    conv2dBackward(x, dy, n, g, w, f, dx, dw, db, col);
    const ref = conv2dBackwardRef(x, dy, n, g, w, f);
    assertAllClose(dx, ref.dx, TOL, `conv dx ${size}`);
    assertAllClose(dw, ref.dw, TOL, `conv dw ${size}`);
    assertAllClose(db, ref.db, TOL, `conv db ${size}`);

    const t = transposedWindow(c, size / 2, size / 2, 4, 2, 'same');
    const tx = randomArray(rng, n * f * colCols(t));
    const tw = randomArray(rng, f * colRows(t));
    const tb = randomArray(rng, c);
    const tcol = new Float32Array(colRows(t) * colCols(t));
    const ty = new Float32Array(n * imageSize(t));
    convTranspose2dForward(tx, n, f, t, tw, tb, ty, tcol);
    assertAllClose(ty, convTranspose2dRef(tx, n, f, t, tw, tb), TOL, `convT y ${size}`);
    const tdy = randomArray(rng, ty.length);
    const tdx = new Float32Array(tx.length);
    const tdw = new Float32Array(tw.length);
    const tdb = new Float32Array(c);
    convTranspose2dBackward(tx, tdy, n, f, t, tw, tdx, tdw, tdb, tcol);
    const tref = convTranspose2dBackwardRef(tx, tdy, n, f, t, tw);
    assertAllClose(tdx, tref.dx, TOL, `convT dx ${size}`);
    assertAllClose(tdw, tref.dw, TOL, `convT dw ${size}`);
    assertAllClose(tdb, tref.db, TOL, `convT db ${size}`);
  }
});

eachBackend('conv2d backward without dw gives the same dx bit for bit and leaves the gradients alone', () => {
  const rng = new Rng(23);
  // (the DCGAN discriminator's layers; a VGG-style layer, whose dx runs on the direct kernel)
  const geoms = [squareWindow(32, 14, 14, 4, 2, 'same'), squareWindow(1, 28, 28, 4, 2, 'same'), squareWindow(8, 16, 16, 3, 1, 'same')];
  for (let t = 0; t < 30; t++) geoms.push(randomConvGeom(rng));
  for (const g of geoms) {
    // The DCGAN's batch of 64 (groups over both threads when there are two), else a few samples.
    const n = geoms.indexOf(g) < 2 ? 64 : 1 + rng.int(9);
    const f = geoms.indexOf(g) === 0 ? 64 : 1 + rng.int(5);
    const x = randomArray(rng, n * imageSize(g));
    const w = randomArray(rng, f * colRows(g));
    const dy = randomArray(rng, n * f * colCols(g));
    const col = new Float32Array(colRows(g) * colCols(g));
    const want = new Float32Array(x.length);
    conv2dBackward(x, dy, n, g, w, f, want, new Float32Array(w.length), new Float32Array(f), col);
    const dx = new Float32Array(x.length).fill(5); // overwritten
    const db = new Float32Array(f).fill(-1); // untouched without dw
    conv2dBackward(x, dy, n, g, w, f, dx, null, db, col);
    const label = `n=${n} f=${f} ${JSON.stringify(g)}`;
    assert.deepEqual(new Uint32Array(dx.buffer), new Uint32Array(want.buffer), `dx ${label}`);
    assert.ok(db.every((v) => v === -1), `db untouched ${label}`);
  }
});
