/**
 * Optimizers see only flat lists of {value, grad} params (and their own state), never layers.
 * State is keyed by param index in the list given to step(), so always pass the same list.
 */
import type { Param } from '../layers/layer.js';
import type { OptimizerConfig } from './config.js';

export interface Optimizer {
  readonly type: string;
  /** The checked options it was created with (defaults filled in); lr here is the initial one. */
  readonly config: Readonly<OptimizerConfig>;
  /** Current learning rate; may be changed between steps (e.g. while a session is paused). */
  lr: number;
  /** Apply one update from the grads currently stored in params. Respects Param.mask. */
  step(params: readonly Param[]): void;
  /** JSON-able state (step count, moments) so training can resume exactly. */
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
}

export interface OptimizerState {
  type: string;
  t: number;
  /** Per-param slot arrays, e.g. {m: [...], v: [...]}, each a list aligned with the params. */
  slots: Record<string, number[][]>;
}
