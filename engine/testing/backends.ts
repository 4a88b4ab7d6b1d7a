/**
 * Test helpers for the kernel backends: run a body once on each backend this runtime has, or on the wasm
 * kernels with 1 and then 2 threads.
 */
import { setKernelBackend, wasmActive } from '../kernels/backend.js';
import type { WasmHeap } from '../kernels/wasm/runtime.js';
import { setKernelThreads, wantedThreads } from '../kernels/wasm/threads.js';

/**
 * Run a test body once on each kernel backend this runtime has (the TypeScript kernels, then the wasm
 * ones when they load), putting the automatic choice back after each.
 */
export function onEachBackend(f: (backend: 'ts' | 'wasm') => void): void {
  for (const backend of ['ts', 'wasm'] as const) {
    try {
      if (setKernelBackend(backend) !== backend) continue;
    } catch {
      continue;
    }
    try {
      f(backend);
    } finally {
      setKernelBackend('auto');
    }
  }
}

/**
 * Run a test body on the wasm kernels with 1 and then 2 kernel threads, putting the wanted thread count
 * back after; false, running nothing, when the wasm kernels do not load here.
 */
export function onOneAndTwoThreads(f: (h: WasmHeap, threads: number) => void): boolean {
  const h = wasmActive();
  if (!h) return false;
  const before = wantedThreads();
  try {
    for (const threads of [1, 2]) {
      setKernelThreads(threads);
      f(h, threads);
    }
  } finally {
    setKernelThreads(before);
  }
  return true;
}
