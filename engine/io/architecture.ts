/**
 * Checks on an architecture from a file before anything is built: the input shape's size, the number of
 * layers (nested included) and the size of every number in the layer options, so a hostile file cannot
 * make the builder allocate absurd amounts of memory. The layer registry then checks the options.
 */
import type { LayerSpec } from '../layers/layer.js';
import type { SequentialSpec } from '../models/sequential.js';
import { checkFreeForm } from './bounds.js';
import { ModelFileError } from './errors.js';
import { LIMITS } from './limits.js';

export function checkArchitecture(spec: SequentialSpec): void {
  const { input } = spec;
  if (input.length > LIMITS.maxRank) throw new ModelFileError(`architecture: input has ${input.length} axes, at most ${LIMITS.maxRank} allowed`);
  for (const d of input) {
    if (d > LIMITS.maxDim) throw new ModelFileError(`architecture: input axis ${d} is larger than ${LIMITS.maxDim}`);
  }
  // Bounded before the walk below builds a name for every option.
  checkFreeForm(spec.layers, 'architecture', LIMITS.maxArchitectureValues);
  let count = 0;
  const visit = (v: unknown, where: string, layer: string): void => {
    if (typeof v === 'string') {
      if (v.length > LIMITS.maxNameLength) throw new ModelFileError(`architecture: layer ${layer} option ${where} is longer than ${LIMITS.maxNameLength} characters`);
    } else if (typeof v === 'number') {
      if (Math.abs(v) > LIMITS.maxOptionValue) {
        throw new ModelFileError(`architecture: layer ${layer} option ${where} = ${v} is larger than ${LIMITS.maxOptionValue}`);
      }
      // A normalization's epsilon keeps 1 / sqrt(variance + epsilon) finite in float32 when a variance is 0.
      if ((where === 'epsilon' || where.endsWith('.epsilon')) && !(v >= LIMITS.minEpsilon)) {
        throw new ModelFileError(`architecture: layer ${layer} option ${where} = ${v}; it must be at least ${LIMITS.minEpsilon} (a smaller one divides a zero variance into overflow)`);
      }
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${where}[${i}]`, layer));
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // A nested layer description counts as a layer.
      if (typeof o.type === 'string' && where !== '') {
        if (++count > LIMITS.maxLayers) throw new ModelFileError(`architecture: more than ${LIMITS.maxLayers} layers`);
      }
      for (const k of Object.keys(o)) visit(o[k], where ? `${where}.${k}` : k, layer);
    }
  };
  spec.layers.forEach((l: LayerSpec, i) => {
    if (++count > LIMITS.maxLayers) throw new ModelFileError(`architecture: more than ${LIMITS.maxLayers} layers`);
    visit(l, '', `${i} (${String(l.type).slice(0, 64)})`);
  });
}
