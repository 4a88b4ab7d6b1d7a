/**
 * The Adam update of one param array (the arithmetic of engine/optim/adam.ts, which documents it):
 *   d = g + l2 * w;  m = beta1 m + (1 - beta1) d;  v = beta2 v + (1 - beta2) d^2
 *   w = w * keep - lr * c1 * m / (sqrt(v) * c2 + eps)      (c1, c2: bias-correction factors)
 * mask[j] = 0 pins w[j] to 0 and leaves its moments alone. The TypeScript loop computes in double;
 * with the wasm backend active, unmasked arrays of WASM_MIN_VALUES or more run in float32 SIMD.
 */
import { wasmActive } from './backend.js';
import { WASM_MIN_VALUES } from './pointwiseWasm.js';
import { put, reserve, resetHeap, residentOffset, take, type WasmHeap } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/** Params in one array from which the update is split over the kernel threads. */
const MIN_SPLIT_VALUES = 1 << 15;

export interface AdamStep {
  lr: number;
  l2: number;
  keep: number;
  beta1: number;
  beta2: number;
  eps: number;
  c1: number;
  c2: number;
}

export function adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, mask: Uint8Array | undefined, s: AdamStep): void {
  const n = w.length;
  if (g.length !== n || m.length !== n || v.length !== n) {
    throw new Error(`adamUpdate: w, g, m and v must have the same length, got ${n}, ${g.length}, ${m.length}, ${v.length}`);
  }
  const h = mask === undefined && n >= WASM_MIN_VALUES ? wasmActive() : null;
  if (h) return adamUpdateWasm(h, w, g, m, v, s);
  adamUpdateTs(w, g, m, v, mask, s);
}

/** The TypeScript reference (double arithmetic), whatever the active backend. */
export function adamUpdateTs(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, mask: Uint8Array | undefined, s: AdamStep): void {
  const { l2, keep, beta1, beta2, eps, c2 } = s;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  const step = s.lr * s.c1;
  const n = w.length;
  for (let j = 0; j < n; j++) {
    if (mask !== undefined && mask[j] === 0) {
      w[j] = 0;
      continue;
    }
    const wj = w[j];
    const d = g[j] + l2 * wj;
    const mj = beta1 * m[j] + a1 * d;
    const vj = beta2 * v[j] + a2 * d * d;
    m[j] = mj;
    v[j] = vj;
    w[j] = wj * keep - (step * mj) / (Math.sqrt(vj) * c2 + eps);
  }
}

function adamUpdateWasm(h: WasmHeap, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamStep): void {
  const n = w.length;
  resetHeap(h);
  const nt = n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1;
  // Weights, gradients and moments usually live in the kernel memory (kernels/resident.ts): used in
  // place; any that do not are copied in and, when written, out.
  const [pw, pg, pm, pv] = [w, g, m, v].map((a) => {
    const r = residentOffset(h, a);
    if (r >= 0) return r;
    const p = reserve(h, n);
    put(h, p, a, 0, n);
    return p;
  });
  runThreaded(h, nt, 'adamUpdate', [pw, pg, pm, pv, n, s.lr, s.l2, s.keep, s.beta1, s.beta2, 1 - s.beta1, 1 - s.beta2, s.eps, s.c1, s.c2]);
  for (const [a, p] of [[w, pw], [m, pm], [v, pv]] as const) if (residentOffset(h, a) !== p) take(h, p, a, 0, n);
}
