import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { assertAllClose, randomArray } from '../testing/numeric.js';
import { setKernelBackend, wasmActive } from './backend.js';
import { gruBackward, gruBackwardTs, gruForward, gruForwardTs } from './gru.js';
import { lstmBackward, lstmBackwardTs, lstmForward, lstmForwardTs, recurrentThreads } from './lstm.js';
import { rnnBackward, rnnBackwardTs, rnnForward, rnnForwardTs } from './rnn.js';
import { setKernelThreads, wantedThreads } from './wasm/threads.js';

/**
 * The recurrent kernels split the batch's rows over the kernel threads (each thread runs every step of its
 * rows): on two threads every output must be the same bits as on one, and still match the TypeScript
 * reference. Batches that are not multiples of 4 (the row groups) and odd unit counts, large enough to split.
 */
const SHAPES = [
  [40, 13, 41],
  [10, 30, 48],
  [25, 9, 64],
] as const;

type Run = (threads: number) => Float32Array[];

function onThreads(t: { skip: (why: string) => void }, kind: string, gates: number, make: (steps: number, batch: number, units: number, rng: Rng) => { wasm: Run; ts: () => Float32Array[] }): void {
  setKernelBackend('wasm');
  const before = wantedThreads();
  try {
    if (!wasmActive()) return t.skip('no WebAssembly SIMD here');
    for (const [steps, batch, units] of SHAPES) {
      const label = `${kind} steps=${steps} batch=${batch} units=${units}`;
      setKernelThreads(2);
      assert.equal(recurrentThreads(wasmActive()!, steps, batch, units, gates), 2, `${label}: split`);
      const { wasm, ts } = make(steps, batch, units, new Rng(steps * 1000 + batch));
      const one = wasm(1);
      const two = wasm(2);
      const ref = ts();
      one.forEach((a, i) => {
        assert.ok(a.every((v, q) => Object.is(v, two[i][q])), `${label}: output ${i} differs between 1 and 2 threads`);
        assertAllClose(two[i], ref[i], { rtol: 1e-4, atol: 1e-5 }, `${label}: output ${i} against the reference`);
      });
    }
  } finally {
    setKernelThreads(before);
    setKernelBackend('auto');
  }
}

/** Pre-activations over [-9, 9], some near 0. */
function preActivations(rng: Rng, len: number): Float32Array {
  const z = randomArray(rng, len, -9, 9);
  for (let i = 0; i < z.length; i += 11) z[i] *= 1e-4;
  return z;
}

test('LSTM steps split over two threads give the same bits as one, and match the reference', (t) => {
  onThreads(t, 'lstm', 4, (steps, batch, units, rng) => {
    const n = batch * units;
    const z0 = preActivations(rng, steps * 4 * n);
    const wh = randomArray(rng, 4 * units * units, -0.5, 0.5);
    const dH = randomArray(rng, steps * n);
    const wasm = (threads: number) => {
      setKernelThreads(threads);
      const z = new Float32Array(z0);
      const [h, c] = [0, 1].map(() => new Float32Array((steps + 1) * n).fill(NaN));
      lstmForward(z, wh, h, c, steps, batch, units);
      const dZ = new Float32Array(steps * 4 * n).fill(NaN);
      lstmBackward(z, c, dH, wh, dZ, steps, batch, units);
      return [z, h, c, dZ];
    };
    const ts = () => {
      const z = new Float32Array(z0);
      const [h, c] = [0, 1].map(() => new Float32Array((steps + 1) * n));
      lstmForwardTs(z, wh, h, c, steps, batch, units);
      const dZ = new Float32Array(steps * 4 * n);
      lstmBackwardTs(z, c, dH, wh, dZ, steps, batch, units);
      return [z, h, c, dZ];
    };
    return { wasm, ts };
  });
});

test('GRU steps split over two threads give the same bits as one (the recurrent bias gradient too), and match the reference', (t) => {
  onThreads(t, 'gru', 3, (steps, batch, units, rng) => {
    const n = batch * units;
    const z0 = preActivations(rng, steps * 3 * n);
    const wh = randomArray(rng, 3 * units * units, -0.5, 0.5);
    const bh = randomArray(rng, units, -1, 1);
    const dH = randomArray(rng, steps * n);
    const dbh0 = randomArray(rng, units);
    const run = (fwd: typeof gruForward, bwd: typeof gruBackward) => {
      const z = new Float32Array(z0);
      const h = new Float32Array((steps + 1) * n).fill(NaN);
      const hn = new Float32Array(steps * n).fill(NaN);
      fwd(z, wh, bh, h, hn, steps, batch, units);
      const [dZ, dR] = [0, 1].map(() => new Float32Array(steps * 3 * n).fill(NaN));
      const dbh = new Float32Array(dbh0);
      bwd(z, hn, h, dH, wh, dZ, dR, dbh, steps, batch, units);
      return [z, h, hn, dZ, dR, dbh];
    };
    const wasm = (threads: number) => {
      setKernelThreads(threads);
      return run(gruForward, gruBackward);
    };
    return { wasm, ts: () => run(gruForwardTs, gruBackwardTs) };
  });
});

test('simple RNN steps split over two threads give the same bits as one, and match the reference', (t) => {
  onThreads(t, 'rnn', 1, (steps, batch, units, rng) => {
    const n = batch * units;
    const z0 = preActivations(rng, steps * n);
    const wh = randomArray(rng, units * units, -0.5, 0.5);
    const dH = randomArray(rng, steps * n);
    const run = (fwd: typeof rnnForward, bwd: typeof rnnBackward) => {
      const z = new Float32Array(z0);
      const h = new Float32Array((steps + 1) * n).fill(NaN);
      fwd(z, wh, h, steps, batch, units);
      const dZ = new Float32Array(steps * n).fill(NaN);
      bwd(h, dH, wh, dZ, steps, batch, units);
      return [z, h, dZ];
    };
    const wasm = (threads: number) => {
      setKernelThreads(threads);
      return run(rnnForward, rnnBackward);
    };
    return { wasm, ts: () => run(rnnForwardTs, rnnBackwardTs) };
  });
});
