/**
 * The Sequence view's shapes in the contract (contract.ts lists the methods and events): a recurrent or
 * time-delay network trained on the loaded folder read row by row, or on a generated series, with the
 * gate activations over time of one chosen probe sequence.
 */
import { arr, bool, count, f32, type Infer, literal, nullable, num, obj, optional, str } from './guard.js';
import { RunId } from './runs.js';

export const SEQ_TASKS = ['rows', 'sines', 'next', 'memory', 'adding'] as const;
export type SeqTask = (typeof SEQ_TASKS)[number];
export const SEQ_CELLS = ['rnn', 'lstm', 'gru', 'tdnn'] as const;
export type SeqCell = (typeof SEQ_CELLS)[number];
export const SEQ_OPTIMIZERS = ['adam', 'rmsprop', 'momentum', 'nesterov', 'sgd'] as const;
export const SEQ_STATES = ['running', 'paused', 'stopped'] as const;

export const SeqConfig = obj({
  task: literal(...SEQ_TASKS),
  cell: literal(...SEQ_CELLS),
  units: num({ int: true, min: 1, max: 1024 }),
  layers: num({ int: true, min: 1, max: 8 }),
  /** Window of a time-delay layer, in steps (default 5). */
  kernel: optional(num({ int: true, min: 1, max: 64 })),
  epochs: num({ int: true, min: 1, max: 10_000 }),
  batchSize: num({ int: true, min: 1, max: 4096 }),
  optimizer: optional(literal(...SEQ_OPTIMIZERS)),
  lr: num({ min: 0, max: 10 }),
  /** Clip the global gradient norm to this (0: off). */
  clipNorm: num({ min: 0, max: 1e9 }),
  seed: count(0xffffffff),
  /** Generated series (every task but rows): how many, and the series options (defaults in engine/data/series.ts). */
  series: optional(
    obj({
      n: optional(num({ int: true, min: 8, max: 200_000 })),
      steps: optional(num({ int: true, min: 2, max: 2000 })),
      classes: optional(num({ int: true, min: 2, max: 16 })),
      noise: optional(num({ min: 0, max: 100 })),
    }),
  ),
  /** Share of a generated set held out for validation (default 0.1; image rows use the Data view's split). */
  valFraction: optional(num({ min: 0, max: 0.9 })),
  /** Probe sequences the gate traces are measured on (default 32), and the one drawn (default 0). */
  probe: optional(num({ int: true, min: 1, max: 256 })),
  sample: optional(count()),
  /** Start paused, to step batch by batch. */
  paused: optional(bool),
  /** A name for the run (for comparing runs). */
  label: optional(str({ max: 100 })),
  /** The run's id, chosen by the client (its events can be told apart before the reply); absent: the engine makes one. */
  runId: optional(RunId),
  /**
   * Continue training the network saved in this "sequence" model file (its layers and, when saved, its
   * optimizer state; the task must be the file's, and image rows keep the file's normalization).
   */
  model: optional(str({ min: 1, max: 4096 })),
});
export type SeqConfig = Infer<typeof SeqConfig>;

export const SeqStarted = obj({
  runId: RunId,
  label: str({ max: 100 }),
  steps: count(),
  features: count(),
  kind: literal('classify', 'regress'),
  /** Class names (classify); empty for regression. */
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
  outputs: count(),
  train: count(),
  val: count(),
  params: count(),
  batches: count(),
  /** Probe sequences available to sequence.sample. */
  probe: count(),
});
export type SeqStarted = Infer<typeof SeqStarted>;

/** One layer's activity over time: the gates of a recurrent cell, or a time-delay layer's tanh outputs. */
export const SeqTrace = obj({
  layer: str({ max: 200 }),
  steps: count(),
  units: count(),
  /** input, forget, cell, output, c, h (LSTM); reset, update, new, h (GRU); h (RNN); tanh (TDNN). */
  names: arr(str({ max: 64 }), { max: 16 }),
  /** Per name: the mean over the probe batch and the units at each step [steps]. */
  means: arr(f32(), { max: 16 }),
  /** Per name: the chosen sample's [steps, units] matrix, row-major. */
  matrices: arr(f32(), { max: 16 }),
});
export type SeqTrace = Infer<typeof SeqTrace>;

export const SeqGates = obj({
  runId: RunId,
  /** Epochs finished and optimizer steps taken when it was measured. */
  epoch: count(),
  step: count(),
  /** Position of the sample in the probe set, and its class (-1 for regression) or target. */
  sample: count(),
  label: num({ int: true, min: -1 }),
  target: nullable(num()),
  /** The sample's input [steps, features], as the network reads it. */
  input: f32(),
  /** The network's output for it: class probabilities, or the regression outputs. */
  output: f32(),
  traces: arr(SeqTrace, { max: 64 }),
});
export type SeqGates = Infer<typeof SeqGates>;

export const SeqDone = obj({
  runId: RunId,
  reason: literal('completed', 'stopped', 'diverged', 'failed'),
  message: str({ max: 4096 }),
  epochs: count(),
});
export type SeqDone = Infer<typeof SeqDone>;
