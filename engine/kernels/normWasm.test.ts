/**
 * Batch normalization and tanh in WebAssembly (normWasm.ts) against the TypeScript they replace, bit
 * for bit: the kernels' double statistics and sums against layers/batchNorm.ts's own plane sums, the
 * layer's outputs, gradients and running statistics on both backends, on one and two threads, resident
 * and copied operands; tanh against Math.fround(Math.tanh(x)) over a sweep of float32 values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Arena } from '../core/arena.js';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { planeDot, planeSquares, planeSum } from '../layers/batchNorm.js';
import '../layers/index.js';
import { buildLayer, type Layer } from '../layers/layer.js';
import { kernelBackend, setKernelBackend, wasmActive } from './backend.js';
import { batchNormBackwardWasm, batchNormForwardWasm, tanhBackwardWasm, tanhForwardWasm } from './normWasm.js';
import { arenaZeros } from './resident.js';
import { setKernelThreads, wantedThreads } from './wasm/threads.js';

const bits = (a: Float32Array | Float64Array) => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];

/**
 * Values over twelve decades (further apart than a double's 53 bits hold of a float32's 24: the order of
 * the double sums shows in their rounding), mostly positive when offset > 0.
 */
function spread(rng: Rng, n: number, offset: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (offset + rng.uniform(-1, 1)) * 10 ** Math.floor(rng.uniform(-8, 4));
  return a;
}

/** Values close to a large offset: x - mean cancels, so the last bit of a double mean shows in float32. */
function near(rng: Rng, n: number, offset: number, noise: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = offset + rng.uniform(-1, 1) * noise;
  return a;
}

/** Thread counts to try: one, and two when worker threads can run here. */
function withThreads(fn: (threads: number) => void): void {
  const before = wantedThreads();
  try {
    for (const t of [1, 2]) {
      setKernelThreads(t);
      fn(t);
    }
  } finally {
    setKernelThreads(before);
  }
}

// [n, channels, plane]: features (plane 1), planes that are no multiple of 4 (7x7, 5x5) and the DCGAN's
// 14x14 at batch 64 (large enough to split over the threads).
const SHAPES = [[300, 5, 1], [11, 3, 49], [9, 6, 25], [64, 8, 196], [3, 2, 50]];

test('batchNorm kernels: statistics, sums and outputs equal the TypeScript definition bit for bit', (t) => {
  const h = wasmActive();
  if (!h) return t.skip('the WebAssembly kernels do not load here');
  const rng = new Rng(3);
  for (const [[n, C, P], kind] of SHAPES.flatMap((s) => [[s, 'spread'], [s, 'near']] as const)) {
    const len = n * C * P;
    const x = kind === 'spread' ? spread(rng, len, 0.5) : near(rng, len, 1000, 0.01);
    const dy = kind === 'spread' ? spread(rng, len, -0.25) : near(rng, len, -300, 0.001);
    const gamma = spread(rng, C, 1);
    const beta = spread(rng, C, 0);
    const m = n * P;
    const eps = 1e-5;
    // The definition: layers/batchNorm.ts's loops, per channel.
    const want = new Float64Array(3 * C);
    const wantY = new Float32Array(len), wantH = new Float32Array(len), wantDx = new Float32Array(len);
    const wantSums = new Float64Array(2 * C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += planeSum(x, (i * C + c) * P, P);
      const mean = s / m;
      let q = 0;
      for (let i = 0; i < n; i++) q += planeSquares(x, (i * C + c) * P, P, mean);
      const inv = 1 / Math.sqrt(q / m + eps);
      want[c] = mean;
      want[C + c] = q / m;
      want[2 * C + c] = inv;
      for (let i = 0; i < n; i++)
        for (let p = (i * C + c) * P, e = p + P; p < e; p++) {
          const v = (x[p] - mean) * inv;
          wantH[p] = v;
          wantY[p] = gamma[c] * v + beta[c];
        }
      let sd = 0, sx = 0;
      for (let i = 0; i < n; i++) {
        sd += planeSum(dy, (i * C + c) * P, P);
        sx += planeDot(dy, wantH, (i * C + c) * P, P);
      }
      wantSums[c] = sd;
      wantSums[C + c] = sx;
      const k = gamma[c] * inv;
      for (let i = 0; i < n; i++)
        for (let p = (i * C + c) * P, e = p + P; p < e; p++) wantDx[p] = k * (dy[p] - sd / m - wantH[p] * (sx / m));
    }
    withThreads((threads) => {
      for (const resident of [false, true]) {
        const what = `[${n}, ${C}, ${P}] ${kind} on ${threads} thread(s), ${resident ? 'resident' : 'copied'}`;
        const make = (src?: Float32Array) => {
          const a = resident ? arenaZeros(len) : new Float32Array(len);
          if (src) a.set(src);
          return a;
        };
        const y = make(), xhat = make(), dx = make();
        const stats = new Float64Array(3 * C);
        batchNormForwardWasm(h, make(x), y, xhat, n, C, P, stats, gamma, beta, eps, true);
        assert.deepEqual(bits(stats), bits(want), `forward statistics ${what}`);
        assert.deepEqual(bits(xhat), bits(wantH), `xhat ${what}`);
        assert.deepEqual(bits(y), bits(wantY), `y ${what}`);
        const sums = new Float64Array(2 * C);
        batchNormBackwardWasm(h, make(dy), xhat, dx, n, C, P, want.subarray(2 * C), gamma, sums, true);
        assert.deepEqual(bits(sums), bits(wantSums), `backward sums ${what}`);
        assert.deepEqual(bits(dx), bits(wantDx), `dx ${what}`);
      }
    });
  }
});

/** Two steps of training and one of inference through a batchNorm layer; everything it yields. */
function runLayer(backend: 'ts' | 'wasm', arena: boolean, n: number, C: number, P: number): Float32Array[] {
  const before = kernelBackend();
  setKernelBackend(backend);
  try {
    const shape = P === 1 ? [C] : [C, P / 7, 7];
    const rng = new Rng(11);
    const bn: Layer = buildLayer({ type: 'batchNorm', momentum: 0.8, epsilon: 1e-3 }, shape, rng);
    const [gamma, beta] = bn.params();
    gamma.value.set(spread(rng, C, 1));
    beta.value.set(spread(rng, C, 0));
    const out: Float32Array[] = [];
    const a = arena ? new Arena(arenaZeros) : undefined;
    for (let step = 0; step < 3; step++) {
      a?.reset();
      const training = step < 2;
      const x = tensor([n, ...shape], spread(rng, n * C * P, step));
      const { y, cache } = bn.forward(x, { training, rng, arena: a });
      const dx = bn.backward(cache, tensor(y.shape, spread(rng, y.data.length, 0.5)), true, a);
      out.push(new Float32Array(y.data), new Float32Array(dx.data), new Float32Array((cache as { invStd: Float64Array }).invStd.buffer));
    }
    for (const p of [...bn.params(), ...bn.buffers()]) out.push(new Float32Array(p.value));
    for (const p of bn.params()) out.push(new Float32Array(p.grad));
    return out;
  } finally {
    setKernelBackend(before);
  }
}

test('batchNorm layer: the same outputs, gradients and running statistics on both backends', (t) => {
  if (!wasmActive()) return t.skip('the WebAssembly kernels do not load here');
  for (const [n, C, P] of [[300, 5, 1], [32, 8, 49], [16, 4, 196]]) {
    const want = runLayer('ts', false, n, C, P);
    withThreads((threads) => {
      for (const arena of [false, true]) {
        const got = runLayer('wasm', arena, n, C, P);
        assert.equal(got.length, want.length);
        for (let i = 0; i < want.length; i++) assert.deepEqual(bits(got[i]), bits(want[i]), `[${n}, ${C}, ${P}] item ${i}, ${threads} thread(s), arena ${arena}`);
      }
    });
  }
});

test('tanh in WebAssembly equals Math.fround(Math.tanh(x)) over a sweep of float32 values', (t) => {
  const h = wasmActive();
  if (!h) return t.skip('the WebAssembly kernels do not load here');
  // Every 61st float32 from 0 to past 22 (where tanh saturates in double), both signs, and the edges.
  const top = new Uint32Array(new Float32Array([23]).buffer)[0];
  const count = Math.floor(top / 61);
  const x = arenaZeros(2 * count + 16);
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < count; i++) {
    u[2 * i] = i * 61;
    u[2 * i + 1] = (i * 61) | 0x80000000;
  }
  x.set([0, -0, 1, -1, 22, -22, 0.5493061542510986, 0.25541281700134277, 2 ** -28, 1e-40, 88, Infinity, -Infinity, NaN, 3.4e38, -3.4e38], 2 * count);
  const y = arenaZeros(x.length);
  withThreads(() => {
    y.fill(7);
    tanhForwardWasm(h, x, y, x.length);
    let diffs = 0;
    let first = '';
    for (let i = 0; i < x.length; i++) {
      const w = Math.fround(Math.tanh(x[i]));
      if (!(Object.is(w, y[i]) || (Number.isNaN(w) && Number.isNaN(y[i])))) {
        if (diffs++ === 0) first = `tanh(${x[i]}) = ${y[i]}, Math.tanh gives ${w}`;
      }
    }
    assert.equal(diffs, 0, `${diffs} of ${x.length} values differ; first ${first}`);
  });
});

test('tanh backward in WebAssembly equals dy * (1 - y * y) in double, rounded once', (t) => {
  const h = wasmActive();
  if (!h) return t.skip('the WebAssembly kernels do not load here');
  const rng = new Rng(5);
  for (const n of [1001, 50_176]) {
    const y = new Float32Array(n).map(() => Math.tanh(rng.uniform(-4, 4)));
    const dy = spread(rng, n, 0);
    const want = new Float32Array(n);
    for (let i = 0; i < n; i++) want[i] = dy[i] * (1 - y[i] * y[i]);
    withThreads((threads) => {
      for (const resident of [false, true]) {
        const dx = resident ? arenaZeros(n) : new Float32Array(n);
        tanhBackwardWasm(h, y, dy, dx, n);
        assert.deepEqual(bits(dx), bits(want), `n ${n}, ${threads} thread(s), resident ${resident}`);
      }
    });
  }
});
