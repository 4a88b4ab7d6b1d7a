/** Forward and backward through a chain of layers, for composite layers (residual, gate). */
import type { Arena } from '../core/arena.js';
import type { Tensor } from '../core/tensor.js';
import type { ForwardContext, Layer } from './layer.js';

export function forwardChain(layers: readonly Layer[], x: Tensor, ctx: ForwardContext): { y: Tensor; caches: unknown[] } {
  const caches: unknown[] = new Array(layers.length);
  let h = x;
  for (let i = 0; i < layers.length; i++) {
    const r = layers[i].forward(h, ctx);
    caches[i] = r.cache;
    h = r.y;
  }
  return { y: h, caches };
}

export function backwardChain(layers: readonly Layer[], caches: readonly unknown[], dy: Tensor, arena?: Arena): Tensor {
  let g = dy;
  for (let i = layers.length - 1; i >= 0; i--) g = layers[i].backward(caches[i], g, true, arena);
  return g;
}
