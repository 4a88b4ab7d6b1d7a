import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { randomArray } from '../testing/numeric.js';
import { leakyReluBackward, leakyReluForward, reluBackward, reluForward } from './activation.js';
import { wasmActive } from './backend.js';
import { arenaZeros } from './resident.js';
import { eachBackend } from './testkit.js';
import { setKernelThreads, wantedThreads } from './wasm/threads.js';

function close(got: number, want: number, label: string): void {
  assert.ok(Math.abs(got - want) <= 1e-6 * Math.abs(want), `${label}: got ${got}, want ${want}`);
}

// Sizes below and above the wasm threshold, with tails that are not a multiple of 4.
const SIZES = [5, 257, 1027];

eachBackend('relu and leaky relu forward/backward match their definitions elementwise', () => {
  const rng = new Rng(31);
  for (const n of SIZES) {
    const x = randomArray(rng, n);
    x[0] = 0; // the kink belongs to the negative side, as in the definition
    const dy = randomArray(rng, n);
    for (const alpha of [0, 0.2]) {
      const y = new Float32Array(n).fill(9);
      const dx = new Float32Array(n).fill(9);
      if (alpha === 0) {
        reluForward(x, y, n);
        reluBackward(x, dy, dx, n);
      } else {
        leakyReluForward(x, y, n, alpha);
        leakyReluBackward(x, dy, dx, n, alpha);
      }
      for (let i = 0; i < n; i++) {
        const wantY = x[i] > 0 ? x[i] : Math.fround(alpha * x[i]);
        const wantDx = x[i] > 0 ? dy[i] : Math.fround(alpha * dy[i]);
        // wasm multiplies by alpha rounded to float32, TypeScript in double: one rounding apart at most.
        close(y[i], alpha === 0 && x[i] <= 0 ? 0 : wantY, `y[${i}] n=${n} alpha=${alpha}`);
        close(dx[i], alpha === 0 && x[i] <= 0 ? 0 : wantDx, `dx[${i}] n=${n} alpha=${alpha}`);
      }
    }
  }
});

eachBackend('relu maps NaN inputs to 0 and writes only the first n values', () => {
  const n = 300;
  const x = new Float32Array(n + 2).fill(Number.NaN);
  const y = new Float32Array(n + 2).fill(7);
  reluForward(x, y, n);
  assert.equal(y[0], 0);
  assert.equal(y[n - 1], 0);
  assert.equal(y[n], 7, 'wrote past n');
});

test('relu and leaky relu split over two kernel threads give the one-thread values bit for bit', (t) => {
  if (!wasmActive()) return t.skip('the WebAssembly kernels do not load here');
  const before = wantedThreads();
  const rng = new Rng(32);
  try {
    for (const n of [40_001, 401_408]) {
      const x = randomArray(rng, n);
      const dy = randomArray(rng, n);
      for (const alpha of [0, 0.2]) {
        const run = (threads: number, resident: boolean) => {
          setKernelThreads(threads);
          const y = resident ? arenaZeros(n) : new Float32Array(n);
          const dx = resident ? arenaZeros(n) : new Float32Array(n);
          y.fill(9);
          dx.fill(9);
          if (alpha === 0) {
            reluForward(x, y, n);
            reluBackward(x, dy, dx, n);
          } else {
            leakyReluForward(x, y, n, alpha);
            leakyReluBackward(x, dy, dx, n, alpha);
          }
          return [Array.from(new Uint32Array(new Float32Array(y).buffer)), Array.from(new Uint32Array(new Float32Array(dx).buffer))];
        };
        const want = run(1, false);
        for (const resident of [false, true]) assert.deepEqual(run(2, resident), want, `n ${n} alpha ${alpha} resident ${resident}`);
      }
    }
  } finally {
    setKernelThreads(before);
  }
});
