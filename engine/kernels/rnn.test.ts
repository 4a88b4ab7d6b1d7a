import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { assertAllClose, randomArray } from '../testing/numeric.js';
import { setKernelBackend, wasmActive } from './backend.js';
import { rnnBackward, rnnBackwardTs, rnnForward, rnnForwardTs } from './rnn.js';

test('rnn steps (TypeScript reference): two steps of one unit by hand', () => {
  const z = new Float32Array([0.5, -1]);
  const wh = new Float32Array([0.7]);
  const h = new Float32Array(3).fill(9);
  rnnForwardTs(z, wh, h, 2, 1, 1);
  const h0 = Math.tanh(0.5);
  const h1 = Math.tanh(-1 + 0.7 * h0);
  assertAllClose(h, new Float32Array([0, h0, h1]), { rtol: 1e-6, atol: 1e-7 }, 'h');
  const dZ = new Float32Array(2);
  rnnBackwardTs(h, new Float32Array([0.5, 1]), wh, dZ, 2, 1, 1);
  const d1 = 1 - h1 * h1;
  assertAllClose(dZ, new Float32Array([(0.5 + 0.7 * d1) * (1 - h0 * h0), d1]), { rtol: 1e-5, atol: 1e-7 }, 'dZ');
});

test('rnn steps in WebAssembly match the TypeScript reference (odd sizes, wide pre-activations)', (t) => {
  setKernelBackend('wasm');
  try {
    if (!wasmActive()) return t.skip('no WebAssembly SIMD here');
    const rng = new Rng(23);
    for (const [steps, batch, units] of [[5, 3, 7], [4, 2, 8], [3, 5, 13], [2, 1, 1], [6, 4, 64]]) {
      const n = batch * units;
      const label = `steps=${steps} batch=${batch} units=${units}`;
      const z0 = randomArray(rng, steps * n, -9, 9);
      for (let i = 0; i < z0.length; i += 11) z0[i] *= 1e-4;
      const wh = randomArray(rng, units * units, -0.5, 0.5);
      const zw = new Float32Array(z0);
      const zt = new Float32Array(z0);
      const [hw, ht] = [0, 1].map(() => new Float32Array((steps + 1) * n).fill(5));
      rnnForward(zw, wh, hw, steps, batch, units);
      rnnForwardTs(zt, wh, ht, steps, batch, units);
      assertAllClose(hw, ht, { rtol: 0, atol: 2e-6 }, `${label}: h`);
      const dH = randomArray(rng, steps * n);
      const dw = new Float32Array(steps * n).fill(NaN);
      const dt = new Float32Array(steps * n);
      rnnBackward(ht, dH, wh, dw, steps, batch, units);
      rnnBackwardTs(ht, dH, wh, dt, steps, batch, units);
      assertAllClose(dw, dt, { rtol: 1e-4, atol: 1e-5 }, `${label}: dZ`);
    }
  } finally {
    setKernelBackend('auto');
  }
});

test('rnn steps refuse short arrays with a reason', () => {
  const a = new Float32Array(2);
  assert.throws(() => rnnForward(a, new Float32Array(1), a, 2, 1, 1), /h needs 3 values/);
  assert.throws(() => rnnBackward(a, a, a, a, 0, 1, 1), /positive integers/);
});
