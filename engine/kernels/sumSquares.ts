/**
 * The sum of the squares of a Float32Array's values, in double (gradient norms: optim/clip.ts). With the
 * wasm kernels and 4,096 values or more: sums of 4,096-value chunks on f64x2 lanes (wasm/kernels.as
 * `sumSquares`), split over the threads from 32,768 values, added here in chunk order, so the same bits
 * on any thread count (not the plain loop's: the additions run in another order). Otherwise the plain
 * loop in order. A NaN or infinite value makes the sum NaN or infinite either way.
 */
import { wasmActive } from './backend.js';
import { input } from './pointwiseWasm.js';
import { reserve, resetHeap } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

const CHUNK = 4096;
const MIN_SPLIT_VALUES = 1 << 15;

export function sumSquares(x: Float32Array): number {
  const n = x.length;
  const h = n >= CHUNK ? wasmActive() : null;
  if (!h) return sumSquaresTs(x);
  resetHeap(h);
  const px = input(h, x, n);
  const chunks = Math.ceil(n / CHUNK);
  const pout = reserve(h, 2 * chunks);
  runThreaded(h, n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1, 'sumSquares', [px, n, pout]);
  const sums = new Float64Array(h.f32.buffer, pout, chunks);
  let s = 0;
  for (let c = 0; c < chunks; c++) s += sums[c];
  return s;
}

/** The plain loop: x[0]^2 + x[1]^2 + ... in order, in double. */
export function sumSquaresTs(x: Float32Array): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return s;
}
