/** Constructors for a layer's trainable params and saved buffers. */
import { sizeOf } from '../core/tensor.js';
import { selfOwnedZeros } from '../kernels/resident.js';
import type { Buffer, Param } from './layer.js';

export function makeParam(name: string, shape: readonly number[], decay: boolean): Param {
  const n = sizeOf(shape);
  // In the kernel memory when wasm runs the kernels (kernels/resident.ts): used in place, not copied.
  return { name, shape: [...shape], value: selfOwnedZeros(n), grad: selfOwnedZeros(n), decay };
}

export function makeBuffer(name: string, shape: readonly number[], fill = 0): Buffer {
  return { name, shape: [...shape], value: new Float32Array(sizeOf(shape)).fill(fill) };
}
