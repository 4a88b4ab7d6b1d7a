/**
 * The model's top-level layers as named groups for telemetry and reports: "3 dense" (1-based position
 * and type, the names the Train view shows), with every param of the layer and its children.
 * Composite layers (residual, gate) count as one group.
 */
import type { Layer, Param } from '../layers/layer.js';
import type { Sequential } from '../models/sequential.js';
import { paramsOf, walkLayers } from '../models/walk.js';

export { paramsOf, walkLayers };

export interface LayerGroup {
  /** Position in model.layers. */
  index: number;
  name: string;
  layer: Layer;
  params: Param[];
}

export const layerName = (index: number, layer: Layer): string => `${index + 1} ${layer.type}`;

/** The top-level layers that hold params. */
export function paramGroups(model: Sequential): LayerGroup[] {
  const out: LayerGroup[] = [];
  model.layers.forEach((layer, index) => {
    const params = paramsOf(layer);
    if (params.length) out.push({ index, name: layerName(index, layer), layer, params });
  });
  return out;
}

/** Where a param sits: "layer 4 (dense) W", or with a nested path "layer 5.2 (conv2d) W". */
export function describeParam(model: Sequential, target: Param): string {
  let found = '';
  walkLayers(model.layers, (l, path) => {
    if (!found && l.params().includes(target)) found = `layer ${path} (${l.type}) ${target.name}`;
  });
  return found || target.name;
}
