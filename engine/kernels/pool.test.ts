import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { assertAllClose, distinctArray, randomArray } from '../testing/numeric.js';
import { avgPoolBackward, avgPoolForward } from './avgPool.js';
import { squareWindow, windowGeom, type WindowGeom } from './geometry.js';
import { maxPoolBackward, maxPoolForward } from './maxPool.js';
import { avgPoolBackwardRef, avgPoolRef, maxPoolBackwardRef, maxPoolRef } from './reference.js';
import { eachBackend } from './testkit.js';

function randomPoolGeom(rng: Rng): WindowGeom {
  for (;;) {
    const k = 1 + rng.int(4);
    try {
      return windowGeom({
        channels: 1 + rng.int(3),
        height: 1 + rng.int(9),
        width: 1 + rng.int(9),
        kernelH: k,
        kernelW: 1 + rng.int(4),
        strideH: 1 + rng.int(3),
        strideW: 1 + rng.int(3),
        padTop: rng.int(k),
        padBottom: rng.int(k),
        padLeft: rng.int(2),
        padRight: rng.int(2),
      });
    } catch {
      // does not fit: draw again
    }
  }
}

eachBackend('max pool forward/backward match direct loops (strides, padding, odd sizes)', () => {
  const rng = new Rng(31);
  for (let t = 0; t < 50; t++) {
    const g = randomPoolGeom(rng);
    const n = 1 + rng.int(2);
    const x = distinctArray(rng, n * g.channels * g.height * g.width, -2, 1);
    const outLen = n * g.channels * g.outH * g.outW;
    const y = new Float32Array(outLen);
    const arg = new Int32Array(outLen);
    maxPoolForward(x, n, g, y, arg);
    const label = JSON.stringify(g);
    assertAllClose(y, maxPoolRef(x, n, g), { rtol: 0, atol: 0 }, `y ${label}`);
    const dy = randomArray(rng, outLen);
    const dx = new Float32Array(x.length).fill(4);
    maxPoolBackward(dy, arg, outLen, dx, x.length);
    assertAllClose(dx, maxPoolBackwardRef(x, dy, n, g), { rtol: 1e-6, atol: 1e-6 }, `dx ${label}`);
  }
});

eachBackend('2x2 stride-2 max pool (the vectorised case): odd sizes, ties go to the first', () => {
  const rng = new Rng(32);
  const g = squareWindow(3, 13, 21, 2, 2, 'valid'); // outW 10: two groups of four and a tail of two
  const n = 2;
  const len = n * g.channels * g.height * g.width;
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.int(4) - 2; // many ties
  const outLen = n * g.channels * g.outH * g.outW;
  const y = new Float32Array(outLen);
  const arg = new Int32Array(outLen);
  maxPoolForward(x, n, g, y, arg);
  const want = maxPoolRef(x, n, g);
  for (let o = 0; o < outLen; o++) {
    const a = arg[o];
    assert.ok(Object.is(y[o], want[o]) && Object.is(x[a], y[o]), `output ${o}: ${y[o]} at ${a}, want ${want[o]}`);
    // the winner is the first maximum in row-major window order
    const plane = Math.floor(a / (g.height * g.width));
    const oy = Math.floor((o % (g.outH * g.outW)) / g.outW);
    const ox = o % g.outW;
    const i0 = plane * g.height * g.width + 2 * oy * g.width + 2 * ox;
    const order = [i0, i0 + 1, i0 + g.width, i0 + g.width + 1];
    const first = order.find((i) => x[i] === y[o]);
    assert.equal(a, first, `output ${o}: argmax`);
  }
});

eachBackend('avg pool forward/backward match direct loops; padding is not counted', () => {
  const rng = new Rng(32);
  for (let t = 0; t < 50; t++) {
    const g = randomPoolGeom(rng);
    const n = 1 + rng.int(2);
    const x = randomArray(rng, n * g.channels * g.height * g.width);
    const outLen = n * g.channels * g.outH * g.outW;
    const y = new Float32Array(outLen);
    avgPoolForward(x, n, g, y);
    const label = JSON.stringify(g);
    assertAllClose(y, avgPoolRef(x, n, g), { rtol: 1e-5, atol: 1e-6 }, `y ${label}`);
    const dy = randomArray(rng, outLen);
    const dx = new Float32Array(x.length).fill(4);
    avgPoolBackward(dy, n, g, dx);
    assertAllClose(dx, avgPoolBackwardRef(dy, n, g), { rtol: 1e-5, atol: 1e-6 }, `dx ${label}`);
  }
});

eachBackend('pool hand cases: 2x2 stride 2 on 4x4, and same-padded 3x3 corners', () => {
  const x = Float32Array.from([1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16]);
  const g = squareWindow(1, 4, 4, 2, 2, 'valid');
  const y = new Float32Array(4);
  const arg = new Int32Array(4);
  maxPoolForward(x, 1, g, y, arg);
  assert.deepEqual(Array.from(y), [4, 8, 12, 16]);
  assert.deepEqual(Array.from(arg), [5, 7, 13, 15]);
  avgPoolForward(x, 1, g, y);
  assert.deepEqual(Array.from(y), [2.5, 6.5, 10.5, 14.5]);
  const s = squareWindow(1, 2, 2, 3, 1, 'same');
  const ones = new Float32Array(4).fill(1);
  const ys = new Float32Array(4);
  avgPoolForward(ones, 1, s, ys);
  assert.deepEqual(Array.from(ys), [1, 1, 1, 1]); // padding excluded, so no darkening
});
