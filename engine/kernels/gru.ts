/**
 * The GRU's steps, forward and backward through time, for engine/layers/gru.ts (PyTorch's form and gate
 * order r, z, n: the reset gate scales the recurrent part of the new gate after its projection).
 * Time-major: z, dZ and dR are [steps, batch, 3u], hn and dH [steps, batch, u], h [(steps + 1), batch, u]
 * with block 0 the zero initial state; wh is [u, 3u], bh [u] (the recurrent bias inside the reset product).
 *   forward, step t: R = h_(t-1) Wh; r = σ(z_r + R_r), u = σ(z_z + R_z), hn_t = R_n + bh,
 *                    n = tanh(z_n + r hn_t) (r, u, n written over z_t); h_t = (1 - u) n + u h_(t-1)
 *   backward: dZ and dR from dH and the activations (dR_n = dZ_n r, the rest equal), dbh += dR_n,
 *             carrying dh_(t-1) = dh u + dR_t Wh^T.
 * With the WebAssembly backend every step runs in one kernel call, the batch's rows split over the kernel
 * threads, as the LSTM's
 * (kernels/lstm.ts: the same rational tanh and σ on f32x4 lanes; gru.test.ts checks it against the
 * TypeScript functions here, its reference).
 */
import { wasmActive } from './backend.js';
import { gemmTs } from './gemm.js';
import { recurrentThreads } from './lstm.js';
import { done, input, output } from './pointwiseWasm.js';
import { reserve, resetHeap, type WasmHeap } from './wasm/runtime.js';
import { runThreaded } from './wasm/threads.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function checkAll(steps: number, batch: number, units: number, arrays: [string, Float32Array, number][]): void {
  if (![steps, batch, units].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`gru steps: steps, batch and units must be positive integers, got ${steps}, ${batch}, ${units}`);
  }
  for (const [what, a, need] of arrays) {
    if (a.length < need) throw new Error(`gru steps: ${what} needs ${need} values, has ${a.length}`);
  }
}

/** Forward through every step: z (pre-activations x Wx + b in, gate activations out), h and hn filled. */
export function gruForward(
  z: Float32Array, wh: Float32Array, bh: Float32Array, h: Float32Array, hn: Float32Array, steps: number, batch: number, units: number,
): void {
  const n = batch * units;
  checkAll(steps, batch, units, [['z', z, steps * 3 * n], ['wh', wh, 3 * units * units], ['bh', bh, units], ['h', h, (steps + 1) * n], ['hn', hn, steps * n]]);
  const w = wasmActive();
  if (w) return gruForwardWasm(w, z, wh, bh, h, hn, steps, batch, units);
  gruForwardTs(z, wh, bh, h, hn, steps, batch, units);
}

/** Backward through every step: dZ and dR filled from dH, the activations (forward's z), hn and h; dbh added into. */
export function gruBackward(
  act: Float32Array, hn: Float32Array, h: Float32Array, dH: Float32Array, wh: Float32Array,
  dZ: Float32Array, dR: Float32Array, dbh: Float32Array, steps: number, batch: number, units: number,
): void {
  const n = batch * units;
  const zLen = steps * 3 * n;
  checkAll(steps, batch, units, [
    ['act', act, zLen], ['hn', hn, steps * n], ['h', h, (steps + 1) * n], ['dH', dH, steps * n], ['wh', wh, 3 * units * units],
    ['dZ', dZ, zLen], ['dR', dR, zLen], ['dbh', dbh, units],
  ]);
  if (dZ === dR) throw new Error('gru steps: dZ and dR must be distinct arrays');
  const w = wasmActive();
  if (w) return gruBackwardWasm(w, act, hn, h, dH, wh, dZ, dR, dbh, steps, batch, units);
  gruBackwardTs(act, hn, h, dH, wh, dZ, dR, dbh, steps, batch, units);
}

export function gruForwardTs(
  z: Float32Array, wh: Float32Array, bh: Float32Array, h: Float32Array, hn: Float32Array, steps: number, batch: number, units: number,
): void {
  const U = units;
  const n = batch * U;
  const g3 = 3 * U;
  const r = new Float32Array(batch * g3);
  h.fill(0, 0, n);
  for (let t = 0; t < steps; t++) {
    gemmTs(false, false, batch, g3, U, 1, h, t * n, wh, 0, 0, r, 0);
    for (let b = 0; b < batch; b++) {
      const a = (t * batch + b) * g3;
      const ra = b * g3;
      const prev = t * n + b * U;
      const cur = prev + n;
      for (let j = 0; j < U; j++) {
        const rg = sigmoid(z[a + j] + r[ra + j]);
        const zg = sigmoid(z[a + U + j] + r[ra + U + j]);
        const hnv = r[ra + 2 * U + j] + bh[j];
        const ng = Math.tanh(z[a + 2 * U + j] + rg * hnv);
        z[a + j] = rg;
        z[a + U + j] = zg;
        z[a + 2 * U + j] = ng;
        hn[prev + j] = hnv;
        h[cur + j] = (1 - zg) * ng + zg * h[prev + j];
      }
    }
  }
}

export function gruBackwardTs(
  act: Float32Array, hn: Float32Array, h: Float32Array, dH: Float32Array, wh: Float32Array,
  dZ: Float32Array, dR: Float32Array, dbh: Float32Array, steps: number, batch: number, units: number,
): void {
  const U = units;
  const n = batch * U;
  const g3 = 3 * U;
  const carry = new Float32Array(n);
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const a = (t * batch + b) * g3;
      const prev = t * n + b * U;
      for (let j = 0; j < U; j++) {
        const k = b * U + j;
        const dh = dH[t * n + k] + carry[k];
        const rg = act[a + j];
        const zg = act[a + U + j];
        const ng = act[a + 2 * U + j];
        const dnp = dh * (1 - zg) * (1 - ng * ng);
        const dzp = dh * (h[prev + j] - ng) * zg * (1 - zg);
        const drp = dnp * hn[t * n + k] * rg * (1 - rg);
        dZ[a + j] = dR[a + j] = drp;
        dZ[a + U + j] = dR[a + U + j] = dzp;
        dZ[a + 2 * U + j] = dnp;
        dR[a + 2 * U + j] = dnp * rg;
        dbh[j] += dnp * rg;
        carry[k] = dh * zg;
      }
    }
    gemmTs(false, true, batch, U, g3, 1, dR, t * batch * g3, wh, 0, 1, carry, 0);
  }
}

function gruForwardWasm(
  w: WasmHeap, z: Float32Array, wh: Float32Array, bh: Float32Array, h: Float32Array, hn: Float32Array, steps: number, batch: number, units: number,
): void {
  const n = batch * units;
  const zLen = steps * 3 * n;
  resetHeap(w);
  const pw = input(w, wh, 3 * units * units);
  const pb = input(w, bh, units);
  // z is read and overwritten, h and hn written: in place when resident (an arena's arrays)
  const pz = input(w, z, zLen);
  const ph = output(w, h, (steps + 1) * n);
  const phn = output(w, hn, steps * n);
  const pr = reserve(w, 3 * n);
  runThreaded(w, recurrentThreads(w, steps, batch, units, 3), 'gruForward', [pz, pw, pb, ph, phn, pr, steps, batch, units]);
  done(w, pz, z, zLen);
  done(w, ph, h, (steps + 1) * n);
  done(w, phn, hn, steps * n);
}

function gruBackwardWasm(
  w: WasmHeap, act: Float32Array, hn: Float32Array, h: Float32Array, dH: Float32Array, wh: Float32Array,
  dZ: Float32Array, dR: Float32Array, dbh: Float32Array, steps: number, batch: number, units: number,
): void {
  const n = batch * units;
  const zLen = steps * 3 * n;
  resetHeap(w);
  const pw = input(w, wh, 3 * units * units);
  const pa = input(w, act, zLen);
  const phn = input(w, hn, steps * n);
  const ph = input(w, h, (steps + 1) * n);
  const pd = input(w, dH, steps * n);
  const pb = input(w, dbh, units); // added into: in, then back
  const pz = output(w, dZ, zLen);
  const pr = output(w, dR, zLen);
  const pc = reserve(w, n);
  runThreaded(w, recurrentThreads(w, steps, batch, units, 3), 'gruBackward', [pa, phn, ph, pd, pw, pz, pr, pc, steps, batch, units]);
  // The recurrent bias's gradient sums over the batch, so it runs after the split steps, in one order.
  w.fn.gruBiasGrad(pr, pb, steps, batch, units);
  done(w, pz, dZ, zLen);
  done(w, pr, dR, zLen);
  done(w, pb, dbh, units);
}
