/**
 * Optimizers by name: `createOptimizer({type: 'adam', lr: 1e-3})`. Each type has frozen DEFAULTS; a
 * spec may give any subset of its options and nothing else.
 */
import { Adam, ADAM_DEFAULTS } from './adam.js';
import type { OptimizerConfig, OptimizerSpec, OptimizerType } from './config.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import { Rmsprop, RMSPROP_DEFAULTS } from './rmsprop.js';
import { Sgd, SGD_DEFAULTS } from './sgd.js';

export type { AdamConfig, DecayMode, OptimizerConfig, OptimizerSpec, OptimizerType, RmspropConfig, SgdConfig } from './config.js';
export type { Optimizer, OptimizerState } from './optimizer.js';
export { clipGradNorm, gradNorm } from './clip.js';
export { Adam, Rmsprop, Sgd };

export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerType, Readonly<OptimizerConfig>>> = Object.freeze({
  sgd: SGD_DEFAULTS,
  rmsprop: RMSPROP_DEFAULTS,
  adam: ADAM_DEFAULTS,
});

export const OPTIMIZER_TYPES = Object.keys(OPTIMIZER_DEFAULTS) as OptimizerType[];

/** Build an optimizer from a JSON spec; throws with a clear reason on an unknown type or bad option. */
export function createOptimizer(spec: OptimizerSpec | unknown): Optimizer {
  const type = spec !== null && typeof spec === 'object' ? (spec as { type?: unknown }).type : undefined;
  switch (type) {
    case 'sgd':
      return new Sgd(spec);
    case 'rmsprop':
      return new Rmsprop(spec);
    case 'adam':
      return new Adam(spec);
    default:
      throw new Error(`unknown optimizer type ${JSON.stringify(type) ?? 'undefined'} (known: ${OPTIMIZER_TYPES.join(', ')})`);
  }
}

/** An optimizer that continues exactly where a saved one stopped (same options, lr and state). */
export function restoreOptimizer(spec: OptimizerSpec | unknown, state: OptimizerState, lr?: number): Optimizer {
  const o = createOptimizer(spec);
  o.setState(state);
  if (lr !== undefined) o.lr = lr;
  return o;
}
