/** Small helpers shared by the optimizer tests (not used at run time). */
import assert from 'node:assert/strict';
import type { Param } from '../layers/layer.js';

export function param(name: string, value: number[], grad: number[], opts: { decay?: boolean; mask?: number[] } = {}): Param {
  const p: Param = {
    name,
    shape: [value.length],
    value: Float32Array.from(value),
    grad: Float32Array.from(grad),
    decay: opts.decay ?? true,
  };
  if (opts.mask) p.mask = Uint8Array.from(opts.mask);
  return p;
}

/**
 * Values are stored as float32, so a hand-worked float64 figure is met to within a few float32 ulps:
 * |actual - expected| <= 3e-7 * max(1, |expected|). Any real mistake in an update rule is far larger.
 */
export function assertClose(actual: ArrayLike<number>, expected: readonly number[], what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tol = 3e-7 * Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}
