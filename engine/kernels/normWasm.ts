/**
 * Batch normalization and tanh on the WebAssembly kernels (batchNormForward / batchNormBackward,
 * tanhForward / tanhBackward in kernels.as): the same double arithmetic in the same order as the
 * TypeScript in layers/batchNorm.ts and activation.ts, so the same float32 results bit for bit (tanh as
 * fdlibm computes it, which is what V8's Math.tanh runs). Resident operands (an arena's arrays) are used
 * where they are, others copied in and out; large calls split over the kernel threads (batch
 * normalization by channel, tanh by value), which leaves every value's arithmetic as on one thread.
 */
import { done, input, output } from './pointwiseWasm.js';
import { putF64, reserve, resetHeap, takeF64, type WasmHeap } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/** From this many values a call is split over the kernel threads. */
const MIN_SPLIT_VALUES = 1 << 14;

/**
 * Forward over x [n, channels, plane] into y and xhat. stats: 3 * channels doubles, mean, variance and
 * invStd per channel. training: the batch mean and biased variance are written to stats; else stats holds
 * the mean and variance to use. invStd is always written.
 */
export function batchNormForwardWasm(
  h: WasmHeap, x: Float32Array, y: Float32Array, xhat: Float32Array, n: number, channels: number, plane: number,
  stats: Float64Array, gamma: Float32Array, beta: Float32Array, epsilon: number, training: boolean,
): void {
  const len = n * channels * plane;
  if (x.length < len || y.length < len || xhat.length < len || stats.length < 3 * channels || gamma.length < channels || beta.length < channels) {
    throw new Error(`batchNorm: needs ${len} values, ${channels} channels and ${3 * channels} statistics`);
  }
  const nt = len >= MIN_SPLIT_VALUES && channels > 1 ? kernelThreads(h) : 1;
  resetHeap(h);
  const px = input(h, x, len);
  const py = output(h, y, len);
  const ph = output(h, xhat, len);
  const pg = input(h, gamma, channels);
  const pb = input(h, beta, channels);
  const ps = reserve(h, 6 * channels);
  if (!training) putF64(h, ps, stats, 2 * channels);
  runThreaded(h, nt, 'batchNormForward', [px, py, ph, n, channels, plane, ps, pg, pb, epsilon, training ? 1 : 0]);
  takeF64(h, ps, stats, 3 * channels);
  done(h, py, y, len);
  done(h, ph, xhat, len);
}

/**
 * Backward over dy [n, channels, plane]: dx OVERWRITTEN; sums gets sum(dy) per channel, then
 * sum(dy * xhat) per channel (2 * channels doubles).
 */
export function batchNormBackwardWasm(
  h: WasmHeap, dy: Float32Array, xhat: Float32Array, dx: Float32Array, n: number, channels: number, plane: number,
  invStd: Float64Array, gamma: Float32Array, sums: Float64Array, batchStats: boolean,
): void {
  const len = n * channels * plane;
  if (dy.length < len || xhat.length < len || dx.length < len || invStd.length < channels || gamma.length < channels || sums.length < 2 * channels) {
    throw new Error(`batchNorm: needs ${len} values, ${channels} channels and ${2 * channels} sums`);
  }
  const nt = len >= MIN_SPLIT_VALUES && channels > 1 ? kernelThreads(h) : 1;
  resetHeap(h);
  const pd = input(h, dy, len);
  const ph = input(h, xhat, len);
  const px = output(h, dx, len);
  const pg = input(h, gamma, channels);
  const pi = reserve(h, 2 * channels);
  putF64(h, pi, invStd, channels);
  const ps = reserve(h, 4 * channels);
  runThreaded(h, nt, 'batchNormBackward', [pd, ph, px, n, channels, plane, pi, pg, ps, batchStats ? 1 : 0]);
  takeF64(h, ps, sums, 2 * channels);
  done(h, px, dx, len);
}

/** y = f32(Math.tanh(x)) over n values. */
export function tanhForwardWasm(h: WasmHeap, x: Float32Array, y: Float32Array, n: number): void {
  const nt = n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1;
  resetHeap(h);
  const px = input(h, x, n);
  const py = output(h, y, n);
  runThreaded(h, nt, 'tanhForward', [px, py, n]);
  done(h, py, y, n);
}

/** dx = f32(dy * (1 - y * y)) (in double) over n values. */
export function tanhBackwardWasm(h: WasmHeap, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
  const nt = n >= MIN_SPLIT_VALUES ? kernelThreads(h) : 1;
  resetHeap(h);
  const py = input(h, y, n);
  const pd = input(h, dy, n);
  const px = output(h, dx, n);
  runThreaded(h, nt, 'tanhBackward', [py, pd, px, n]);
  done(h, px, dx, n);
}
