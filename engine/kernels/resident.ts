/**
 * Arrays that stay in the WebAssembly kernel memory for the life of their owner (an optimizer's moment
 * estimates), so the wasm kernels update them in place instead of copying them in and out every step.
 * They are ordinary Float32Arrays to everything else. Without the wasm backend they are plain arrays.
 * The room of an owner's arrays is recycled when the owner is garbage collected, or at once when the
 * owner replaces them (releaseArrays).
 */
import { wasmActive } from './backend.js';
import { releaseResident, residentZeros, wasmHeap } from './wasm/runtime.js';

const registry = new FinalizationRegistry<Float32Array[]>((arrays) => releaseArrays(arrays));

/** Zero-filled arrays of the given lengths, resident when the wasm backend is active, owned by `owner`. */
export function ownedZeros(owner: object, lengths: readonly number[]): Float32Array[] {
  const h = wasmActive();
  const arrays = lengths.map((n) => (h ? residentZeros(h, n) : new Float32Array(n)));
  if (h) registry.register(owner, arrays, arrays);
  return arrays;
}

/** Give the room of arrays from ownedZeros back now (their owner no longer uses them). */
export function releaseArrays(arrays: Float32Array[]): void {
  registry.unregister(arrays);
  const h = wasmHeap();
  if (h) for (const a of arrays) releaseResident(h, a);
}
