/**
 * The defaults of a classifier run, written once: the engine's run set-up (engine/session), the `locus`
 * command and the app's Train form all read them from here (this file is plain data, so the renderer
 * may import it like the rest of engine/protocol).
 */
import type { OPTIMIZER_CHOICES } from './contract.js';

export type OptimizerChoice = (typeof OPTIMIZER_CHOICES)[number];

/**
 * Learning rate of each optimizer when none is given: Adam and RMSprop at the values their authors
 * (and PyTorch, TensorFlow) use; plain SGD and its momentum variants at 0.01.
 */
export const DEFAULT_LR: Readonly<Record<OptimizerChoice, number>> = Object.freeze({ sgd: 0.01, momentum: 0.01, nesterov: 0.01, rmsprop: 0.001, adam: 0.001 });

/** Momentum of the 'momentum' and 'nesterov' choices when none is given. */
export const DEFAULT_MOMENTUM = 0.9;

export const OPTIMIZER_LABELS: Readonly<Record<OptimizerChoice, string>> = Object.freeze({ sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', rmsprop: 'RMSprop', adam: 'Adam' });

/** Everything else a classifier run starts with when the user says nothing. */
export const CLASSIFIER_DEFAULTS = Object.freeze({
  preset: 'lenet5',
  optimizer: 'adam' as OptimizerChoice,
  epochs: 5,
  batchSize: 32,
  seed: 1,
  /** Fraction of each class held out for validation. */
  valFraction: 0.1,
  /** Hidden activation: tanh for LeNet-5 (as LeCun et al.), ReLU for every other preset. */
  activation: (preset: string): 'tanh' | 'relu' => (preset === 'lenet5' ? 'tanh' : 'relu'),
});
