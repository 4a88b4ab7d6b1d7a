/** Walking a network's layer tree: composite layers (residual, gate) hold children. */
import type { Buffer, Layer, Param } from '../layers/layer.js';

/** Every layer under `layers`, depth first, with its 1-based path ("4", "4.2" for a child of layer 4). */
export function walkLayers(layers: readonly Layer[], visit: (layer: Layer, path: string) => void, prefix = ''): void {
  layers.forEach((l, i) => {
    const path = prefix ? `${prefix}.${i + 1}` : `${i + 1}`;
    visit(l, path);
    if (l.children) walkLayers(l.children(), visit, path);
  });
}

/** Params of a layer and its children, depth first (the order of Sequential.params()). */
export function paramsOf(layer: Layer): Param[] {
  const out = [...layer.params()];
  for (const c of layer.children?.() ?? []) out.push(...paramsOf(c));
  return out;
}

/** Buffers of a layer and its children, depth first (the order of Sequential.buffers()). */
export function buffersOf(layer: Layer): Buffer[] {
  const out = [...layer.buffers()];
  for (const c of layer.children?.() ?? []) out.push(...buffersOf(c));
  return out;
}
