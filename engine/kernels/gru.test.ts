import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { assertAllClose, randomArray } from '../testing/numeric.js';
import { setKernelBackend, wasmActive } from './backend.js';
import { gruBackward, gruBackwardTs, gruForward, gruForwardTs } from './gru.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

test('gru steps (TypeScript reference): two steps of one unit by hand', () => {
  // z rows: step 0 and step 1 input parts (r, z, n); wh [1, 3]; bh [1]
  const z = new Float32Array([0.5, -1, 2, -0.3, 0.8, -1.5]);
  const wh = new Float32Array([0.1, -0.2, 0.3]);
  const bh = new Float32Array([0.25]);
  const h = new Float32Array(3).fill(9);
  const hn = new Float32Array(2).fill(9);
  gruForwardTs(z, wh, bh, h, hn, 2, 1, 1);
  const [r0, u0] = [sigmoid(0.5), sigmoid(-1)];
  const n0 = Math.tanh(2 + r0 * 0.25);
  const h0 = (1 - u0) * n0;
  const [r1, u1, hn1] = [sigmoid(-0.3 + 0.1 * h0), sigmoid(0.8 - 0.2 * h0), 0.3 * h0 + 0.25];
  const n1 = Math.tanh(-1.5 + r1 * hn1);
  const h1 = (1 - u1) * n1 + u1 * h0;
  const tol = { rtol: 1e-6, atol: 1e-7 };
  assertAllClose(z, new Float32Array([r0, u0, n0, r1, u1, n1]), tol, 'activations');
  assertAllClose(h, new Float32Array([0, h0, h1]), tol, 'h');
  assertAllClose(hn, new Float32Array([0.25, hn1]), tol, 'hn');
  // backward with dL/dh_1 = 1 only
  const dZ = new Float32Array(6);
  const dR = new Float32Array(6);
  const dbh = new Float32Array([0.5]);
  gruBackwardTs(z, hn, h, new Float32Array([0, 1]), wh, dZ, dR, dbh, 2, 1, 1);
  const dn1 = (1 - u1) * (1 - n1 * n1);
  const du1 = (h0 - n1) * u1 * (1 - u1);
  const dr1 = dn1 * hn1 * r1 * (1 - r1);
  assertAllClose(dZ.subarray(3), new Float32Array([dr1, du1, dn1]), { rtol: 1e-5, atol: 1e-7 }, 'dZ step 1');
  assertAllClose(dR.subarray(3), new Float32Array([dr1, du1, dn1 * r1]), { rtol: 1e-5, atol: 1e-7 }, 'dR step 1');
  // step 0 gets dh_0 = u1 + dR_1 Wh^T
  const dh0 = u1 + dr1 * 0.1 - du1 * 0.2 + dn1 * r1 * 0.3;
  const dn0 = dh0 * (1 - u0) * (1 - n0 * n0);
  const du0 = dh0 * (0 - n0) * u0 * (1 - u0);
  const dr0 = dn0 * 0.25 * r0 * (1 - r0);
  assertAllClose(dZ.subarray(0, 3), new Float32Array([dr0, du0, dn0]), { rtol: 1e-5, atol: 1e-7 }, 'dZ step 0');
  assertAllClose(dR.subarray(0, 3), new Float32Array([dr0, du0, dn0 * r0]), { rtol: 1e-5, atol: 1e-7 }, 'dR step 0');
  assertAllClose(dbh, new Float32Array([0.5 + dn1 * r1 + dn0 * r0]), { rtol: 1e-5, atol: 1e-7 }, 'dbh (added into)');
});

test('gru steps in WebAssembly match the TypeScript reference (odd units, wide pre-activations)', (t) => {
  setKernelBackend('wasm');
  try {
    if (!wasmActive()) return t.skip('no WebAssembly SIMD here');
    const rng = new Rng(22);
    for (const [steps, batch, units] of [[5, 3, 7], [4, 2, 8], [3, 5, 13], [2, 1, 1], [6, 4, 64]]) {
      const n = batch * units;
      const label = `steps=${steps} batch=${batch} units=${units}`;
      // pre-activations over [-9, 9]: past tanh's clamp, through its small-|x| branch and everything between
      const z0 = randomArray(rng, steps * 3 * n, -9, 9);
      for (let i = 0; i < z0.length; i += 11) z0[i] *= 1e-4;
      const wh = randomArray(rng, 3 * units * units, -0.5, 0.5);
      const bh = randomArray(rng, units, -1, 1);
      const zw = new Float32Array(z0);
      const zt = new Float32Array(z0);
      const [hw, ht] = [0, 1].map(() => new Float32Array((steps + 1) * n).fill(5));
      const [nw, nt] = [0, 1].map(() => new Float32Array(steps * n).fill(5));
      gruForward(zw, wh, bh, hw, nw, steps, batch, units);
      gruForwardTs(zt, wh, bh, ht, nt, steps, batch, units);
      assertAllClose(zw, zt, { rtol: 0, atol: 2e-6 }, `${label}: activations`);
      assertAllClose(hw, ht, { rtol: 0, atol: 2e-6 }, `${label}: h`);
      assertAllClose(nw, nt, { rtol: 0, atol: 2e-6 }, `${label}: hn`);
      const dH = randomArray(rng, steps * n);
      const dbh0 = randomArray(rng, units);
      const [dzw, drw] = [0, 1].map(() => new Float32Array(steps * 3 * n).fill(NaN));
      const [dzt, drt] = [0, 1].map(() => new Float32Array(steps * 3 * n));
      const dbw = new Float32Array(dbh0);
      const dbt = new Float32Array(dbh0);
      gruBackward(zt, nt, ht, dH, wh, dzw, drw, dbw, steps, batch, units);
      gruBackwardTs(zt, nt, ht, dH, wh, dzt, drt, dbt, steps, batch, units);
      assertAllClose(dzw, dzt, { rtol: 1e-4, atol: 1e-5 }, `${label}: dZ`);
      assertAllClose(drw, drt, { rtol: 1e-4, atol: 1e-5 }, `${label}: dR`);
      assertAllClose(dbw, dbt, { rtol: 1e-4, atol: 1e-5 }, `${label}: dbh`);
    }
  } finally {
    setKernelBackend('auto');
  }
});

test('gru steps refuse short arrays and a shared dZ/dR with a reason', () => {
  const a = new Float32Array(6);
  assert.throws(() => gruForward(a, new Float32Array(3), new Float32Array(1), new Float32Array(2), a, 2, 1, 1), /h needs 3 values/);
  assert.throws(() => gruBackward(a, a, a, a, a, a, a, a, 0, 1, 1), /positive integers/);
  assert.throws(() => gruBackward(a, a, a, a, a, a, a, a, 2, 1, 1), /distinct/);
});
