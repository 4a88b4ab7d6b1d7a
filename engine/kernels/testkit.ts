/** Test helper: run a kernel test once on each backend (TypeScript reference, then WebAssembly SIMD). */
import { test } from 'node:test';
import { kernelBackend, setKernelBackend, type KernelBackend } from './backend.js';

export function eachBackend(title: string, fn: (backend: KernelBackend) => void): void {
  for (const b of ['ts', 'wasm'] as const) {
    test(`${title} [${b}]`, () => {
      const before = kernelBackend();
      setKernelBackend(b);
      try {
        fn(b);
      } finally {
        setKernelBackend(before);
      }
    });
  }
}
