import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { sumsExact } from './distance.js';

/** The double sum of v in the given order. */
function sumIn(v: Float32Array, order: number[]): number {
  let s = 0;
  for (const i of order) s += v[i];
  return s;
}

function shuffled(n: number, r: Rng): number[] {
  const o = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [o[i], o[j]] = [o[j], o[i]];
  }
  return o;
}

test('sumsExact: pixels / 255 below 2^22 samples, not at it; zeros only; not for values that are not finite', () => {
  const min = Math.fround(1 / 255);
  assert.equal(sumsExact(60000, min, 1), true);
  assert.equal(sumsExact(2 ** 22 - 1, min, 1), true);
  assert.equal(sumsExact(2 ** 22, min, 1), false);
  // Raw pixels 0..255: every value an integer.
  assert.equal(sumsExact(2 ** 22, 1, 255), true);
  assert.equal(sumsExact(10, Infinity, 0), true);
  assert.equal(sumsExact(10, 1, NaN), false);
  assert.equal(sumsExact(10, 1, Infinity), false);
  assert.equal(sumsExact(10, NaN, 1), false);
  // A power of two is its own grid's start: 2^-8 (grid 2^-31) against 2^-8 less a step (grid 2^-32).
  assert.equal(sumsExact(2 ** 22 - 1, 2 ** -8, 1), true);
  assert.equal(sumsExact(2 ** 21 - 1, Math.fround(2 ** -8 * (1 - 2 ** -24)), 1), true);
  assert.equal(sumsExact(2 ** 21 + 1, Math.fround(2 ** -8 * (1 - 2 ** -24)), 1), false);
  // Subnormal float32 values: the grid is 2^-149.
  assert.equal(sumsExact(4, 2 ** -149, 2 ** -99), true);
  assert.equal(sumsExact(4, 2 ** -149, 2 ** -97), false);
});

test('sumsExact: where it holds, every order of addition gives the same double; past it, orders can differ (the test can fail)', () => {
  const r = new Rng(8);
  // Values on the grid of their smallest magnitude, near the largest the bound allows: n values of
  // magnitude up to 2^(g + 52) / n, mixed signs, the smallest nonzero 2^e.
  for (const [n, e] of [[64, -8], [1000, 0], [4096, -30], [33, -120]] as const) {
    const g = e - 23;
    const top = 2 ** (g + 52) / n;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = (r.next() < 0.5 ? -1 : 1) * Math.fround(top * (0.5 + 0.5 * r.next()));
    v[0] = 2 ** e;
    v[1] = top;
    let maxAbs = 0;
    let minNonzero = Infinity;
    for (const a of v) {
      maxAbs = Math.max(maxAbs, Math.abs(a));
      if (a !== 0) minNonzero = Math.min(minNonzero, Math.abs(a));
    }
    assert.equal(sumsExact(n, minNonzero, maxAbs), true, `n=${n} e=${e}`);
    const first = sumIn(v, Array.from({ length: n }, (_, i) => i));
    for (let q = 0; q < 50; q++) assert.equal(sumIn(v, shuffled(n, r)), first, `n=${n} e=${e}: an order`);
  }
  // Past it: 1,024 values of 2^-60 and two of 1. Added first, the small ones make 2^-50, which 2 + 2^-50
  // keeps; added after the ones, each is lost against 2.
  const v = new Float32Array(1026).fill(2 ** -60);
  v[1024] = v[1025] = 1;
  assert.equal(sumsExact(v.length, 2 ** -60, 1), false);
  const ordered = sumIn(v, Array.from({ length: v.length }, (_, i) => i));
  const last = sumIn(v, Array.from({ length: v.length }, (_, i) => v.length - 1 - i));
  assert.equal(ordered, 2 + 2 ** -50);
  assert.notEqual(ordered, last);
});
