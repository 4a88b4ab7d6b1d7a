/**
 * The kernels split over worker threads give bit-identical results to one thread (and to each other
 * for 2 and 3 threads), on shapes that cross the split and cache-block boundaries, and a DCGAN trained
 * for a few steps ends with the same weights bit for bit. Plus: the worker pool really runs (a thread
 * count above 1 is in use) and a bad thread count is refused.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Rng } from '../../core/rng.js';
import '../../layers/index.js';
import { Gan } from '../../models/gan.js';
import { dcganSpecs } from '../../models/gan-presets.js';
import { GanStepper } from '../../models/gan-step.js';
import { createOptimizer } from '../../optim/index.js';
import { randomArray } from '../../testing/numeric.js';
import { adamUpdate } from '../adam.js';
import { rowSqDistancesWasm } from '../distanceWasm.js';
import { selfOwnedZeros } from '../resident.js';
import { somUpdate, somUpdateRef } from '../somUpdate.js';
import { kernelBackend, setKernelBackend } from '../backend.js';
import { conv2dBackward, conv2dForward } from '../conv2d.js';
import { convTranspose2dBackward, convTranspose2dForward } from '../convTranspose2d.js';
import { gemm } from '../gemm.js';
import { maxPoolBackward, maxPoolForward } from '../maxPool.js';
import { colCols, colRows, squareWindow, transposedWindow, type WindowGeom } from '../geometry.js';
import { reserve, resetHeap, residentOffset, wasmHeap } from './runtime.js';
import { ContentionWatch, kernelThreads, runThreaded, setKernelThreads, threadsDisabledWhy, wantedThreads } from './threads.js';

const COUNTS = [1, 2, 3];
const before = kernelBackend();
setKernelBackend('wasm');
after(() => {
  setKernelThreads('auto');
  setKernelBackend(before);
});

/** Run f under each thread count; every output must equal the one-thread output bit for bit. */
function sameForEveryCount(label: string, f: () => Float32Array[]): void {
  let want: Float32Array[] | null = null;
  for (const t of COUNTS) {
    setKernelThreads(t);
    const got = f();
    if (!want) {
      want = got;
      continue;
    }
    got.forEach((a, i) => {
      const b = want![i];
      const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
      const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
      const at = ua.findIndex((v, j) => v !== ub[j]);
      assert.equal(at, -1, `${label}, output ${i}, ${t} threads: value ${at} is ${a[at]}, one thread gave ${b[at]}`);
    });
  }
}

test('the worker pool starts with the thread count asked for, and refuses a bad one', () => {
  const h = wasmHeap();
  assert.ok(h, 'wasm kernels load here');
  setKernelThreads(2);
  assert.equal(wantedThreads(), 2);
  assert.equal(kernelThreads(h), 2);
  assert.throws(() => setKernelThreads(0), /integer from 1 to 16/);
  assert.throws(() => setKernelThreads(1.5), /integer from 1 to 16/);
});

test("a worker's failure is an error with its reason, and later calls run on one thread", () => {
  const h = wasmHeap()!;
  setKernelThreads(2);
  assert.equal(kernelThreads(h), 2);
  resetHeap(h);
  const pa = reserve(h, 4);
  // C's first 8 columns end exactly at the end of memory: thread 0's share fits, thread 1's does not.
  const end = h.memory.buffer.byteLength;
  assert.throws(
    () => runThreaded(h, 2, 'gemm', [0, 0, 1, 16, 1, 1, pa, pa, 0, end - 32]),
    /worker thread 1 failed in gemm: .*out of bounds.*; running on one thread from now on/,
  );
  assert.match(threadsDisabledWhy(), /out of bounds/);
  assert.equal(kernelThreads(h), 1);
  setKernelThreads(2);
  assert.equal(threadsDisabledWhy(), '');
  assert.equal(kernelThreads(h), 2);
});

test('gemm split by columns or rows over threads equals one thread bit for bit', () => {
  const rng = new Rng(5);
  const shapes: [number, number, number][] = [
    [131, 1031, 263], // columns split, crosses every cache block
    [700, 40, 300], // rows split
    [64, 3136, 64],
    [9, 600, 700],
  ];
  for (const [m, n, k] of shapes) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const a = randomArray(rng, m * k);
      const b = randomArray(rng, k * n);
      const c0 = randomArray(rng, m * n);
      sameForEveryCount(`gemm ${m}x${n}x${k} tA=${tA} tB=${tB}`, () => {
        const c = new Float32Array(c0);
        gemm(tA, tB, m, n, k, 0.75, a, 0, b, 0, 0.5, c, 0);
        return [c];
      });
    }
  }
});

function convCase(rng: Rng, g: WindowGeom, n: number, filters: number) {
  const r = colRows(g);
  const p = colCols(g);
  return {
    x: randomArray(rng, n * g.channels * g.height * g.width),
    w: randomArray(rng, filters * r),
    bias: randomArray(rng, filters),
    dy: randomArray(rng, n * filters * p),
    dw0: randomArray(rng, filters * r),
    db0: randomArray(rng, filters),
    col: new Float32Array(r * p),
  };
}

test('conv2d forward and backward over threads equal one thread bit for bit', () => {
  const rng = new Rng(6);
  // (the DCGAN discriminator's second layer; a 3x3 'same' layer with an odd batch; a layer with one group;
  // LeNet-5's first layer, whose weight gradient runs direct)
  const cases: [WindowGeom, number, number][] = [
    [squareWindow(32, 14, 14, 4, 2, 'same'), 64, 64],
    [squareWindow(3, 11, 9, 3, 1, 'same'), 13, 8],
    [squareWindow(4, 40, 40, 5, 1, 'valid'), 3, 6],
    [squareWindow(1, 28, 28, 5, 1, 'same'), 64, 6],
  ];
  for (const [g, n, filters] of cases) {
    const c = convCase(rng, g, n, filters);
    const label = `conv2d ${g.channels}x${g.height}x${g.width} k${g.kernelH} s${g.strideH}, ${n} samples, ${filters} filters`;
    sameForEveryCount(`${label} forward`, () => {
      const y = new Float32Array(n * filters * colCols(g));
      conv2dForward(c.x, n, g, c.w, filters, c.bias, y, c.col);
      return [y];
    });
    sameForEveryCount(`${label} backward`, () => {
      const dx = new Float32Array(c.x.length);
      const dw = new Float32Array(c.dw0);
      const db = new Float32Array(c.db0);
      conv2dBackward(c.x, c.dy, n, g, c.w, filters, dx, dw, db, c.col);
      return [dx, dw, db];
    });
  }
});

test('transposed conv2d forward and backward over threads equal one thread bit for bit', () => {
  const rng = new Rng(7);
  // (the DCGAN generator's two layers: 64 -> 32 channels 7x7 -> 14x14, and 32 -> 1 channel 14x14 -> 28x28)
  const cases: [number, WindowGeom, number][] = [
    [64, transposedWindow(32, 7, 7, 4, 2, 'same'), 64],
    [32, transposedWindow(1, 14, 14, 4, 2, 'same'), 37],
  ];
  for (const [inChannels, g, n] of cases) {
    const p = colCols(g);
    const r = colRows(g);
    const x = randomArray(rng, n * inChannels * p);
    const w = randomArray(rng, inChannels * r);
    const bias = randomArray(rng, g.channels);
    const img = g.channels * g.height * g.width;
    const dy = randomArray(rng, n * img);
    const dw0 = randomArray(rng, inChannels * r);
    const db0 = randomArray(rng, g.channels);
    const col = new Float32Array(r * p);
    const label = `convTranspose2d ${inChannels} -> ${g.channels} channels, ${n} samples`;
    sameForEveryCount(`${label} forward`, () => {
      const y = new Float32Array(n * img);
      convTranspose2dForward(x, n, inChannels, g, w, bias, y, col);
      return [y];
    });
    sameForEveryCount(`${label} backward`, () => {
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(dw0);
      const db = new Float32Array(db0);
      convTranspose2dBackward(x, dy, n, inChannels, g, w, dx, dw, db, col);
      return [dx, dw, db];
    });
  }
});

test('max pooling forward and backward split by planes over threads equal one thread bit for bit', () => {
  const rng = new Rng(9);
  // LeNet-5's first pool at batch 64 (the vectorised 2x2 case); overlapping 3x3 stride-2 padded windows on
  // an odd number of planes, with many ties, so winners' gradients add up within a plane.
  const cases: [WindowGeom, number][] = [
    [squareWindow(6, 28, 28, 2, 2, 'valid'), 64],
    [squareWindow(5, 13, 13, 3, 2, 'same'), 37],
  ];
  for (const [g, n] of cases) {
    const x = new Float32Array(n * g.channels * g.height * g.width).map(() => rng.int(5) - 2);
    const outLen = n * g.channels * g.outH * g.outW;
    const dy = randomArray(rng, outLen);
    const label = `max pool ${g.channels}x${g.height}x${g.width} k${g.kernelH} s${g.strideH}, ${n} samples`;
    sameForEveryCount(label, () => {
      const y = new Float32Array(outLen);
      const argmax = new Int32Array(outLen);
      maxPoolForward(x, n, g, y, argmax);
      const dx = new Float32Array(x.length).fill(7); // overwritten
      maxPoolBackward(dy, argmax, outLen, dx, x.length, n * g.channels);
      return [y, new Float32Array(argmax.buffer), dx];
    });
  }
});

test('the Adam update split over threads equals one thread bit for bit', () => {
  const rng = new Rng(8);
  const n = 100_003; // not a multiple of 4: the scalar tail too
  const [w0, g, m0, v0] = [randomArray(rng, n), randomArray(rng, n), randomArray(rng, n), randomArray(rng, n).map(Math.abs)];
  sameForEveryCount('adam', () => {
    const [w, m, v] = [new Float32Array(w0), new Float32Array(m0), new Float32Array(v0)];
    for (let t = 1; t <= 2; t++) adamUpdate(w, g, m, v, undefined, { lr: 1e-3, l2: 1e-4, keep: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 1 / (1 - 0.9 ** t), c2: 1 / Math.sqrt(1 - 0.999 ** t) });
    return [w, m, v];
  });
});

test('one sample\'s distances to the prototypes, split by prototypes over threads, equal the definition bit for bit', () => {
  const h = wasmHeap()!;
  const rng = new Rng(9);
  // 403 and 85 prototypes: shares of whole groups of eight and a last share with the pair and single tails.
  for (const [k, d] of [[403, 200], [85, 785]]) {
    const c = randomArray(rng, k * d);
    const x = randomArray(rng, d + 3);
    const want = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const e = x[3 + t] - c[j * d + t];
        s += e * e;
      }
      want[j] = s;
    }
    sameForEveryCount(`rowSqDistances k=${k} d=${d}`, () => {
      const out = new Float64Array(k);
      rowSqDistancesWasm(h, x, 3, c, k, d, out);
      assert.deepEqual(out, want, `k=${k} d=${d} on ${kernelThreads(h)} threads`);
      return [new Float32Array(out.buffer)];
    });
  }
});

test('the SOM update split by units over threads equals the definition bit for bit', () => {
  const h = wasmHeap()!;
  const rng = new Rng(10);
  // 403 units (not a multiple of four: the last share has the single-unit tail), listed in a shuffled order.
  const [k, d] = [403, 100];
  const w0 = Float32Array.from(randomArray(rng, k * d), (v) => 10 + v);
  const x = Float32Array.from(randomArray(rng, d), (v) => 10 + v);
  const units = Int32Array.from({ length: k }, (_, i) => (i * 131) % k);
  const gains = Float64Array.from({ length: k }, (_, i) => Math.exp(-(i % 40)) * 0.7);
  const ref = w0.slice();
  const movedRef = new Float64Array(k);
  somUpdateRef(ref, d, x, 0, units, gains, k, movedRef);
  sameForEveryCount('somUpdate', () => {
    const w = selfOwnedZeros(k * d);
    assert.ok(residentOffset(h, w) >= 0, 'the rows live in the kernel memory');
    w.set(w0);
    const moved = new Float64Array(k);
    somUpdate(w, d, x, 0, units, gains, k, moved);
    assert.deepEqual(moved, movedRef, `moves on ${kernelThreads(h)} threads`);
    assert.deepEqual(w, ref, `weights on ${kernelThreads(h)} threads`);
    return [w, new Float32Array(moved.buffer)];
  });
});

test('a DCGAN trained 3 steps on 1, 2 and 3 threads ends with the same weights bit for bit', () => {
  sameForEveryCount('DCGAN weights after 3 steps', () => {
    const rng = new Rng(3);
    const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 16, width: 8 }), rng);
    const adam = () => createOptimizer({ type: 'adam', lr: 2e-4, beta1: 0.5 });
    const stepper = new GanStepper(gan, adam(), adam(), 32);
    const real = new Float32Array(32 * gan.sampleSize);
    for (let i = 0; i < real.length; i++) real[i] = rng.uniform(-1, 1);
    for (let s = 0; s < 3; s++) {
      const r = stepper.step((out) => (out.set(real), 32), rng);
      assert.equal(r.problem, null);
    }
    return [...gan.generator.params(), ...gan.discriminator.params()].map((q) => new Float32Array(q.value));
  });
});

test('the contention watch sends calls to the calling thread alone only while the workers finish far behind it', () => {
  const w = new ContentionWatch(25, 2000, 3);
  let now = 0;
  // Quiet: the workers finish a little after the calling thread (hand-over, uneven shares), and one
  // window now and then is far behind (another process ran briefly).
  for (let i = 0; i < 1000; i++) {
    now += 1.2;
    w.note(1, i % 100 === 50 ? 30 : 0.2, now);
  }
  assert.equal(w.solos, 0, 'single late windows do not count');
  assert.equal(w.solo(now), false);
  // Busy machine: the workers' shares take eight times as long as the calling thread's.
  for (let i = 0; i < 10; i++) {
    now += 9;
    w.note(1, 8, now);
  }
  assert.equal(w.solos, 1, 'two late windows in a row');
  assert.equal(w.solo(now + 1), true);
  assert.equal(w.solo(now + 1950), true);
  assert.equal(w.solo(now + 2001), false, 'threads tried again after soloMs');
  // Waits just under the ratio do not count.
  const edge = new ContentionWatch(25, 2000, 3);
  for (let i = 0; i < 100; i++) edge.note(1, 2.9, i * 3.9);
  assert.equal(edge.solos, 0);
});
