import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../core/rng.js';
import { assertAllClose, randomArray } from '../../testing/numeric.js';
import { gemmRef } from '../reference.js';
import { instantiateBuild, put, reserve, resetHeap, take, wasmHeap, type WasmBuild } from './runtime.js';

test('the kernels load, and the preferred build is reported', () => {
  const h = wasmHeap();
  assert.ok(h, 'WebAssembly SIMD kernels should load under Node 20+');
  assert.ok(h.build === 'relaxed-simd' || h.build === 'simd');
});

for (const build of ['simd', 'relaxed-simd'] as WasmBuild[]) {
  test(`the ${build} build's GEMM matches the reference, growing memory on the way`, (t) => {
    let h;
    try {
      h = instantiateBuild(build);
    } catch (e) {
      t.skip(`${build} unavailable here: ${(e as Error).message}`);
      return;
    }
    const rng = new Rng(51);
    for (const [m, n, k] of [[7, 9, 5], [33, 70, 300], [200, 300, 40]]) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = randomArray(rng, m * k);
        const b = randomArray(rng, k * n);
        const c = randomArray(rng, m * n);
        const want = gemmRef(tA, tB, m, n, k, 0.5, a, b, 2, new Float32Array(c));
        resetHeap(h);
        const pa = reserve(h, m * k);
        const pb = reserve(h, k * n);
        const pc = reserve(h, m * n);
        put(h, pa, a, 0, a.length);
        put(h, pb, b, 0, b.length);
        put(h, pc, c, 0, c.length);
        h.fn.gemm(tA ? 1 : 0, tB ? 1 : 0, m, n, k, 0.5, pa, pb, 2, pc, 0, 1);
        const got = new Float32Array(m * n);
        take(h, pc, got, 0, got.length);
        assertAllClose(got, want, { rtol: 1e-4, atol: 1e-4 * Math.sqrt(k) }, `${build} m=${m} n=${n} k=${k} tA=${tA} tB=${tB}`);
      }
    }
  });
}
