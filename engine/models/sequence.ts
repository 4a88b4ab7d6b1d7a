/**
 * Sequence models as JSON descriptions (the form the model file stores): one or more recurrent or
 * time-delay layers over [steps, features] inputs, then a dense read-out to the classes (logits) or the
 * regression outputs.
 *  - rnn, lstm, gru: `layers` stacked recurrent layers of `units`; all but the last return every step,
 *    the last returns its final state.
 *  - tdnn: `layers` time-delay layers (conv1d, valid windows of `kernel` steps, dilation doubling per
 *    layer) each followed by tanh, then flatten: every output step reaches the read-out.
 */
import type { LayerSpec } from '../layers/layer.js';
import type { SequentialSpec } from './sequential.js';

export type CellName = 'rnn' | 'lstm' | 'gru' | 'tdnn';
export const CELLS: readonly CellName[] = Object.freeze(['rnn', 'lstm', 'gru', 'tdnn']);

export const CELL_LAYER: Readonly<Record<CellName, string>> = Object.freeze({ rnn: 'simpleRnn', lstm: 'lstm', gru: 'gru', tdnn: 'conv1d' });

export interface SequenceModelOptions {
  cell: CellName;
  steps: number;
  features: number;
  /** Classes or regression outputs. */
  outputs: number;
  /** Units per layer (default 16). */
  units?: number;
  /** Stacked layers (default 1). */
  layers?: number;
  /** Window of a time-delay layer, in steps (default 5, at most what fits). */
  kernel?: number;
}

export function sequenceSpec(o: SequenceModelOptions): SequentialSpec {
  if (!CELLS.includes(o.cell)) throw new Error(`unknown cell "${String(o.cell)}" (use ${CELLS.join(', ')})`);
  const units = o.units ?? 16;
  const depth = o.layers ?? 1;
  for (const [k, v] of Object.entries({ steps: o.steps, features: o.features, outputs: o.outputs, units, layers: depth })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`sequence model: ${k} must be a positive integer, got ${v}`);
  }
  const layers: LayerSpec[] = [];
  if (o.cell === 'tdnn') {
    let steps = o.steps;
    for (let i = 0; i < depth; i++) {
      const dilation = 2 ** i;
      const kernel = Math.max(1, Math.min(o.kernel ?? 5, Math.floor((steps - 1) / dilation) + 1));
      layers.push({ type: 'conv1d', units, kernel, dilation, init: 'glorotUniform' }, { type: 'tanh' });
      steps -= dilation * (kernel - 1);
    }
    layers.push({ type: 'flatten' });
  } else {
    for (let i = 0; i < depth; i++) layers.push({ type: CELL_LAYER[o.cell], units, returnSequences: i < depth - 1 });
  }
  layers.push({ type: 'dense', units: o.outputs, init: 'glorotUniform' });
  return { input: [o.steps, o.features], layers };
}

/** The cell of a sequence architecture, from its first layer. */
export function cellOf(spec: SequentialSpec): CellName | null {
  const t = spec.layers[0]?.type;
  const hit = CELLS.find((c) => CELL_LAYER[c] === t);
  return hit ?? null;
}
