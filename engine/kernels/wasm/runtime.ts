/**
 * Loads the WebAssembly SIMD kernels (compiled from kernels.as into binary.ts) synchronously, once, and
 * manages their linear memory as a scratch heap: kernels get operands copied in at byte offsets
 * reserved by `reserve`, run in place, and the caller copies results out. Memory only grows (pages are
 * kept for the next call), so steady-state training reuses the same region and allocates nothing.
 * The memory is a shared WebAssembly.Memory so that worker threads (threads.ts) can run instances of
 * the same module on it; each thread's GEMM packing scratch is reserved once, below `base`.
 */
import { setFlagsFromString } from 'node:v8';
import { WASM_BASE64, WASM_RELAXED_BASE64 } from './binary.js';

// The engine's lib (ES2023, no DOM) does not declare WebAssembly: the little used here, typed locally.
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The kernels' memory limit in 64 KiB pages (wasm32's 4 GiB), as declared by scripts/build-wasm.mjs. */
const MAX_PAGES = 65536;
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The raw exports of kernels.as; pointers are byte offsets, flags 0/1. */
export interface WasmExports {
  heapBase(): number;
  scratchBytes(): number;
  setScratch(base: number): void;
  chunksFor(groups: number): number;
  addPartials(dst: number, parts: number, count: number, len: number, stride: number, tid: number, nt: number): void;
  scale(c: number, len: number, beta: number): void;
  gemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, b: number, beta: number, c: number, tid: number, nt: number): void;
  im2col(x: number, col: number, ...geom: number[]): void;
  col2im(col: number, dx: number, ...geom: number[]): void;
  addChannelBias(y: number, channels: number, plane: number, bias: number): void;
  sumChannels(d: number, channels: number, plane: number, out: number): void;
  addRowBias(y: number, rows: number, cols: number, b: number): void;
  sumRowsInto(d: number, rows: number, cols: number, out: number): void;
  // The convolutions end in the geometry's 13 numbers, then (tid, nt).
  conv2dForward(x: number, n: number, w: number, filters: number, bias: number, y: number, col: number, mat: number, group: number, mode: number, relu: number, next: number, ...geomThread: number[]): void;
  convDirectScratch(filters: number, channels: number, kernelH: number, kernelW: number, outH: number, outW: number): number;
  winogradScratch(filters: number, channels: number, outH: number, outW: number): number;
  winograd4Scratch(filters: number, channels: number, outH: number, outW: number): number;
  conv2dBackward(
    x: number, dy: number, n: number, w: number, filters: number, dx: number, db: number, col: number, mat: number, group: number, parts: number, direct: number,
    wino: number, winoW: number, next: number, ...geomThread: number[]
  ): void;
  winogradWeightGradScratch(filters: number, channels: number, outH: number, outW: number): number;
  directWeightGradScratch(filters: number, channels: number, kernelH: number, kernelW: number, outH: number, outW: number): number;
  winograd4WeightGradScratch(filters: number, channels: number, outH: number, outW: number): number;
  convDirectInputGradScratch(filters: number, channels: number, kernelH: number, kernelW: number, height: number, width: number): number;
  winogradInputGradScratch(filters: number, channels: number, height: number, width: number): number;
  winograd4InputGradScratch(filters: number, channels: number, height: number, width: number): number;
  convTranspose2dForward(x: number, n: number, inChannels: number, w: number, bias: number, y: number, col: number, mat: number, group: number, next: number, ...geomThread: number[]): void;
  leakyReluForward(x: number, y: number, n: number, alpha: number): void;
  leakyReluBackward(x: number, dy: number, dx: number, n: number, alpha: number): void;
  maxPoolForward(x: number, planes: number, y: number, argmax: number, ...geomThread: number[]): void;
  maxPoolBackward(dy: number, argmax: number, count: number, dx: number, dxLength: number, planes: number, tid: number, nt: number): void;
  lstmForward(z: number, wh: number, h: number, c: number, steps: number, batch: number, units: number, tid: number, nt: number): void;
  lstmBackward(
    act: number, c: number, dH: number, wh: number, dZ: number, carryH: number, carryC: number, steps: number, batch: number, units: number, tid: number, nt: number,
  ): void;
  gruForward(z: number, wh: number, bh: number, h: number, hn: number, r: number, steps: number, batch: number, units: number, tid: number, nt: number): void;
  gruBackward(
    act: number, hn: number, h: number, dH: number, wh: number, dZ: number, dR: number, carry: number, steps: number, batch: number, units: number, tid: number, nt: number,
  ): void;
  gruBiasGrad(dR: number, dbh: number, steps: number, batch: number, units: number): void;
  rnnForward(z: number, wh: number, h: number, steps: number, batch: number, units: number, tid: number, nt: number): void;
  rnnBackward(h: number, dH: number, wh: number, dZ: number, carry: number, steps: number, batch: number, units: number, tid: number, nt: number): void;
  adamUpdate(w: number, g: number, m: number, v: number, n: number, lr: number, l2: number, keep: number,
    beta1: number, beta2: number, a1: number, a2: number, eps: number, c1: number, c2: number, tid: number, nt: number): void;
  convTranspose2dBackward(x: number, dy: number, n: number, inChannels: number, w: number, dx: number, db: number, col: number, mat: number, group: number, parts: number, next: number, ...geomThread: number[]): void;
  rowSqDistances(x: number, c: number, k: number, d: number, out: number, tid: number, nt: number): void;
  nearestOneScreened(x: number, c: number, k: number, d: number, scratch: number, out: number): number;
  screenOne(x: number, c: number, k: number, d: number, scratch: number, tid: number, nt: number): void;
  nearestFromScreen(x: number, c: number, k: number, d: number, scratch: number, out: number): number;
  pairDots(xs: number, cs: number, m: number, d: number, out: number, tid: number, nt: number): void;
  nearestBlock(
    x: number, rows: number, d: number, c: number, k: number, xn: number, cn: number, cRoot: number, rel: number, abs: number,
    prod: number, candX: number, candC: number, candV: number, count: number,
    labels: number, scores: number, labels2: number, scores2: number, low: number, slackRel: number, slackBase: number, labelsOnly: number,
    psums: number, codes: number, rowErr: number, cq: number, dp: number, colScale: number, colErr: number, next: number, tid: number, nt: number,
  ): void;
  normsCodes(xs: number, x: number, rows: number, d: number, norms: number, codes: number, err: number, next: number, tid: number, nt: number): void;
  lloydBounded(
    x: number, rows: number, d: number, c: number, k: number, labels: number, xn: number, cn: number, lb: number, stamp: number, decay: number,
    epsRel: number, cnMax: number, up: number, down: number, few: number,
    scores: number, verdict: number, candX: number, candC: number, candV: number, count: number, next: number, tid: number, nt: number,
  ): void;
  lloydSparse(
    x: number, rows: number, d: number, c: number, k: number, labels: number, xn: number, cn: number, cRoot: number, lb: number, stamp: number, decay: number,
    epsRel: number, cnMax: number, up: number, down: number, abs: number, last: number, labelsOnly: number,
    codes: number, rowErr: number, cq: number, dp: number, colScale: number, colErr: number,
    scores: number, count: number, work: number, psums: number, next: number, tid: number, nt: number,
  ): void;
  /** Bytes of lloydSparse's work room a thread for k prototypes. */
  lloydSparseWork(k: number): number;
  clusterSums(x: number, rows: number, d: number, labels: number, order: number, sums: number, tid: number, nt: number): void;
  sumSquares(x: number, n: number, out: number, tid: number, nt: number): void;
  somUpdate(x: number, w: number, d: number, units: number, gains: number, count: number, out: number, tid: number, nt: number): void;
  batchNormForward(x: number, y: number, xhat: number, n: number, channels: number, plane: number, stats: number,
    gamma: number, beta: number, epsilon: number, training: number, tid: number, nt: number): void;
  batchNormBackward(dy: number, xhat: number, dx: number, n: number, channels: number, plane: number, invStd: number,
    gamma: number, sums: number, batchStats: number, tid: number, nt: number): void;
  tanhForward(x: number, y: number, n: number, tid: number, nt: number): void;
  leakyReluForwardShare(x: number, y: number, n: number, alpha: number, tid: number, nt: number): void;
  leakyReluBackwardShare(x: number, dy: number, dx: number, n: number, alpha: number, tid: number, nt: number): void;
  conv2dBackwardInput(dy: number, n: number, w: number, filters: number, dx: number, col: number, mat: number, group: number, direct: number, wino: number, next: number, ...geomThread: number[]): void;
  tanhBackward(y: number, dy: number, dx: number, n: number, tid: number, nt: number): void;
}

/** 'relaxed-simd': the GEMM uses fused multiply-add (f32x4.relaxed_madd); 'simd': plain SIMD128. */
export type WasmBuild = 'relaxed-simd' | 'simd';

export interface WasmHeap {
  readonly build: WasmBuild;
  readonly fn: WasmExports;
  /** The compiled module and the shared memory, for worker threads' instances (threads.ts). */
  readonly module: object;
  readonly memory: WasmMemory;
  /** A Float32Array over the whole memory; re-read it after every reserve (growth replaces it). */
  f32: Float32Array;
  /** Where resetHeap starts: the end of the permanent region (every thread's GEMM scratch). */
  base: number;
}

let loaded: WasmHeap | null | undefined;
let loadError = '';
let top = 0;

/**
 * The loaded kernels, or null when WebAssembly SIMD is unavailable here (see wasmLoadError). The relaxed
 * SIMD build is preferred; Node 20's V8 has relaxed SIMD behind a flag, which is switched on for it
 * (LOCUS_WASM_RELAXED=0 keeps to plain SIMD).
 */
export function wasmHeap(): WasmHeap | null {
  if (loaded !== undefined) return loaded;
  try {
    if (!WA) throw new Error('this JavaScript runtime has no WebAssembly');
    loaded = process.env.LOCUS_WASM_RELAXED === '0' ? null : tryRelaxed(WA);
    loaded ??= instantiate(WA, 'simd');
  } catch (e) {
    loadError = (e as Error).message;
    loaded = null;
  }
  return loaded;
}

function tryRelaxed(wa: WasmApi): WasmHeap | null {
  const bytes = Buffer.from(WASM_RELAXED_BASE64, 'base64');
  if (!wa.validate(bytes)) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      return null;
    }
    if (!wa.validate(bytes)) return null;
  }
  return instantiate(wa, 'relaxed-simd');
}

/** A fresh instance of one build (its own memory). Throws when this runtime cannot run it. */
export function instantiateBuild(build: WasmBuild): WasmHeap {
  if (!WA) throw new Error('this JavaScript runtime has no WebAssembly');
  if (build === 'relaxed-simd' && !tryRelaxed(WA)) throw new Error('relaxed SIMD is unavailable here');
  return instantiate(WA, build);
}

function instantiate(wa: WasmApi, build: WasmBuild): WasmHeap {
  const bytes = Buffer.from(build === 'simd' ? WASM_BASE64 : WASM_RELAXED_BASE64, 'base64');
  const module = new wa.Module(bytes);
  const memory = new wa.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const fn = new wa.Instance(module, { env: { memory } }).exports as WasmExports;
  const h: WasmHeap = { build, fn, module, memory, f32: new Float32Array(memory.buffer), base: fn.heapBase() };
  fn.setScratch(reservePermanent(h, fn.scratchBytes() / 4));
  return h;
}

/**
 * Reserve `floats` for good (below every later resetHeap): a thread's GEMM scratch. Returns its byte
 * offset. Only between kernel calls (see onResetHeap): it takes the place where a call's operands start.
 */
export function reservePermanent(h: WasmHeap, floats: number): number {
  top = h.base;
  const ptr = reserve(h, floats);
  h.base = top;
  return ptr;
}

/** Why the kernels could not be loaded ('' when they were, or were never asked for). */
export function wasmLoadError(): string {
  return loadError;
}

let beforeReset: ((h: WasmHeap) => void) | null = null;

/**
 * Register what runs at the start of every resetHeap, before a call places its operands: threads.ts
 * starts its workers there, since their scratch is reserved for good (reservePermanent), which must
 * never happen while a call's operands are in place.
 */
export function onResetHeap(f: (h: WasmHeap) => void): void {
  beforeReset = f;
}

/** Start a new set of reservations (the previous call's operands are dead). */
export function resetHeap(h: WasmHeap): void {
  beforeReset?.(h);
  top = h.base;
}

/** Reserve room for `floats` values (16-byte aligned) and return its byte offset; grows memory as needed. */
export function reserve(h: WasmHeap, floats: number): number {
  const ptr = top;
  top += (floats * 4 + 15) & ~15;
  const have = h.memory.buffer.byteLength;
  if (top > have) {
    if (top > MAX_PAGES * 65536) throw new Error(`kernels: the operands need ${Math.ceil(top / 2 ** 20)} MiB, over WebAssembly's 4 GiB`);
    h.memory.grow(Math.ceil((top - have) / 65536));
    h.f32 = new Float32Array(h.memory.buffer);
  }
  return ptr;
}

// ---- resident arrays: long-lived Float32Arrays in the kernel memory, used by kernels in place ----

const residentBuffers = new WeakMap<WasmHeap, WeakSet<object>>();
const freeBlocks = new WeakMap<WasmHeap, Map<number, number[]>>();

/**
 * What a resident array is for: 'owned' (parameters, gradients, optimizer state: kernels/resident.ts's
 * ownedZeros and selfOwnedZeros), 'arena' (a training or inference arena's activations and gradients,
 * arenaZeros) or 'data' (a copy of a whole data set that many kernel calls read in a row, residentCopy).
 * Each pool has its own budget, so arenas never take the room parameters made later need.
 */
export type ResidentPool = 'owned' | 'arena' | 'data';

/**
 * Room resident arrays of each pool may hold at once. Their room comes back when their owners are
 * garbage collected, and V8 does not count it when deciding to collect: past this, new arrays are
 * ordinary ones until room comes back, so a process that drops many models between collections cannot
 * grow without bound. The arena budget holds a whole training step of the 64x64 VGG-style bench net at
 * batch 32 (124 MiB of activations and gradients); an arena over it keeps the rest in ordinary arrays.
 * The data budget holds the 60,000 Fashion-MNIST training images as floats (180 MiB) with room to spare;
 * a larger set is read from where it is, block by block.
 */
const residentBudget: Record<ResidentPool, number> = { owned: 128 * 2 ** 20, arena: 160 * 2 ** 20, data: 256 * 2 ** 20 };
const residentBytes = new WeakMap<WasmHeap, Record<ResidentPool, number>>();

function bytesOf(h: WasmHeap): Record<ResidentPool, number> {
  let b = residentBytes.get(h);
  if (!b) residentBytes.set(h, (b = { owned: 0, arena: 0, data: 0 }));
  return b;
}

/** Bytes resident arrays of h hold now (of one pool, or of both). */
export function residentInUse(h: WasmHeap, pool?: ResidentPool): number {
  const b = bytesOf(h);
  return pool ? b[pool] : b.owned + b.arena + b.data;
}

/** Set a pool's resident budget in bytes (tests; default the 'owned' pool); returns the one before. */
export function setResidentBudget(bytes: number, pool: ResidentPool = 'owned'): number {
  const before = residentBudget[pool];
  residentBudget[pool] = bytes;
  return before;
}

/**
 * A zero-filled Float32Array of n values in h's memory for good (until releaseResident), or null when
 * the pool's resident budget is spent: kernels read and write it in place (residentOffset) instead of
 * copying it in and out. The memory is shared, so the view stays valid when the memory grows. Only
 * between kernel calls (it may reserve permanent room). `zero: false` leaves a recycled block's old values
 * (for a caller that overwrites all of them at once).
 */
export function residentZeros(h: WasmHeap, n: number, pool: ResidentPool = 'owned', zero = true): Float32Array | null {
  const floats = (n + 3) & ~3;
  const used = bytesOf(h);
  if (used[pool] + floats * 4 > residentBudget[pool]) return null;
  used[pool] += floats * 4;
  let free = freeBlocks.get(h);
  if (!free) freeBlocks.set(h, (free = new Map()));
  const ptr = free.get(floats)?.pop() ?? reservePermanent(h, floats);
  const buffer = h.memory.buffer;
  let mine = residentBuffers.get(h);
  if (!mine) residentBuffers.set(h, (mine = new WeakSet()));
  mine.add(buffer);
  const a = new Float32Array(buffer, ptr, n);
  if (zero) a.fill(0);
  return a;
}

/** The byte offset of a resident array of h (residentZeros, or an Int32Array, Float64Array or Uint8Array over one), or -1 for any other array. */
export function residentOffset(h: WasmHeap, a: Float32Array | Int32Array | Float64Array | Uint8Array): number {
  return residentBuffers.get(h)?.has(a.buffer) ? a.byteOffset : -1;
}

/** Give a resident array's room back for a later residentZeros of the same size; nothing for other arrays. */
export function releaseResident(h: WasmHeap, a: Float32Array, pool: ResidentPool = 'owned'): void {
  if (residentOffset(h, a) >= 0) releaseBlock(h, a.byteOffset, a.length, pool);
}

/** Give back the room of a resident array of `length` values at byte offset ptr (the array itself may be gone). */
export function releaseBlock(h: WasmHeap, ptr: number, length: number, pool: ResidentPool = 'owned'): void {
  const floats = (length + 3) & ~3;
  bytesOf(h)[pool] -= floats * 4;
  const free = freeBlocks.get(h)!;
  const list = free.get(floats);
  if (list) list.push(ptr);
  else free.set(floats, [ptr]);
}

/**
 * The counter from which the threads of a call take their units (kernels.as, firstUnit): a fresh i32 set to
 * 0, or 0 (each thread its static share) for a call on one thread.
 */
export function unitCounter(h: WasmHeap, nt: number): number {
  return nt <= 1 ? 0 : zeroCounter(h);
}

/** A fresh i32 set to 0, for a kernel's threads to take units from with `atomic.add`. */
export function zeroCounter(h: WasmHeap): number {
  const at = reserve(h, 1);
  new Int32Array(h.f32.buffer, at, 1)[0] = 0;
  return at;
}

/** Copy src[off, off+len) into the heap at byte offset ptr. */
export function put(h: WasmHeap, ptr: number, src: Float32Array, off: number, len: number): void {
  h.f32.set(off === 0 && len === src.length ? src : src.subarray(off, off + len), ptr >> 2);
}

/** Copy src[0, len) (any 32-bit typed array) into the heap at byte offset ptr, bit for bit. */
export function putBits(h: WasmHeap, ptr: number, src: Int32Array, len: number): void {
  new Int32Array(h.f32.buffer, ptr, len).set(len === src.length ? src : src.subarray(0, len));
}

/** Copy src[0, len) (doubles) into the heap at byte offset ptr (8-byte aligned, as reserve's offsets are). */
export function putF64(h: WasmHeap, ptr: number, src: Float64Array, len: number): void {
  new Float64Array(h.f32.buffer, ptr, len).set(len === src.length ? src : src.subarray(0, len));
}

/** Copy len doubles from the heap at byte offset ptr into dst. */
export function takeF64(h: WasmHeap, ptr: number, dst: Float64Array, len: number): void {
  dst.set(new Float64Array(h.f32.buffer, ptr, len));
}

/** Copy len 32-bit values from the heap at byte offset ptr into dst, bit for bit. */
export function takeBits(h: WasmHeap, ptr: number, dst: Int32Array, len: number): void {
  dst.set(new Int32Array(h.f32.buffer, ptr, len));
}

/** Copy len values from the heap at byte offset ptr into dst from off. */
export function take(h: WasmHeap, ptr: number, dst: Float32Array, off: number, len: number): void {
  const i = ptr >> 2;
  dst.set(h.f32.subarray(i, i + len), off);
}
