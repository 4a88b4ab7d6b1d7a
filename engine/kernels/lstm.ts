/**
 * The LSTM's steps, forward and backward through time, for engine/layers/lstm.ts (PyTorch's gate order
 * i, f, g, o). Time-major: z and dZ are [steps, batch, 4u], h and c [(steps + 1), batch, u] with block 0
 * the zero initial state, dH [steps, batch, u]; wh is [u, 4u].
 *   forward, step t: z_t += h_(t-1) Wh; i, f, o = σ(z_t), g = tanh(z_t) (written over z_t);
 *                    c_t = f c_(t-1) + i g; h_t = o tanh(c_t)
 *   backward: dZ from dH and the activations, carrying dh_(t-1) = dZ_t Wh^T and dc_(t-1) = dc_t f.
 * With the WebAssembly backend every step runs in one kernel call (one copy in and out per pass instead
 * of per step, the nonlinearities on f32x4 lanes as a rational tanh, error below 1e-6: lstm.test.ts),
 * the batch's rows split over the kernel threads (recurrentThreads); the TypeScript functions here are
 * the reference it is tested against.
 */
import { wasmActive } from './backend.js';
import { gemmTs } from './gemm.js';
import { done, input, output } from './pointwiseWasm.js';
import { reserve, resetHeap, type WasmHeap } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/** Multiply-adds of the recurrent products (all steps) from which the batch is split over the threads. */
const MIN_SPLIT_MACS = 1 << 19;

/**
 * Threads for the recurrent kernels (LSTM, GRU, simple RNN): each thread runs every step of its own batch
 * rows (groups of 4), with no hand-over between steps, so a batch of 8 or more rows with enough work is
 * split. Each row's values are the same on any thread count.
 */
export function recurrentThreads(w: WasmHeap, steps: number, batch: number, units: number, gates: number): number {
  return batch >= 8 && steps * batch * units * units * gates >= MIN_SPLIT_MACS ? kernelThreads(w) : 1;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function check(what: string, a: Float32Array, need: number): void {
  if (a.length < need) throw new Error(`lstm steps: ${what} needs ${need} values, has ${a.length}`);
}

function checkAll(steps: number, batch: number, units: number, arrays: [string, Float32Array, number][]): void {
  if (![steps, batch, units].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`lstm steps: steps, batch and units must be positive integers, got ${steps}, ${batch}, ${units}`);
  }
  for (const [what, a, need] of arrays) check(what, a, need);
}

/** Forward through every step: z (pre-activations in, activations out), h and c filled. */
export function lstmForward(z: Float32Array, wh: Float32Array, h: Float32Array, c: Float32Array, steps: number, batch: number, units: number): void {
  const n = batch * units;
  checkAll(steps, batch, units, [['z', z, steps * 4 * n], ['wh', wh, 4 * units * units], ['h', h, (steps + 1) * n], ['c', c, (steps + 1) * n]]);
  const w = wasmActive();
  if (w) return lstmForwardWasm(w, z, wh, h, c, steps, batch, units);
  lstmForwardTs(z, wh, h, c, steps, batch, units);
}

/** Backward through every step: dZ filled from dH, the activations (forward's z) and c. */
export function lstmBackward(
  act: Float32Array, c: Float32Array, dH: Float32Array, wh: Float32Array, dZ: Float32Array, steps: number, batch: number, units: number,
): void {
  const n = batch * units;
  checkAll(steps, batch, units, [['act', act, steps * 4 * n], ['c', c, (steps + 1) * n], ['dH', dH, steps * n], ['wh', wh, 4 * units * units], ['dZ', dZ, steps * 4 * n]]);
  const w = wasmActive();
  if (w) return lstmBackwardWasm(w, act, c, dH, wh, dZ, steps, batch, units);
  lstmBackwardTs(act, c, dH, wh, dZ, steps, batch, units);
}

export function lstmForwardTs(z: Float32Array, wh: Float32Array, h: Float32Array, c: Float32Array, steps: number, batch: number, units: number): void {
  const U = units;
  const n = batch * U;
  const g4 = 4 * U;
  h.fill(0, 0, n);
  c.fill(0, 0, n);
  for (let t = 0; t < steps; t++) {
    gemmTs(false, false, batch, g4, U, 1, h, t * n, wh, 0, 1, z, t * batch * g4);
    for (let b = 0; b < batch; b++) {
      const a = (t * batch + b) * g4;
      const prev = t * n + b * U;
      const cur = prev + n;
      for (let j = 0; j < U; j++) {
        const i = sigmoid(z[a + j]);
        const f = sigmoid(z[a + U + j]);
        const g = Math.tanh(z[a + 2 * U + j]);
        const o = sigmoid(z[a + 3 * U + j]);
        z[a + j] = i;
        z[a + U + j] = f;
        z[a + 2 * U + j] = g;
        z[a + 3 * U + j] = o;
        const cv = f * c[prev + j] + i * g;
        c[cur + j] = cv;
        h[cur + j] = o * Math.tanh(cv);
      }
    }
  }
}

export function lstmBackwardTs(
  act: Float32Array, c: Float32Array, dH: Float32Array, wh: Float32Array, dZ: Float32Array, steps: number, batch: number, units: number,
): void {
  const U = units;
  const n = batch * U;
  const g4 = 4 * U;
  const carryH = new Float32Array(n);
  const carryC = new Float32Array(n);
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const a = (t * batch + b) * g4;
      const prev = t * n + b * U;
      const cur = prev + n;
      for (let j = 0; j < U; j++) {
        const k = b * U + j;
        const dh = dH[t * n + k] + carryH[k];
        const i = act[a + j];
        const f = act[a + U + j];
        const g = act[a + 2 * U + j];
        const o = act[a + 3 * U + j];
        const tc = Math.tanh(c[cur + j]);
        const dc = carryC[k] + dh * o * (1 - tc * tc);
        dZ[a + j] = dc * g * i * (1 - i);
        dZ[a + U + j] = dc * c[prev + j] * f * (1 - f);
        dZ[a + 2 * U + j] = dc * i * (1 - g * g);
        dZ[a + 3 * U + j] = dh * tc * o * (1 - o);
        carryC[k] = dc * f;
      }
    }
    gemmTs(false, true, batch, U, g4, 1, dZ, t * batch * g4, wh, 0, 0, carryH, 0);
  }
}

function lstmForwardWasm(w: WasmHeap, z: Float32Array, wh: Float32Array, h: Float32Array, c: Float32Array, steps: number, batch: number, units: number): void {
  const zLen = steps * batch * 4 * units;
  const sLen = (steps + 1) * batch * units;
  resetHeap(w);
  const pw = input(w, wh, 4 * units * units);
  // z is read and overwritten, h and c written: in place when resident (an arena's arrays)
  const pz = input(w, z, zLen);
  const ph = output(w, h, sLen);
  const pc = output(w, c, sLen);
  runThreaded(w, recurrentThreads(w, steps, batch, units, 4), 'lstmForward', [pz, pw, ph, pc, steps, batch, units]);
  done(w, pz, z, zLen);
  done(w, ph, h, sLen);
  done(w, pc, c, sLen);
}

function lstmBackwardWasm(
  w: WasmHeap, act: Float32Array, c: Float32Array, dH: Float32Array, wh: Float32Array, dZ: Float32Array, steps: number, batch: number, units: number,
): void {
  const n = batch * units;
  const zLen = steps * 4 * n;
  resetHeap(w);
  const pw = input(w, wh, 4 * units * units);
  const pa = input(w, act, zLen);
  const pc = input(w, c, (steps + 1) * n);
  const pd = input(w, dH, steps * n);
  const pz = output(w, dZ, zLen);
  const ph = reserve(w, n);
  const pcc = reserve(w, n);
  runThreaded(w, recurrentThreads(w, steps, batch, units, 4), 'lstmBackward', [pa, pc, pd, pw, pz, ph, pcc, steps, batch, units]);
  done(w, pz, dZ, zLen);
}
