/**
 * Networks for the Train view: a preset (engine/models/presets.ts) or an explicit layer list becomes
 * a classifier for the loaded folder's image size and class count; a network is summarized layer by layer.
 */
import type { Rng } from '../core/rng.js';
import { LabError, type ArchitectureRequest, type LayerRow } from '../protocol/contract.js';
import '../layers/index.js';
import { specOf, type Layer } from '../layers/layer.js';
import { classifierModel, PRESETS, type PresetOptions } from '../models/presets.js';
import type { Sequential } from '../models/sequential.js';

/** Build the network a request describes; a bad description is an 'invalid' LabError with the reason. */
export function buildClassifier(req: ArchitectureRequest, input: readonly number[], classes: number, rng: Rng): Sequential {
  const o: PresetOptions = {};
  if (req.activation) o.activation = req.activation;
  if (req.dropout) o.dropout = req.dropout;
  if (req.inputDropout) o.inputDropout = req.inputDropout;
  if (req.batchNorm !== undefined) o.batchNorm = req.batchNorm;
  if (req.depth !== undefined) o.depth = req.depth;
  if (req.layers) o.layers = req.layers;
  try {
    return classifierModel(req.layers ? 'custom' : (req.preset ?? 'lenet5'), input, classes, o, rng);
  } catch (e) {
    throw new LabError({ message: `the network cannot be built: ${(e as Error).message}`, code: 'invalid' });
  }
}

/** The preset names known to the engine ('custom' is an explicit layer list). */
export const presetNames = (): string[] => [...PRESETS];

function paramCount(l: Layer): number {
  let n = 0;
  for (const p of l.params()) n += p.value.length;
  for (const c of l.children?.() ?? []) n += paramCount(c);
  return n;
}

export function layerRows(model: Sequential): LayerRow[] {
  return model.layers.map((l) => ({ type: l.type, outputShape: [...l.outputShape], params: paramCount(l), spec: specOf(l) }));
}

/** Names of the top-level layers that hold parameters ("1 conv2d"), with those layers' indices. */
export function parametrizedLayers(model: Sequential): { index: number; name: string }[] {
  const out: { index: number; name: string }[] = [];
  model.layers.forEach((l, i) => {
    if (paramCount(l) > 0) out.push({ index: i, name: `${i + 1} ${l.type}` });
  });
  return out;
}

/** Every parameter of a layer and its children (the same order as Sequential.params()). */
export function layerParams(l: Layer): ReturnType<Layer['params']> {
  const out = [...l.params()];
  for (const c of l.children?.() ?? []) out.push(...layerParams(c));
  return out;
}
