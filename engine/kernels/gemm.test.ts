import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { assertAllClose, randomArray } from '../testing/numeric.js';
import { gemm } from './gemm.js';
import { gemmRef } from './reference.js';
import { eachBackend } from './testkit.js';

function check(rng: Rng, m: number, n: number, k: number, tA: boolean, tB: boolean, alpha: number, beta: number): void {
  const a = randomArray(rng, m * k);
  const b = randomArray(rng, k * n);
  const c0 = randomArray(rng, m * n);
  const want = gemmRef(tA, tB, m, n, k, alpha, a, b, beta, new Float32Array(c0));
  // Place every matrix at an offset inside a bigger array to exercise the offsets.
  const pad = 3;
  const A = new Float32Array(pad + a.length);
  A.set(a, pad);
  const B = new Float32Array(pad + b.length + 5);
  B.set(b, pad);
  const C = new Float32Array(pad + c0.length + 2).fill(7);
  C.set(c0, pad);
  gemm(tA, tB, m, n, k, alpha, A, pad, B, pad, beta, C, pad);
  const label = `gemm m=${m} n=${n} k=${k} tA=${tA} tB=${tB} alpha=${alpha} beta=${beta}`;
  assertAllClose(C.subarray(pad, pad + m * n), want, { rtol: 1e-4, atol: 1e-4 * Math.sqrt(k) }, label);
  assert.equal(C[0], 7, `${label}: wrote before C`);
  assert.equal(C[pad + m * n], 7, `${label}: wrote past C`);
}

eachBackend('gemm matches the naive reference on random odd shapes, every transpose, alpha and beta', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 40; trial++) {
    const m = 1 + rng.int(23);
    const n = 1 + rng.int(23);
    const k = 1 + rng.int(23);
    const tA = rng.next() < 0.5;
    const tB = rng.next() < 0.5;
    const alpha = [1, -0.5, 2.25][rng.int(3)];
    const beta = [0, 1, 0.5][rng.int(3)];
    check(rng, m, n, k, tA, tB, alpha, beta);
  }
});

eachBackend('gemm crosses its cache blocks (m > 128, k > 256, n > 1024) correctly', () => {
  const rng = new Rng(12);
  check(rng, 131, 1031, 263, false, false, 1, 0);
  check(rng, 130, 9, 513, true, true, 1, 1);
  check(rng, 5, 1029, 7, false, true, 0.5, 0.25);
});

eachBackend('gemm with beta = 0 ignores NaN already in C; alpha = 0 only scales C', () => {
  const a = Float32Array.from([1, 2, 3, 4]);
  const b = Float32Array.from([5, 6, 7, 8]);
  const c = new Float32Array(4).fill(Number.NaN);
  gemm(false, false, 2, 2, 2, 1, a, 0, b, 0, 0, c, 0);
  assert.deepEqual(Array.from(c), [19, 22, 43, 50]);
  gemm(false, false, 2, 2, 2, 0, a, 0, b, 0, 2, c, 0);
  assert.deepEqual(Array.from(c), [38, 44, 86, 100]);
});

eachBackend('gemm with beta = 0 gives the bits of zeroing C and then adding every block, edges and deep k included', () => {
  const rng = new Rng(41);
  // k over the kernels' 512-deep blocks, m over their 128-row blocks, tiles cut at the edges, negative alpha.
  for (const [m, n, k, alpha] of [[130, 37, 600, 1], [5, 21, 1030, -1], [64, 256, 64, 1], [8, 16, 2, -1], [3, 9, 2, -0.5]] as const) {
    const a = Float32Array.from({ length: m * k }, () => rng.normal());
    const b = Float32Array.from({ length: k * n }, () => (rng.next() < 0.5 ? 0 : rng.normal())); // sums of exact zeros: -0 with alpha < 0
    const zeroed = new Float32Array(m * n);
    gemm(false, false, m, n, k, alpha, a, 0, b, 0, 1, zeroed, 0);
    const c = new Float32Array(m * n).fill(Number.NaN);
    gemm(false, false, m, n, k, alpha, a, 0, b, 0, 0, c, 0);
    assert.deepEqual(new Uint32Array(c.buffer), new Uint32Array(zeroed.buffer), `m=${m} n=${n} k=${k} alpha=${alpha}`);
  }
});

eachBackend('gemm hand case with both transposes', () => {
  // op(A) = A^T with A stored k x m = 2x3; op(B) = B^T with B stored n x k = 2x2 (a swap of columns).
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // k x m = 2x3
  const b = Float32Array.from([0, 1, 1, 0]); // B^T swaps the two columns of A^T
  const c = new Float32Array(6);
  gemm(true, true, 3, 2, 2, 1, a, 0, b, 0, 0, c, 0);
  assert.deepEqual(Array.from(c), [4, 1, 5, 2, 6, 3]);
});

eachBackend('gemm refuses bad sizes and short arrays with a reason', () => {
  const z = new Float32Array(4);
  assert.throws(() => gemm(false, false, 2, 2, 3, 1, z, 0, z, 0, 0, z, 0), /A needs 6 values/);
  assert.throws(() => gemm(false, false, -1, 2, 2, 1, z, 0, z, 0, 0, z, 0), /non-negative integers/);
  assert.throws(() => gemm(false, false, 2, 2, 2, 1, z, 1, z, 0, 0, z, 0), /from offset 1/);
});
