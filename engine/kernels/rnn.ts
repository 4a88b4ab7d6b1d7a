/**
 * The simple (Elman) RNN's steps, forward and backward through time, for engine/layers/simpleRnn.ts.
 * Time-major: z, dZ and dH are [steps, batch, u], h [(steps + 1), batch, u] with block 0 the zero
 * initial state; wh is [u, u].
 *   forward, step t: z_t += h_(t-1) Wh (z overwritten); h_t = tanh(z_t)
 *   backward: dZ_t = (dH_t + carry)(1 - h_t²), carrying dh_(t-1) = dZ_t Wh^T.
 * With the WebAssembly backend every step runs in one kernel call, the batch's rows split over the kernel
 * threads, as the LSTM's
 * (kernels/lstm.ts: the same rational tanh on f32x4 lanes; rnn.test.ts checks it against the TypeScript
 * functions here, its reference).
 */
import { wasmActive } from './backend.js';
import { gemmTs } from './gemm.js';
import { recurrentThreads } from './lstm.js';
import { done, input, output } from './pointwiseWasm.js';
import { reserve, resetHeap, type WasmHeap } from './wasm/runtime.js';
import { runThreaded } from './wasm/threads.js';

function checkAll(steps: number, batch: number, units: number, arrays: [string, Float32Array, number][]): void {
  if (![steps, batch, units].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`rnn steps: steps, batch and units must be positive integers, got ${steps}, ${batch}, ${units}`);
  }
  for (const [what, a, need] of arrays) {
    if (a.length < need) throw new Error(`rnn steps: ${what} needs ${need} values, has ${a.length}`);
  }
}

/** Forward through every step: z (x Wx + b in, the whole pre-activation out) and h filled. */
export function rnnForward(z: Float32Array, wh: Float32Array, h: Float32Array, steps: number, batch: number, units: number): void {
  const n = batch * units;
  checkAll(steps, batch, units, [['z', z, steps * n], ['wh', wh, units * units], ['h', h, (steps + 1) * n]]);
  const w = wasmActive();
  if (w) return rnnForwardWasm(w, z, wh, h, steps, batch, units);
  rnnForwardTs(z, wh, h, steps, batch, units);
}

/** Backward through every step: dZ filled from dH and the states h. */
export function rnnBackward(h: Float32Array, dH: Float32Array, wh: Float32Array, dZ: Float32Array, steps: number, batch: number, units: number): void {
  const n = batch * units;
  checkAll(steps, batch, units, [['h', h, (steps + 1) * n], ['dH', dH, steps * n], ['wh', wh, units * units], ['dZ', dZ, steps * n]]);
  const w = wasmActive();
  if (w) return rnnBackwardWasm(w, h, dH, wh, dZ, steps, batch, units);
  rnnBackwardTs(h, dH, wh, dZ, steps, batch, units);
}

export function rnnForwardTs(z: Float32Array, wh: Float32Array, h: Float32Array, steps: number, batch: number, units: number): void {
  const n = batch * units;
  h.fill(0, 0, n);
  for (let t = 0; t < steps; t++) {
    gemmTs(false, false, batch, units, units, 1, h, t * n, wh, 0, 1, z, t * n);
    for (let i = 0; i < n; i++) h[(t + 1) * n + i] = Math.tanh(z[t * n + i]);
  }
}

export function rnnBackwardTs(h: Float32Array, dH: Float32Array, wh: Float32Array, dZ: Float32Array, steps: number, batch: number, units: number): void {
  const n = batch * units;
  const carry = new Float32Array(n);
  for (let t = steps - 1; t >= 0; t--) {
    const o = t * n;
    for (let i = 0; i < n; i++) {
      const y = h[o + n + i];
      dZ[o + i] = (dH[o + i] + carry[i]) * (1 - y * y);
    }
    gemmTs(false, true, batch, units, units, 1, dZ, o, wh, 0, 0, carry, 0);
  }
}

function rnnForwardWasm(w: WasmHeap, z: Float32Array, wh: Float32Array, h: Float32Array, steps: number, batch: number, units: number): void {
  const n = batch * units;
  resetHeap(w);
  const pw = input(w, wh, units * units);
  const pz = input(w, z, steps * n); // read and overwritten
  const ph = output(w, h, (steps + 1) * n);
  runThreaded(w, recurrentThreads(w, steps, batch, units, 1), 'rnnForward', [pz, pw, ph, steps, batch, units]);
  done(w, pz, z, steps * n);
  done(w, ph, h, (steps + 1) * n);
}

function rnnBackwardWasm(w: WasmHeap, h: Float32Array, dH: Float32Array, wh: Float32Array, dZ: Float32Array, steps: number, batch: number, units: number): void {
  const n = batch * units;
  resetHeap(w);
  const pw = input(w, wh, units * units);
  const ph = input(w, h, (steps + 1) * n);
  const pd = input(w, dH, steps * n);
  const pz = output(w, dZ, steps * n);
  const pc = reserve(w, n);
  runThreaded(w, recurrentThreads(w, steps, batch, units, 1), 'rnnBackward', [ph, pd, pw, pz, pc, steps, batch, units]);
  done(w, pz, dZ, steps * n);
}
