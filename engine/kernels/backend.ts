/**
 * Which implementation the kernels run: 'wasm' (WebAssembly SIMD, the default when it loads) or 'ts'
 * (the plain TypeScript kernels, the reference the wasm path is tested against and the fallback).
 * LOCUS_KERNELS=ts forces the TypeScript path, LOCUS_KERNELS=wasm demands wasm (an error if it cannot
 * load), unset or 'auto' picks wasm when available. Tests and the bench switch with setKernelBackend.
 */
import { wasmHeap, wasmLoadError, type WasmHeap } from './wasm/runtime.js';

export type KernelBackend = 'wasm' | 'ts';
export type KernelChoice = KernelBackend | 'auto';

let active: WasmHeap | null = null;
let backend: KernelBackend = 'ts';

/** Select the kernels; 'wasm' throws with the reason when WebAssembly SIMD is unavailable. */
export function setKernelBackend(choice: KernelChoice): KernelBackend {
  if (choice !== 'auto' && choice !== 'wasm' && choice !== 'ts') {
    throw new Error(`kernels: unknown backend "${String(choice)}" (use wasm, ts or auto)`);
  }
  const h = choice === 'ts' ? null : wasmHeap();
  if (choice === 'wasm' && !h) throw new Error(`kernels: WebAssembly SIMD kernels unavailable: ${wasmLoadError()}`);
  active = h;
  backend = h ? 'wasm' : 'ts';
  return backend;
}

export function kernelBackend(): KernelBackend {
  return backend;
}

/** The wasm heap when the wasm backend is active, else null (callers then run the TypeScript kernels). */
export function wasmActive(): WasmHeap | null {
  return active;
}

setKernelBackend((process.env.LOCUS_KERNELS ?? 'auto') as KernelChoice);
