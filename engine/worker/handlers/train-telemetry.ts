/**
 * Per-layer gradient norms of the batch just trained (the grads stay in place after the optimizer
 * step until the next batch zeroes them), for the Train view's vanishing/exploding gradient chart.
 */
import type { Sequential } from '../../models/sequential.js';
import { layerParams, parametrizedLayers } from './train-arch.js';

export interface LayerProbe {
  readonly names: string[];
  /** L2 norm of each parametrized layer's gradients, in the order of `names`. */
  gradNorms(): number[];
}

export function layerProbe(model: Sequential): LayerProbe {
  const layers = parametrizedLayers(model);
  const groups = layers.map(({ index }) => layerParams(model.layers[index]));
  return {
    names: layers.map((l) => l.name),
    gradNorms: () =>
      groups.map((ps) => {
        let s = 0;
        for (const p of ps) {
          const g = p.grad;
          for (let i = 0; i < g.length; i++) s += g[i] * g[i];
        }
        return Math.sqrt(s);
      }),
  };
}
