/**
 * Elementwise activations and row-wise softmax on Float32Array, forward and backward side by side.
 * Backward functions write dx (overwritten) from dy and whichever of x / y the derivative needs.
 * ReLU and leaky ReLU run in WebAssembly (pointwiseWasm.ts) when that backend is active, tanh too
 * (normWasm.ts: the same float32 results as Math.tanh, bit for bit).
 */
import { wasmActive } from './backend.js';
import { tanhBackwardWasm, tanhForwardWasm } from './normWasm.js';
import { leakyReluBackwardWasm, leakyReluForwardWasm, WASM_MIN_VALUES } from './pointwiseWasm.js';

export function reluForward(x: Float32Array, y: Float32Array, n: number): void {
  const h = n >= WASM_MIN_VALUES ? wasmActive() : null;
  if (h) return leakyReluForwardWasm(h, x, y, n, 0);
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}
export function reluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
  const h = n >= WASM_MIN_VALUES ? wasmActive() : null;
  if (h) return leakyReluBackwardWasm(h, x, dy, dx, n, 0);
  for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
}

export function leakyReluForward(x: Float32Array, y: Float32Array, n: number, alpha: number): void {
  const h = n >= WASM_MIN_VALUES && alpha !== 0 ? wasmActive() : null;
  if (h) return leakyReluForwardWasm(h, x, y, n, alpha);
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
}
export function leakyReluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, n: number, alpha: number): void {
  const h = n >= WASM_MIN_VALUES && alpha !== 0 ? wasmActive() : null;
  if (h) return leakyReluBackwardWasm(h, x, dy, dx, n, alpha);
  for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
}

/** Logistic sigmoid, without overflow for large |x|. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}
export function sigmoidForward(x: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]);
}
/** From the output: dx = dy * y * (1 - y). */
export function sigmoidBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
}

export function tanhForward(x: Float32Array, y: Float32Array, n: number): void {
  const h = n >= WASM_MIN_VALUES ? wasmActive() : null;
  if (h) return tanhForwardWasm(h, x, y, n);
  for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
}
/** From the output: dx = dy * (1 - y^2). */
export function tanhBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
  const h = n >= WASM_MIN_VALUES ? wasmActive() : null;
  if (h) return tanhBackwardWasm(h, y, dy, dx, n);
  for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
}

/** Softmax over each of `rows` consecutive rows of length `k` (max-shifted, sums in double). */
export function softmaxForward(x: Float32Array, y: Float32Array, rows: number, k: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (x[o + j] > max) max = x[o + j];
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(x[o + j] - max);
    for (let j = 0; j < k; j++) y[o + j] = Math.exp(x[o + j] - max) / sum;
  }
}
/** From the output: dx_j = y_j * (dy_j - sum_i dy_i y_i), per row. */
export function softmaxBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, k: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let dot = 0;
    for (let j = 0; j < k; j++) dot += dy[o + j] * y[o + j];
    for (let j = 0; j < k; j++) dx[o + j] = y[o + j] * (dy[o + j] - dot);
  }
}
