import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelBackend, setKernelBackend, wasmActive, type KernelChoice } from './backend.js';
import { gemm } from './gemm.js';

test('setKernelBackend switches between the TypeScript and WebAssembly kernels and refuses unknown names', () => {
  const before = kernelBackend();
  try {
    assert.equal(setKernelBackend('ts'), 'ts');
    assert.equal(wasmActive(), null);
    assert.equal(setKernelBackend('auto'), 'wasm', 'Node 20+ runs WebAssembly SIMD, so auto picks it');
    assert.ok(wasmActive());
    assert.throws(() => setKernelBackend('gpu' as KernelChoice), /unknown backend "gpu"/);
    // Both give the same small product.
    const a = Float32Array.from([1, 2, 3, 4]);
    const out: number[][] = [];
    for (const b of ['ts', 'wasm'] as const) {
      setKernelBackend(b);
      const c = new Float32Array(4);
      gemm(false, true, 2, 2, 2, 1, a, 0, a, 0, 0, c, 0);
      out.push(Array.from(c));
    }
    assert.deepEqual(out[0], [5, 11, 11, 25]);
    assert.deepEqual(out[1], out[0]);
  } finally {
    setKernelBackend(before);
  }
});
