import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { assertAllClose, randomArray } from '../testing/numeric.js';
import { adamUpdate, adamUpdateTs, type AdamStep } from './adam.js';
import { eachBackend } from './testkit.js';

const STEP: AdamStep = { lr: 0.01, l2: 0.001, keep: 0.9995, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 1 / (1 - 0.9 ** 3), c2: 1 / Math.sqrt(1 - 0.999 ** 3) };

eachBackend('adamUpdate matches the double-precision reference over several steps (tail not a multiple of 4)', () => {
  const rng = new Rng(41);
  const n = 1031;
  const w = randomArray(rng, n);
  const m = new Float32Array(n);
  const v = new Float32Array(n);
  const [w2, m2, v2] = [new Float32Array(w), new Float32Array(m), new Float32Array(v)];
  for (let t = 0; t < 3; t++) {
    const g = randomArray(rng, n);
    adamUpdate(w, g, m, v, undefined, STEP);
    adamUpdateTs(w2, g, m2, v2, undefined, STEP);
  }
  assertAllClose(m, m2, { rtol: 1e-5, atol: 1e-7 }, 'm');
  assertAllClose(v, v2, { rtol: 1e-5, atol: 1e-9 }, 'v');
  assertAllClose(w, w2, { rtol: 1e-5, atol: 1e-6 }, 'w');
});

eachBackend('adamUpdate first step by hand: w moves by lr * sign(g) when bias-corrected; masked weights pinned to 0', () => {
  const n = 300;
  const w = new Float32Array(n).fill(1);
  const g = new Float32Array(n).map((_, i) => (i % 2 ? 0.5 : -2));
  const m = new Float32Array(n);
  const v = new Float32Array(n);
  const s: AdamStep = { lr: 0.1, l2: 0, keep: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 1 / 0.1, c2: 1 / Math.sqrt(0.001) };
  adamUpdate(w, g, m, v, undefined, s);
  assert.ok(Math.abs(w[0] - 1.1) < 1e-6 && Math.abs(w[1] - 0.9) < 1e-6, `got ${w[0]}, ${w[1]}`);
  assert.ok(Math.abs(m[0] + 0.2) < 1e-7 && Math.abs(v[1] - 0.00025) < 1e-9, `m ${m[0]}, v ${v[1]}`);
  const mask = new Uint8Array(n).fill(1);
  mask[3] = 0;
  const m3 = m[3];
  adamUpdate(w, g, m, v, mask, s);
  assert.equal(w[3], 0);
  assert.equal(m[3], m3, 'a pruned weight keeps its moments');
  assert.throws(() => adamUpdate(w, g, m, new Float32Array(2), undefined, s), /same length/);
});
