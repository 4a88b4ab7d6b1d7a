/**
 * Arrays that stay in the WebAssembly kernel memory for the life of their owner (an optimizer's moment
 * estimates, a layer's weights and gradients), so the wasm kernels use them in place instead of copying
 * them in and out every step. They are ordinary Float32Arrays to everything else. Without the wasm
 * backend they are plain arrays. Their room is recycled when the owner is garbage collected, or at once
 * when the owner replaces them (releaseArrays).
 */
import { wasmActive } from './backend.js';
import { releaseBlock, releaseResident, residentZeros, wasmHeap, type ResidentPool } from './wasm/runtime.js';

const registry = new FinalizationRegistry<Float32Array[]>((arrays) => releaseArrays(arrays));

/**
 * Zero-filled arrays of the given lengths, owned by `owner`: resident when the wasm backend is active
 * (and the resident budget not spent), else ordinary arrays.
 */
export function ownedZeros(owner: object, lengths: readonly number[]): Float32Array[] {
  const h = wasmActive();
  const arrays = lengths.map((n) => (h && residentZeros(h, n)) || new Float32Array(n));
  if (h) registry.register(owner, arrays, arrays);
  return arrays;
}

/** Give the room of arrays from ownedZeros back now (their owner no longer uses them). */
export function releaseArrays(arrays: Float32Array[]): void {
  registry.unregister(arrays);
  const h = wasmHeap();
  if (h) for (const a of arrays) releaseResident(h, a);
}

/** Below this many values an array stays an ordinary one (its copies cost less than a kernel call). */
const MIN_RESIDENT = 1024;

const selfOwned = new FinalizationRegistry<{ ptr: number; length: number; pool: ResidentPool }>(({ ptr, length, pool }) => {
  const h = wasmHeap();
  if (h) releaseBlock(h, ptr, length, pool);
});

/**
 * A zero-filled array of n values, resident when the wasm backend is active and n is large enough, whose
 * room is recycled when the array itself is garbage collected (a layer's weights and gradients: the
 * array is the only thing that reaches the room; nothing in the engine keeps a subarray of it). Pool
 * 'data' (a data set's samples, which kernels such as Lloyd's passes then read in place instead of copying
 * them in) takes the data budget instead of the parameters'.
 */
export function selfOwnedZeros(n: number, pool: 'owned' | 'data' = 'owned'): Float32Array {
  const h = n >= MIN_RESIDENT ? wasmActive() : null;
  const a = h && residentZeros(h, n, pool);
  if (!a) return new Float32Array(n);
  selfOwned.register(a, { ptr: a.byteOffset, length: n, pool });
  return a;
}

/**
 * A zero-filled Float64Array of n values on selfOwnedZeros's terms: resident when the wasm backend is
 * active and it is large enough, its room recycled when the array itself is garbage collected (Lloyd's
 * distance bounds, which its kernels then read and write in place).
 */
export function selfOwnedF64(n: number, pool: 'owned' | 'data' = 'owned'): Float64Array {
  const h = 2 * n >= MIN_RESIDENT ? wasmActive() : null;
  const f = h && residentZeros(h, 2 * n, pool);
  if (!f) return new Float64Array(n);
  const a = new Float64Array(f.buffer, f.byteOffset, n);
  selfOwned.register(a, { ptr: f.byteOffset, length: 2 * n, pool });
  return a;
}

/**
 * A zero-filled array of n values for an arena (core/arena.ts): resident when the wasm backend is active,
 * n is large enough and the arenas' own resident budget has room (wasm/runtime.ts's 'arena' pool, apart
 * from the parameters' budget), else an ordinary array. The kernels then read a layer's input and write
 * its output where they are, instead of copying them in and out of the kernel memory. The room is
 * recycled when the array is garbage collected (the arena is its owner).
 */
export function arenaZeros(n: number): Float32Array {
  const h = n >= MIN_RESIDENT ? wasmActive() : null;
  const a = h && residentZeros(h, n, 'arena');
  if (!a) return new Float32Array(n);
  selfOwned.register(a, { ptr: a.byteOffset, length: n, pool: 'arena' });
  return a;
}

/**
 * An Int32Array of n zeros for an arena (max pooling's winner indices), in the kernel memory on the same
 * terms as arenaZeros, so the pooling kernels read and write it in place; else an ordinary array.
 */
export function arenaInts(n: number): Int32Array {
  const h = n >= MIN_RESIDENT ? wasmActive() : null;
  const f = h && residentZeros(h, n, 'arena');
  if (!f) return new Int32Array(n);
  const a = new Int32Array(f.buffer, f.byteOffset, n);
  selfOwned.register(a, { ptr: a.byteOffset, length: n, pool: 'arena' });
  return a;
}

/**
 * A copy of src in the kernel memory (the 'data' pool), for a whole data set that many kernel calls read
 * in a row (Lloyd's passes over every sample): they then read it in place instead of copying each block
 * in again. null without the wasm backend, for a small src, or when the pool's budget is spent (the caller
 * then copies block by block as before). Give it back with releaseCopy when the calls are done; if it is
 * dropped instead, its room is recycled when it is garbage collected.
 */
export function residentCopy(src: Float32Array): Float32Array | null {
  const h = src.length >= MIN_RESIDENT ? wasmActive() : null;
  const a = h && residentZeros(h, src.length, 'data', false);
  if (!a) return null;
  a.set(src);
  selfOwned.register(a, { ptr: a.byteOffset, length: a.length, pool: 'data' }, a);
  return a;
}

/**
 * Room for n floats in the kernel memory's 'data' pool, not zeroed, on residentCopy's terms (null without
 * room; give it back with releaseCopy): a whole data set's derived values, such as pixel codes.
 */
export function residentRoom(n: number): Float32Array | null {
  const h = n >= MIN_RESIDENT ? wasmActive() : null;
  const a = h && residentZeros(h, n, 'data', false);
  if (!a) return null;
  selfOwned.register(a, { ptr: a.byteOffset, length: a.length, pool: 'data' }, a);
  return a;
}

/** Give the room of a residentCopy back now (nothing for any other array, or a second time). */
export function releaseCopy(a: Float32Array): void {
  if (!selfOwned.unregister(a)) return;
  const h = wasmHeap();
  if (h) releaseBlock(h, a.byteOffset, a.length, 'data');
}
