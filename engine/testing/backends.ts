/**
 * Run a test body once on each kernel backend this runtime has (the TypeScript kernels, then the wasm
 * ones when they load), putting the automatic choice back after each.
 */
import { setKernelBackend } from '../kernels/backend.js';

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
