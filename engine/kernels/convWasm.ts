/**
 * Whole-batch convolution and transposed convolution on the WebAssembly kernels: operands are copied
 * into the wasm heap once per batch, and im2col + GEMM + bias run there on groups of samples that share
 * one column matrix [C*kH*kW, group*outH*outW] (one GEMM per group: on small grids such as 7x7 a
 * per-sample GEMM is too narrow to keep the micro-kernel busy). Results are copied back, except into
 * resident arrays (parameters' gradients, an arena's activations), which the kernels write in place. Same contracts as
 * conv2d.ts and convTranspose2d.ts (which check the arguments and call these).
 * With worker threads (wasm/threads.ts) the threads take the groups (or images, or chunks of groups)
 * from a counter, each with its own column and matrix scratch, so one that starts late or shares its core
 * takes fewer; weight and bias gradients come back as per-chunk partials that addPartials sums in a fixed
 * order, so every result is bit-identical for any thread count and any sharing.
 */
import { colCols, colRows, imageSize, type WindowGeom } from './geometry.js';
import { put, reserve, resetHeap, residentOffset, take, unitCounter, type WasmHeap } from './wasm/runtime.js';
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
 * scratch (matRows rows: filters for conv2d, input channels for the transposed convolution; the column
 * region at least minCol floats: the direct path's scratch).
 */
function begin(h: WasmHeap, n: number, g: WindowGeom, matRows: number, passes: number, minCol = 0) {
  resetHeap(h);
  const r = colRows(g);
  const p = colCols(g);
  const group = samplesPerGemm(n, r, p);
  const groups = Math.ceil(n / group);
  const nt = threadsFor(h, n * matRows * r * p * passes, groups);
  const pcol = reserve(h, nt * align4(Math.max(r * p * group, minCol)));
  const pmat = reserve(h, nt * align4(matRows * p * group));
  return { r, p, group, groups, nt, pcol, pmat };
}

function need(a: Float32Array, len: number): void {
  if (a.length < len) throw new Error(`conv kernels: an operand needs ${len} values, has ${a.length}`);
}

/**
 * Whether the forward GEMM packs its panels straight from the images (no column matrix) or im2col runs
 * first. Fused packing is fast when an 8-column panel is mostly 8 neighbouring outputs of one image row
 * (stride 1, rows of 16 outputs or more: VGG's 64, 32 and 16, LeNet-5's first layer at 28), and it keeps
 * a large layer's column matrix out of the cache. On short rows most panels straddle a row or an image;
 * there im2col (a copy of whole rows) and the plain packing are cheaper: LeNet-5's second layer (rows of
 * 10) took 0.83 of the time in its forward pass (median of three alternating runs, load 2.3-2.7), while its
 * first layer (rows of 28) was faster fused. Strided rows (the DCGAN discriminator, whose panels the fused
 * path packs from a per-panel table) ran the same either way and take im2col. Both give the same bits
 * (convWasm.test.ts).
 */
export function fusedPacking(g: WindowGeom): boolean {
  return g.strideW === 1 && g.outW >= 16;
}

/** Taps per output (channels x kernel) up to which a stride-1 layer runs direct whatever its row width. */
const DIRECT_FEW_TAPS = 32;

/**
 * The forward path of a layer. 'direct' (kernels.as: 8 neighbouring outputs of 4 filters at a time,
 * straight from a zero-bordered copy of the image) for stride 1 and dilation 1 when its rows fill the
 * 8-wide blocks (at most 1/7 of the lanes wasted: rows of 7, 14, 16, 28, 64...) or when a layer has so few
 * taps per output that the GEMM's packing costs as much as its multiply-adds (a first layer: LeNet-5's
 * 1 x 5 x 5, a colour 3 x 3 x 3). Else the GEMM, 'fused' or 'im2col' (fusedPacking). Measured per layer
 * (alternating runs, load 2.0-2.2): LeNet-5's first layer 874 -> 456 us a batch of 64 (its second, rows of
 * 10, is as fast either way and stays on the GEMM), the VGG-style net's 3x3 layers 1.1x to 1.9x faster
 * forward (its 64-channel layer has 576 taps and stays on the GEMM). These three give the same bits
 * (convWasm.test.ts). Before them, Winograd takes the 3x3 layers with 3 channels or more: 'winograd4'
 * (F(4x4, 3x3), 2.25 multiply-adds an output per channel and filter) where rows fill its 32-wide panels
 * or are 14 to 16 wide, else 'winograd' (F(2x2, 3x3), 4) where they fill 16-wide ones (48, 80...). Their
 * sums round differently (within a bound of the exact value, convWasm.test.ts; F(4x4, 3x3) the looser).
 */
export type ConvPath = 'im2col' | 'fused' | 'direct' | 'winograd' | 'winograd4';

export function forwardPath(g: WindowGeom): ConvPath {
  if (winograd4Suits(g, g.channels, g.outW)) return 'winograd4';
  if (winogradSuits(g, g.channels, g.outW)) return 'winograd';
  if (directTakes(g) && (colRows(g) <= DIRECT_FEW_TAPS || fillsBlocks(g.outW))) return 'direct';
  return fusedPacking(g) ? 'fused' : 'im2col';
}

/**
 * Whether the Winograd kernels (kernels.as: convWinograd, convWinograd4 and the weight gradients) can take a
 * layer: 3x3 taps, stride 1, dilation 1, and padding of at most 2 on the top and left (so that the input
 * gradient's, 2 - padding, is one too).
 */
export function winogradTakes(g: WindowGeom): boolean {
  return unitSteps(g) && g.kernelH === 3 && g.kernelW === 3 && g.padTop <= 2 && g.padLeft <= 2;
}

/**
 * Channels (summed over per output) from which a 3x3 layer takes the Winograd path: a colour image and
 * up. Forward on one thread, batch 32, direct -> Winograd (medians of 7, alternating): 3 channels at 64x64
 * with 16 filters 3.51 -> 2.80 ms, 3 at 32x32 with 32 filters 1.72 -> 1.34, 6 at 28x28 1.49 -> 1.01; one
 * gray channel ran slower (0.39 -> 0.44 ms) and stays direct.
 */
const WINOGRAD_MIN_CHANNELS = 3;

/**
 * Winograd F(2x2, 3x3) where it takes the layer, `channels` are summed per output (the layer's input
 * channels forward, its filters for the input gradient) and rows of `width` outputs fill its panels of
 * 16 columns (8 tiles of 2) to at least 7/8: rows of 14, 16, 28, 32, 64... Measured in
 * docs/performance.md ("Winograd").
 */
function winogradSuits(g: WindowGeom, channels: number, width: number): boolean {
  return winogradTakes(g) && channels >= WINOGRAD_MIN_CHANNELS && fillsPanels(width, 16);
}

/**
 * Winograd F(4x4, 3x3) (convWinograd4: 2.25 multiply-adds an output per channel and filter against
 * F(2x2, 3x3)'s 4) where rows fill its panels of 32 columns (8 tiles of 4) to at least 7/8 (rows of 28,
 * 32, 56, 64...), or rows of 14 to 16, whose panels are the 4 tiles of two tile rows (one tile row of a
 * panel, half of it idle, ran slower than F(2x2, 3x3); stacked, the 64-channel 16x16 layer's forward went
 * 6.51 -> 4.93 ms, one thread, batch 32, medians of 7 alternating).
 */
function winograd4Suits(g: WindowGeom, channels: number, width: number): boolean {
  return winogradTakes(g) && channels >= WINOGRAD_MIN_CHANNELS && (fillsPanels(width, 32) || (width <= 16 && fillsPanels(width, 16)));
}

/** Rows of `width` outputs in panels of `panel` columns waste at most 1/8 of them. */
function fillsPanels(width: number, panel: number): boolean {
  return 7 * Math.ceil(width / panel) * panel <= 8 * width;
}

/** Stride 1 and dilation 1 both ways: what the direct kernel computes. */
function unitSteps(g: WindowGeom): boolean {
  return g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
}

/** Rows of `width` outputs in the direct kernel's 8-wide blocks waste at most 1/7 of the lanes (7, 14, 16, 28, 64...). */
function fillsBlocks(width: number): boolean {
  return 7 * Math.ceil(width / 8) * 8 <= 8 * width;
}

/**
 * Whether the direct path can take a layer at all: stride 1, dilation 1, and at most 512 taps (the
 * GEMM's KC block: past it the GEMM sums the taps in two runs, and the direct path would differ in bits).
 */
export function directTakes(g: WindowGeom): boolean {
  return unitSteps(g) && colRows(g) <= 512;
}

const PATH_CODE: Record<ConvPath, number> = { im2col: 0, fused: 1, direct: 2, winograd: 3, winograd4: 4 };

/**
 * Whether the input gradient can run direct (kernels.as, flipWeights): stride 1, dilation 1, and no
 * padding of a kernel's size or more (dy is then bordered by kernel - 1 - padding on the top and left).
 */
export function inputGradDirectTakes(g: WindowGeom): boolean {
  return unitSteps(g) && g.padTop < g.kernelH && g.padLeft < g.kernelW;
}

/** How a layer's input gradient runs: the GEMM then col2im, or a convolution of dy with the flipped weights, direct or Winograd. */
export type InputGradPath = 'gemm' | 'direct' | 'winograd' | 'winograd4';

/** The Winograd kernel code of an input or weight gradient path for kernels.as: 1 F(2x2, 3x3), 2 F(4x4, 3x3), else 0. */
const WINO_CODE: Record<InputGradPath, number> = { gemm: 0, direct: 0, winograd: 1, winograd4: 2 };

/** Each thread's scratch for the direct or Winograd input gradient (0: the GEMM and col2im instead). */
function inputGradScratch(h: WasmHeap, g: WindowGeom, filters: number, nt: number, path: InputGradPath): number {
  if (path === 'gemm') return 0;
  if (!inputGradDirectTakes(g)) throw new Error('conv kernels: the direct input gradient takes stride 1, dilation 1 and padding under the kernel size');
  if (path === 'winograd' || path === 'winograd4') {
    if (!winogradTakes(g)) throw new Error('conv kernels: the Winograd input gradient takes 3x3 taps, stride 1, dilation 1 and padding of at most 2');
    const floats = path === 'winograd4' ? h.fn.winograd4InputGradScratch(filters, g.channels, g.height, g.width)
      : h.fn.winogradInputGradScratch(filters, g.channels, g.height, g.width);
    return reserve(h, nt * align4(floats));
  }
  return reserve(h, nt * align4(h.fn.convDirectInputGradScratch(filters, g.channels, g.kernelH, g.kernelW, g.height, g.width)));
}

/**
 * The input gradient of a layer runs direct (a convolution of dy with the flipped weights, forwardPath's
 * kernel) when the input's rows fill 8-wide blocks and its channels are a multiple of 4: the VGG-style
 * net's backward passes took about 0.9 of their time (ratio to the forward pass in the same run, two
 * alternating rounds, load 1.8-3.0). LeNet-5's second layer (6 channels: a 4-block and two filters of the
 * direct kernel alone) ran slower direct (2,513 and 2,033 us against 1,768 and 1,792) and stays on the
 * GEMM then col2im. The two paths differ only in the order of their sums. A 3x3 layer with 3 filters or
 * more (the channels of the convolution over dy) whose input rows suit a Winograd kernel takes it instead
 * (winograd4Suits, winogradSuits), as the forward pass does.
 */
export function inputGradPath(g: WindowGeom, filters: number): InputGradPath {
  if (winograd4Suits(g, filters, g.width)) return 'winograd4';
  if (winogradSuits(g, filters, g.width)) return 'winograd';
  return inputGradDirectTakes(g) && g.channels % 4 === 0 && fillsBlocks(g.width) ? 'direct' : 'gemm';
}

export function conv2dForwardWasm(
  h: WasmHeap, x: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number,
  bias: Float32Array | null, y: Float32Array, path = forwardPath(g), relu = false,
): void {
  if (path === 'direct' && !directTakes(g)) throw new Error('conv kernels: the direct path takes stride 1, dilation 1 and at most 512 taps');
  if ((path === 'winograd' || path === 'winograd4') && !winogradTakes(g)) throw new Error('conv kernels: the Winograd path takes 3x3 taps, stride 1, dilation 1 and padding of at most 2');
  const direct = path === 'direct' ? h.fn.convDirectScratch(filters, g.channels, g.kernelH, g.kernelW, g.outH, g.outW)
    : path === 'winograd' ? h.fn.winogradScratch(filters, g.channels, g.outH, g.outW)
      : path === 'winograd4' ? h.fn.winograd4Scratch(filters, g.channels, g.outH, g.outW) : 0;
  const { r, p, group, nt, pcol, pmat } = begin(h, n, g, filters, 1, direct);
  const px = putAll(h, x, n * imageSize(g));
  const pw = putAll(h, w, filters * r);
  const pb = putAll(h, bias, filters);
  const py = outAt(h, y, n * filters * p);
  runThreaded(h, nt, 'conv2dForward', [px, n, pw, filters, pb, py, pcol, pmat, group, PATH_CODE[path], relu ? 1 : 0, unitCounter(h, nt), ...geomArgs(g)]);
  takeAll(h, py, y, n * filters * p);
}

/**
 * How a layer's weight gradient runs: im2col then the GEMM, Winograd (kernels.as: winogradWeightGrad,
 * winograd4WeightGrad), or straight from the images (directWeightGrad).
 */
export type WeightGradPath = 'gemm' | 'winograd' | 'winograd4' | 'direct';

const DW_CODE: Record<WeightGradPath, number> = { gemm: 0, winograd: 1, winograd4: 2, direct: 3 };

/**
 * Filters up to which a layer with few taps (DIRECT_FEW_TAPS) and rows that fill the 4 lanes takes the direct
 * weight gradient: there the GEMM's product (filters x taps) is mostly edge tiles. In one process,
 * alternating the two paths (nine rounds of 30 calls, batch 64 unless said, load about 1.7), 2 threads /
 * 1 thread: LeNet-5's first layer (1 x 28 x 28, 5x5 'same', 6 filters) 1.22 -> 0.50 / 1.99 -> 0.69 ms;
 * one gray channel, 3x3 'same', 16 filters 1.16 -> 0.79 / 1.67 -> 1.02; 5x5 'valid', 16 filters 1.21 ->
 * 0.83 / 1.94 -> 1.19; 1 x 32 x 32, 3x3, 8 filters, batch 32 0.45 -> 0.26 / 0.67 -> 0.31. Not taken: rows of
 * 10 (2 x 14 x 14, 5x5 'valid': 50 taps, and the row ends run a value at a time) ran 0.37 -> 0.64 ms.
 */
const DIRECT_DW_FILTERS = 16;

/** Whether directWeightGrad can take a layer: stride 1, dilation 1, at most 5 columns of taps. */
export function directWeightGradTakes(g: WindowGeom): boolean {
  return unitSteps(g) && g.kernelW <= 5;
}

/**
 * Winograd for the weight gradient of a 3x3 stride-1 layer with 3 or more input channels and 4 or more
 * filters: the products over tiles cost 4 multiply-adds an output against the GEMM's 9, the transforms a
 * few additions a tile, and its lanes are 4 tiles of a row, so rows need not fill wider panels. On one
 * thread, batch 32 (medians of 7, alternating): the VGG-style net's layers 1.8x to 1.95x faster, its
 * colour first layer 5.3 -> 4.3 ms, 16 channels at 7x7 0.25 -> 0.13 ms; one gray channel ran slower
 * (0.89-0.93 against 0.99-1.00 ms) and stays on the GEMM. F(4x4, 3x3) (winograd4WeightGrad: its lanes 4
 * tiles of 4 outputs) where the rows fill 16-wide groups of lanes (14, 16, 28, 32, 64...): against F(2x2,
 * 3x3), one thread, batch 32, medians of 7 alternating, load 1.8: 16 channels at 64x64 10.2 -> 7.1 ms, 64
 * at 16x16 7.8 -> 6.2, 32 at 14x14 1.8 -> 1.6; 64 at 7x7 (half the lanes idle) 2.4 -> 3.5, so F(2x2, 3x3)
 * there. docs/performance.md ("Winograd").
 */
export function weightGradPath(g: WindowGeom, filters: number): WeightGradPath {
  if (winogradTakes(g) && filters >= 4 && g.channels >= WINOGRAD_MIN_CHANNELS) return fillsPanels(g.outW, 16) ? 'winograd4' : 'winograd';
  if (directWeightGradTakes(g) && g.outW % 4 === 0 && colRows(g) <= DIRECT_FEW_TAPS && filters <= DIRECT_DW_FILTERS) return 'direct';
  return 'gemm';
}

export function conv2dBackwardWasm(
  h: WasmHeap, x: Float32Array, dy: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number,
  dx: Float32Array | null, dw: Float32Array, db: Float32Array | null, dxPath = inputGradPath(g, filters),
  dwPath = weightGradPath(g, filters),
): void {
  if (dwPath === 'direct' && !directWeightGradTakes(g)) throw new Error('conv kernels: the direct weight gradient takes stride 1, dilation 1 and at most 5 columns of taps');
  if ((dwPath === 'winograd' || dwPath === 'winograd4') && !winogradTakes(g)) throw new Error('conv kernels: the Winograd weight gradient takes 3x3 taps, stride 1, dilation 1 and padding of at most 2');
  const dwScratch = dwPath === 'winograd4' ? h.fn.winograd4WeightGradScratch(filters, g.channels, g.outH, g.outW)
    : dwPath === 'winograd' ? h.fn.winogradWeightGradScratch(filters, g.channels, g.outH, g.outW)
    : dwPath === 'direct' ? h.fn.directWeightGradScratch(filters, g.channels, g.kernelH, g.kernelW, g.outH, g.outW) : 0;
  const { r, p, group, groups, nt, pcol, pmat } = begin(h, n, g, filters, dx ? 2 : 1, dwScratch);
  const pdir = inputGradScratch(h, g, filters, nt, dx ? dxPath : 'gemm');
  const img = imageSize(g);
  const px = putAll(h, x, n * img);
  const pdy = putAll(h, dy, n * filters * p);
  const pw = putAll(h, w, filters * r);
  const pdw = putAll(h, dw, filters * r);
  const pdb = putAll(h, db, filters);
  const pdx = dx ? outAt(h, dx, n * img) : 0;
  const sums = partials(h, groups, filters * r, filters, nt);
  runThreaded(h, nt, 'conv2dBackward', [px, pdy, n, pw, filters, pdx, pdb, pcol, pmat, group, sums.parts, pdir, pdir ? WINO_CODE[dxPath] : 0, DW_CODE[dwPath], unitCounter(h, nt), ...geomArgs(g)]);
  sums.addTo(pdw, pdb);
  takeAll(h, pdw, dw, filters * r);
  if (db) takeAll(h, pdb, db, filters);
  if (dx) takeAll(h, pdx, dx, n * img);
}

/**
 * dx alone (OVERWRITTEN), as conv2dBackwardWasm computes it (on the direct path where it takes that), without
 * the weight and bias gradients.
 */
export function conv2dBackwardInputWasm(
  h: WasmHeap, dy: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number, dx: Float32Array,
  dxPath = inputGradPath(g, filters),
): void {
  const { r, p, group, nt, pcol, pmat } = begin(h, n, g, filters, 1);
  const pdir = inputGradScratch(h, g, filters, nt, dxPath);
  const img = imageSize(g);
  const pdy = putAll(h, dy, n * filters * p);
  const pw = putAll(h, w, filters * r);
  const pdx = outAt(h, dx, n * img);
  runThreaded(h, nt, 'conv2dBackwardInput', [pdy, n, pw, filters, pdx, pcol, pmat, group, pdir, WINO_CODE[dxPath], unitCounter(h, nt), ...geomArgs(g)]);
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
  runThreaded(h, nt, 'convTranspose2dForward', [px, n, inChannels, pw, pb, py, pcol, pmat, group, unitCounter(h, nt), ...geomArgs(g)]);
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
  runThreaded(h, nt, 'convTranspose2dBackward', [px, pdy, n, inChannels, pw, pdx, pdb, pcol, pmat, group, sums.parts, unitCounter(h, nt), ...geomArgs(g)]);
  sums.addTo(pdw, pdb);
  takeAll(h, pdw, dw, inChannels * r);
  if (db) takeAll(h, pdb, db, g.channels);
  if (dx) takeAll(h, pdx, dx, n * inChannels * p);
}
