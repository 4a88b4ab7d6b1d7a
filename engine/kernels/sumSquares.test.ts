import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { setKernelBackend, wasmActive } from './backend.js';
import { onEachBackend } from '../testing/backends.js';
import { selfOwnedZeros } from './resident.js';
import { sumSquares, sumSquaresTs } from './sumSquares.js';
import { setKernelThreads, wantedThreads } from './wasm/threads.js';

/** The sum of squares to about 2^-100 (every square exact in double; Neumaier's compensated sum). */
function reference(x: Float32Array): number {
  let s = 0;
  let c = 0;
  for (const v of x) {
    const q = v * v;
    const t = s + q;
    c += Math.abs(s) >= q ? s - t + q : q - t + s;
    s = t;
  }
  return s + c;
}

/** Values over 40 orders of magnitude and both signs, so that every lane and chunk matters. */
function values(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? -1 : 1) * rng.next() * 10 ** Math.floor(rng.next() * 40 - 20));
}

const SIZES = [0, 1, 3, 4, 4095, 4096, 4097, 40_000, 100_003];

test('sum of squares: the plain loop and the kernels match a compensated reference (sizes around the 4,096-value chunks)', () => {
  const rng = new Rng(31);
  for (const n of SIZES) {
    const x = values(rng, n);
    const ref = reference(x);
    const tol = 4 * (n + 4) * 2 ** -53 * ref;
    assert.ok(Math.abs(sumSquaresTs(x) - ref) <= tol, `plain loop, n=${n}`);
    onEachBackend((backend) => {
      const got = sumSquares(x);
      assert.ok(Math.abs(got - ref) <= tol, `${backend}, n=${n}: ${got} against ${ref}`);
      if (backend === 'ts') assert.equal(got, sumSquaresTs(x));
    });
  }
});

test('sum of squares on the kernels: the same bits on 1 and 2 threads, resident or not; NaN and infinity come through', (t) => {
  setKernelBackend('wasm');
  const before = wantedThreads();
  try {
    if (!wasmActive()) return t.skip('no WebAssembly SIMD here');
    const rng = new Rng(32);
    for (const n of [4096, 40_000, 100_003, 300_000]) {
      const x = values(rng, n);
      const r = selfOwnedZeros(n);
      r.set(x);
      const got = [1, 2].flatMap((threads) => {
        setKernelThreads(threads);
        return [sumSquares(x), sumSquares(r)];
      });
      assert.ok(got.every((v) => Object.is(v, got[0])), `n=${n}: ${got.join(', ')}`);
      assert.ok(Math.abs(got[0] - reference(x)) <= 4 * (n + 4) * 2 ** -53 * reference(x), `n=${n}`);
    }
    setKernelThreads(2);
    const x = values(rng, 70_000);
    x[65_000] = Number.NaN;
    assert.ok(Number.isNaN(sumSquares(x)));
    x[65_000] = Number.POSITIVE_INFINITY;
    assert.equal(sumSquares(x), Number.POSITIVE_INFINITY);
    x[65_000] = 3.4e38; // its square is over float32's range, not double's
    assert.ok(Number.isFinite(sumSquares(x)) && sumSquares(x) > 1e77);
  } finally {
    setKernelThreads(before);
    setKernelBackend('auto');
  }
});
