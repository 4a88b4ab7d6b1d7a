import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { assertAllClose, randomArray } from '../testing/numeric.js';
import { setKernelBackend, wasmActive } from './backend.js';
import { lstmBackward, lstmBackwardTs, lstmForward, lstmForwardTs } from './lstm.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

test('lstm steps (TypeScript reference): two steps of one unit by hand', () => {
  // z rows: step 0 and step 1 pre-activations (i, f, g, o); wh [1, 4]
  const z = new Float32Array([0.5, -1, 2, 0.25, -0.3, 0.8, -1.5, 1]);
  const wh = new Float32Array([0.1, -0.2, 0.3, 0.4]);
  const h = new Float32Array(3).fill(9);
  const c = new Float32Array(3).fill(9);
  lstmForwardTs(z, wh, h, c, 2, 1, 1);
  const [i0, f0, g0, o0] = [sigmoid(0.5), sigmoid(-1), Math.tanh(2), sigmoid(0.25)];
  const c0 = i0 * g0;
  const h0 = o0 * Math.tanh(c0);
  const [i1, f1, g1, o1] = [sigmoid(-0.3 + 0.1 * h0), sigmoid(0.8 - 0.2 * h0), Math.tanh(-1.5 + 0.3 * h0), sigmoid(1 + 0.4 * h0)];
  const c1 = f1 * c0 + i1 * g1;
  const h1 = o1 * Math.tanh(c1);
  assertAllClose(z, new Float32Array([i0, f0, g0, o0, i1, f1, g1, o1]), { rtol: 1e-6, atol: 1e-7 }, 'activations');
  assertAllClose(c, new Float32Array([0, c0, c1]), { rtol: 1e-6, atol: 1e-7 }, 'c');
  assertAllClose(h, new Float32Array([0, h0, h1]), { rtol: 1e-6, atol: 1e-7 }, 'h');
  // backward with dL/dh_1 = 1 only: dZ at step 1 by hand
  const dZ = new Float32Array(8);
  lstmBackwardTs(z, c, new Float32Array([0, 1]), wh, dZ, 2, 1, 1);
  const tc = Math.tanh(c1);
  const dc = o1 * (1 - tc * tc);
  assertAllClose(dZ.subarray(4), new Float32Array([dc * g1 * i1 * (1 - i1), dc * c0 * f1 * (1 - f1), dc * i1 * (1 - g1 * g1), tc * o1 * (1 - o1)]),
    { rtol: 1e-5, atol: 1e-7 }, 'dZ step 1');
  // step 0 gets dh_0 = dZ_1 Wh^T and dc_0 = dc f1
  const dh0 = dZ[4] * 0.1 - dZ[5] * 0.2 + dZ[6] * 0.3 + dZ[7] * 0.4;
  const tc0 = Math.tanh(c0);
  const dc0 = dc * f1 + dh0 * o0 * (1 - tc0 * tc0);
  assertAllClose(dZ.subarray(0, 4), new Float32Array([dc0 * g0 * i0 * (1 - i0), 0, dc0 * i0 * (1 - g0 * g0), dh0 * tc0 * o0 * (1 - o0)]),
    { rtol: 1e-5, atol: 1e-7 }, 'dZ step 0');
});

test('lstm steps in WebAssembly match the TypeScript reference (odd units, wide pre-activations)', (t) => {
  setKernelBackend('wasm');
  try {
    if (!wasmActive()) return t.skip('no WebAssembly SIMD here');
    const rng = new Rng(21);
    for (const [steps, batch, units] of [[5, 3, 7], [4, 2, 8], [3, 5, 13], [2, 1, 1]]) {
      const n = batch * units;
      const label = `steps=${steps} batch=${batch} units=${units}`;
      // pre-activations over [-9, 9]: past tanh's clamp, through its small-|x| branch and everything between
      const z0 = randomArray(rng, steps * 4 * n, -9, 9);
      for (let i = 0; i < z0.length; i += 11) z0[i] *= 1e-4;
      const wh = randomArray(rng, 4 * units * units, -0.5, 0.5);
      const zw = new Float32Array(z0);
      const zt = new Float32Array(z0);
      const [hw, cw, ht, ct] = [0, 1, 2, 3].map(() => new Float32Array((steps + 1) * n).fill(5));
      lstmForward(zw, wh, hw, cw, steps, batch, units);
      lstmForwardTs(zt, wh, ht, ct, steps, batch, units);
      assertAllClose(zw, zt, { rtol: 0, atol: 2e-6 }, `${label}: activations`);
      assertAllClose(cw, ct, { rtol: 0, atol: 1e-5 }, `${label}: c`);
      assertAllClose(hw, ht, { rtol: 0, atol: 2e-6 }, `${label}: h`);
      const dH = randomArray(rng, steps * n);
      const dw = new Float32Array(steps * 4 * n).fill(NaN);
      const dt = new Float32Array(steps * 4 * n);
      lstmBackward(zt, ct, dH, wh, dw, steps, batch, units);
      lstmBackwardTs(zt, ct, dH, wh, dt, steps, batch, units);
      assertAllClose(dw, dt, { rtol: 1e-4, atol: 1e-5 }, `${label}: dZ`);
    }
  } finally {
    setKernelBackend('auto');
  }
});

test('lstm steps refuse short arrays with a reason', () => {
  const a = new Float32Array(8);
  assert.throws(() => lstmForward(a, new Float32Array(4), new Float32Array(2), a, 2, 1, 1), /h needs 3 values/);
  assert.throws(() => lstmBackward(a, a, a, a, a, 0, 1, 1), /positive integers/);
});
