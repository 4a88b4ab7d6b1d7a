/**
 * Whole-batch convolution and transposed convolution on the WebAssembly kernels: operands are copied
 * into the wasm heap once per batch, and im2col + GEMM + bias run there on groups of samples that share
 * one column matrix [C*kH*kW, group*outH*outW] (one GEMM per group: on small grids such as 7x7 a
 * per-sample GEMM is too narrow to keep the micro-kernel busy). Results are copied back, except into
 * resident arrays (parameters' gradients, an arena's activations), which the kernels write in place. Same contracts as
 * conv2d.ts and convTranspose2d.ts (which check the arguments and call these).
 * With worker threads (wasm/threads.ts) the groups are split over the threads, each with its own column
 * and matrix scratch; weight and bias gradients come back as per-chunk partials that addPartials sums
 * in a fixed order, so every result is bit-identical for any thread count.
 */
import { colCols, colRows, imageSize, type WindowGeom } from './geometry.js';
import { put, reserve, resetHeap, residentOffset, take, type WasmHeap } from './wasm/runtime.js';
import { kernelThreads, runThreaded } from './wasm/threads.js';

/**
 * Reserve and fill a region with the first len values of a (0 for null: the kernels' "absent"); a
 * resident array (kernels/resident.ts: weights, gradients) is used where it is.
 */
function putAll(h: WasmHeap, a: Float32Array | null, len: number): number {
  if (a === null) return 0;
  need(a, len);
  const r = residentOffset(h, a);
  if (r >= 0) return r;
  const ptr = reserve(h, len);
  put(h, ptr, a, 0, len);
  return ptr;
}

/**
 * Where a kernel writes an output of len values: where `a` is, when it is resident (an arena's activation
 * or gradient, kernels/resident.ts), else a fresh region of the heap that takeAll copies back.
 */
function outAt(h: WasmHeap, a: Float32Array, len: number): number {
  need(a, len);
  const r = residentOffset(h, a);
  return r >= 0 ? r : reserve(h, len);
}

/** Copy len values at ptr back into a, unless a is resident there (then the kernel wrote it in place). */
function takeAll(h: WasmHeap, ptr: number, a: Float32Array, len: number): void {
  if (residentOffset(h, a) !== ptr) take(h, ptr, a, 0, len);
}

/**
 * Columns per GEMM to aim for: enough to fill the 8-wide micro-kernel panels with little padding, few
 * enough that the column matrix stays in cache between im2col and the GEMM (on the DCGAN, 256 to 512
 * columns ran 5-10% faster than one sample per GEMM and than the whole batch at once).
 */
const TARGET_COLS = 384;
/** Cap on the shared column matrix (floats, 16 MB) for layers whose single image is already wide. */
const COL_CAP = 1 << 22;

/** Samples sharing one column matrix of rows x (group * cols) values. */
export function samplesPerGemm(n: number, rows: number, cols: number): number {
  const want = Math.ceil(TARGET_COLS / Math.max(1, cols));
  return Math.max(1, Math.min(n, want, Math.floor(COL_CAP / Math.max(1, rows * cols))));
}

/** Below this many multiply-adds a batch runs on one thread (the hand-over would cost more than it saves). */
const MIN_SPLIT_MACS = 1 << 20;

/** Threads for a call of `macs` multiply-adds over `groups` groups: 1 unless both are worth splitting. */
function threadsFor(h: WasmHeap, macs: number, groups: number): number {
  return groups >= 2 && macs >= MIN_SPLIT_MACS ? kernelThreads(h) : 1;
}

/** Floats rounded up to a 16-byte multiple (the kernels' per-thread and per-chunk region alignment). */
const align4 = (floats: number) => (floats + 3) & ~3;

function geomArgs(g: WindowGeom): number[] {
  return [g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW];
}

/**
 * Reserve the chunk partials of a backward pass (wLen weight values and bLen bias values per chunk),
 * and return a function that adds them to dw (at pdw) and db (at pdb, 0 = none) once the kernel ran.
 */
function partials(h: WasmHeap, groups: number, wLen: number, bLen: number, nt: number): { parts: number; addTo(pdw: number, pdb: number): void } {
  const chunks = h.fn.chunksFor(groups);
  const parts = reserve(h, chunks * (align4(wLen) + align4(bLen)));
  return {
    parts,
    addTo(pdw, pdb) {
      runThreaded(h, wLen * chunks >= 1 << 16 ? nt : 1, 'addPartials', [pdw, parts, chunks, wLen, align4(wLen) * 4]);
      if (pdb) h.fn.addPartials(pdb, parts + chunks * align4(wLen) * 4, chunks, bLen, align4(bLen) * 4, 0, 1);
    },
  };
}

/**
 * Start a call on a batch of n samples: reset the heap, group the samples (samplesPerGemm), pick the
 * threads (`passes` GEMMs of n*matRows*r*p multiply-adds) and reserve each thread's column and matrix
 * scratch (matRows rows: filters for conv2d, input channels for the transposed convolution).
 */
function begin(h: WasmHeap, n: number, g: WindowGeom, matRows: number, passes: number) {
  resetHeap(h);
  const r = colRows(g);
  const p = colCols(g);
  const group = samplesPerGemm(n, r, p);
  const groups = Math.ceil(n / group);
  const nt = threadsFor(h, n * matRows * r * p * passes, groups);
  const pcol = reserve(h, nt * align4(r * p * group));
  const pmat = reserve(h, nt * align4(matRows * p * group));
  return { r, p, group, groups, nt, pcol, pmat };
}

function need(a: Float32Array, len: number): void {
  if (a.length < len) throw new Error(`conv kernels: an operand needs ${len} values, has ${a.length}`);
}

export function conv2dForwardWasm(
  h: WasmHeap, x: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number,
  bias: Float32Array | null, y: Float32Array,
): void {
  const { r, p, group, nt, pcol, pmat } = begin(h, n, g, filters, 1);
  const px = putAll(h, x, n * imageSize(g));
  const pw = putAll(h, w, filters * r);
  const pb = putAll(h, bias, filters);
  const py = outAt(h, y, n * filters * p);
  runThreaded(h, nt, 'conv2dForward', [px, n, pw, filters, pb, py, pcol, pmat, group, ...geomArgs(g)]);
  takeAll(h, py, y, n * filters * p);
}

export function conv2dBackwardWasm(
  h: WasmHeap, x: Float32Array, dy: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number,
  dx: Float32Array | null, dw: Float32Array, db: Float32Array | null,
): void {
  const { r, p, group, groups, nt, pcol, pmat } = begin(h, n, g, filters, dx ? 2 : 1);
  const img = imageSize(g);
  const px = putAll(h, x, n * img);
  const pdy = putAll(h, dy, n * filters * p);
  const pw = putAll(h, w, filters * r);
  const pdw = putAll(h, dw, filters * r);
  const pdb = putAll(h, db, filters);
  const pdx = dx ? outAt(h, dx, n * img) : 0;
  const sums = partials(h, groups, filters * r, filters, nt);
  runThreaded(h, nt, 'conv2dBackward', [px, pdy, n, pw, filters, pdx, pdb, pcol, pmat, group, sums.parts, ...geomArgs(g)]);
  sums.addTo(pdw, pdb);
  takeAll(h, pdw, dw, filters * r);
  if (db) takeAll(h, pdb, db, filters);
  if (dx) takeAll(h, pdx, dx, n * img);
}

/** dx alone (OVERWRITTEN), as conv2dBackwardWasm computes it, without the weight and bias gradients. */
export function conv2dBackwardInputWasm(
  h: WasmHeap, dy: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number, dx: Float32Array,
): void {
  const { r, p, group, nt, pcol, pmat } = begin(h, n, g, filters, 1);
  const img = imageSize(g);
  const pdy = putAll(h, dy, n * filters * p);
  const pw = putAll(h, w, filters * r);
  const pdx = outAt(h, dx, n * img);
  runThreaded(h, nt, 'conv2dBackwardInput', [pdy, n, pw, filters, pdx, pcol, pmat, group, ...geomArgs(g)]);
  takeAll(h, pdx, dx, n * img);
}

export function convTranspose2dForwardWasm(
  h: WasmHeap, x: Float32Array, n: number, inChannels: number, g: WindowGeom, w: Float32Array,
  bias: Float32Array | null, y: Float32Array,
): void {
  const { r, p, group, nt, pcol, pmat } = begin(h, n, g, inChannels, 1);
  const img = imageSize(g);
  const px = putAll(h, x, n * inChannels * p);
  const pw = putAll(h, w, inChannels * r);
  const pb = putAll(h, bias, g.channels);
  const py = outAt(h, y, n * img);
  runThreaded(h, nt, 'convTranspose2dForward', [px, n, inChannels, pw, pb, py, pcol, pmat, group, ...geomArgs(g)]);
  takeAll(h, py, y, n * img);
}

export function convTranspose2dBackwardWasm(
  h: WasmHeap, x: Float32Array, dy: Float32Array, n: number, inChannels: number, g: WindowGeom, w: Float32Array,
  dx: Float32Array | null, dw: Float32Array, db: Float32Array | null,
): void {
  const { r, p, group, groups, nt, pcol, pmat } = begin(h, n, g, inChannels, dx ? 2 : 1);
  const img = imageSize(g);
  const px = putAll(h, x, n * inChannels * p);
  const pdy = putAll(h, dy, n * img);
  const pw = putAll(h, w, inChannels * r);
  const pdw = putAll(h, dw, inChannels * r);
  const pdb = putAll(h, db, g.channels);
  const pdx = dx ? outAt(h, dx, n * inChannels * p) : 0;
  const sums = partials(h, groups, inChannels * r, g.channels, nt);
  runThreaded(h, nt, 'convTranspose2dBackward', [px, pdy, n, inChannels, pw, pdx, pdb, pcol, pmat, group, sums.parts, ...geomArgs(g)]);
  sums.addTo(pdw, pdb);
  takeAll(h, pdw, dw, inChannels * r);
  if (db) takeAll(h, pdb, db, g.channels);
  if (dx) takeAll(h, pdx, dx, n * inChannels * p);
}
