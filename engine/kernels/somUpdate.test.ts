import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { setKernelBackend, wasmActive } from './backend.js';
import { selfOwnedZeros } from './resident.js';
import { somUpdate, somUpdateRef } from './somUpdate.js';
import { residentOffset } from './wasm/runtime.js';

const wasm = setKernelBackend('auto') === 'wasm';

test('somUpdateRef by hand: w += g (x - w) rounded to float32, moved = sum of the squared moves in double', () => {
  const w = new Float32Array([0, 1, 2, 10, 10, 10]);
  const x = new Float32Array([9, 4, 3, 0]); // the sample starts at offset 1
  const moved = new Float64Array(2);
  somUpdateRef(w, 3, x, 1, Int32Array.of(1, 0), Float64Array.of(0.5, 0.1), 2, moved);
  assert.deepEqual([...w.subarray(3)], [7, 6.5, 5]); // unit 1: 10 + 0.5 (4 - 10), ...
  assert.deepEqual([...w.subarray(0, 3)], [Math.fround(0.4), Math.fround(1 + 0.1 * 2), Math.fround(2 + 0.1 * -2)]);
  assert.equal(moved[0], 9 + 12.25 + 25);
  assert.equal(moved[1], 0.4 * 0.4 + (0.1 * 2) * (0.1 * 2) + (0.1 * -2) * (0.1 * -2));
  assert.throws(() => somUpdateRef(w, 3, x, 1, Int32Array.of(2), Float64Array.of(1), 1, moved), /unit 2 is not one of the 2 rows/);
});

test('somUpdate (WebAssembly) moves the units and reports the moves as the reference, bit for bit', { skip: !wasm && 'no WebAssembly SIMD here' }, () => {
  const h = wasmActive()!;
  const r = new Rng(31);
  let cases = 0;
  for (const [k, d] of [[400, 784], [9, 785], [64, 31], [5, 1024], [2, 513]]) {
    for (const count of [1, 2, 3, 4, 5, 7, 8, 9, k]) {
      if (count > k) continue;
      // Rows around a large offset and gains from 1 down to 1e-30: a move in float32, or a sum in another
      // order, differs from the reference in the last bits.
      const w = selfOwnedZeros(k * d);
      assert.ok(residentOffset(h, w) >= 0, 'the rows live in the kernel memory');
      for (let i = 0; i < k * d; i++) w[i] = 100 + r.normal();
      const ref = w.slice();
      const x = Float32Array.from({ length: d + 5 }, () => 100 + r.normal());
      // Units in no particular order, none twice.
      const order = Int32Array.from({ length: k }, (_, i) => i);
      for (let i = k - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const units = order.slice(0, count);
      const gains = Float64Array.from({ length: count }, (_, i) => Math.exp(-(i % 70)) * r.uniform(0.3, 1.3));
      const moved = new Float64Array(count);
      const movedRef = new Float64Array(count);
      somUpdate(w, d, x, 5, units, gains, count, moved);
      somUpdateRef(ref, d, x, 5, units, gains, count, movedRef);
      assert.deepEqual(moved, movedRef, `moves k=${k} d=${d} count=${count}`);
      assert.deepEqual(w, ref, `weights k=${k} d=${d} count=${count}`);
      cases++;
    }
  }
  assert.equal(cases, 36);
});

test('somUpdate falls back to the reference for rows outside the kernel memory and on the TypeScript kernels', () => {
  for (const backend of wasm ? (['wasm', 'ts'] as const) : (['ts'] as const)) {
    setKernelBackend(backend);
    try {
      const r = new Rng(32);
      const w = Float32Array.from({ length: 64 * 40 }, () => r.normal());
      const ref = w.slice();
      const x = Float32Array.from({ length: 40 }, () => r.normal());
      const units = Int32Array.from({ length: 64 }, (_, i) => 63 - i);
      const gains = Float64Array.from({ length: 64 }, () => r.uniform(0, 1));
      const moved = new Float64Array(64);
      const movedRef = new Float64Array(64);
      somUpdate(w, 40, x, 0, units, gains, 64, moved);
      somUpdateRef(ref, 40, x, 0, units, gains, 64, movedRef);
      assert.deepEqual(w, ref, backend);
      assert.deepEqual(moved, movedRef, backend);
    } finally {
      setKernelBackend('auto');
    }
  }
});
