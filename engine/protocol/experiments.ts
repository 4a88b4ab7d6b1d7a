/**
 * Experiments in the contract (contract.ts lists the experiments.* methods and experiment.* events).
 *
 * An experiment is a small versioned JSON file (engine/io/experiment.schema.json): a title, the idea it
 * shows, its data, a base run config of one kind, 2-6 variants that each change one thing, the figures
 * to compare, the pictures to show and a short explanation. Running it trains every variant as a normal
 * run (kept in the workspace: rename, continue, export) and gathers the results: each variant's curves
 * and final figures, per-layer traces over the steps, pictures, and a one-line finding computed from the
 * figures. The app's Experiments view and `locus experiment` both run them through engine/session.
 */
import { arr, bool, count, f32, type Infer, literal, nullable, num, obj, optional, str } from './guard.js';
import { Figures, JsonObject, RunId } from './runs.js';

export const EXPERIMENT_KINDS = ['classifier', 'sequence', 'cluster', 'gan', 'local'] as const;
export type ExperimentKind = (typeof EXPERIMENT_KINDS)[number];

/** An experiment's id: lower-case letters, digits and dashes (a built-in's name, or a saved file's). */
export const ExperimentId = str({ min: 1, max: 64 });

/** What the experiment list shows of one experiment. */
export const ExperimentInfo = obj({
  id: ExperimentId,
  title: str({ max: 200 }),
  /** The idea it shows, in a few words ("vanishing gradients"). */
  idea: str({ max: 200 }),
  kind: literal(...EXPERIMENT_KINDS),
  /** What to look for (3-6 sentences). */
  explanation: str({ max: 4000 }),
  /** The variants' names, in order. */
  variants: arr(str({ max: 100 }), { max: 8 }),
  /** The data it runs on by default, in words ("the bundled sample, 100 images a class"). */
  data: str({ max: 300 }),
  /** Whether the experiment can run on the folder open in Data instead of its own data. */
  folder: literal('no', 'optional', 'required'),
  /** The settings it is about (e.g. "train.activation"): where the app links to it from. */
  settings: arr(str({ max: 64 }), { max: 16 }),
  /** Figure keys its table compares, in order. */
  metrics: arr(str({ max: 64 }), { max: 16 }),
  builtin: bool,
});
export type ExperimentInfo = Infer<typeof ExperimentInfo>;

/** A measure with one value per layer (or per unit, per expert ...) at each x: e.g. gradient norm per layer over steps. */
export const ExperimentTrace = obj({
  key: str({ max: 64 }),
  label: str({ max: 200 }),
  /** What x counts ("step", "epoch", "channel"). */
  xTitle: str({ max: 64 }),
  /** Draw on a log scale (gradient norms). */
  log: optional(bool),
  names: arr(str({ max: 200 }), { max: 256 }),
  x: arr(num(), { max: 100_000 }),
  /** One row per name, each as long as x; null where a value is missing. */
  y: arr(arr(nullable(num()), { max: 100_000 }), { max: 256 }),
});
export type ExperimentTrace = Infer<typeof ExperimentTrace>;

/** A picture of a variant: a grid of images (prototypes, samples, filters), planar floats in [0, 1]. */
export const ExperimentPicture = obj({
  key: str({ max: 64 }),
  label: str({ max: 200 }),
  count: count(4096),
  channels: count(4),
  height: count(512),
  width: count(512),
  data: f32(),
});
export type ExperimentPicture = Infer<typeof ExperimentPicture>;

export const VARIANT_OUTCOMES = ['completed', 'stopped', 'early-stopped', 'diverged', 'failed', 'cancelled'] as const;

/** One variant's results. */
export const VariantResult = obj({
  name: str({ max: 100 }),
  /** What this variant changes from the base, in words ("activation: sigmoid"). */
  change: str({ max: 500 }),
  /** The variant's run in the workspace (null when it was not recorded). */
  runId: nullable(RunId),
  /** The run config the variant trained with (the base with its change). */
  config: JsonObject,
  /** Figures per epoch (epoch, trainLoss, valAcc, ...). */
  history: arr(Figures, { max: 100_000 }),
  traces: arr(ExperimentTrace, { max: 16 }),
  pictures: arr(ExperimentPicture, { max: 8 }),
  /** Final figures: the ones the table compares and more. */
  figures: Figures,
  outcome: obj({ reason: literal(...VARIANT_OUTCOMES), message: str({ max: 2000 }) }),
  seconds: num({ min: 0 }),
});
export type VariantResult = Infer<typeof VariantResult>;

export const EXPERIMENT_STATES = ['running', 'completed', 'cancelled', 'failed'] as const;

/** An experiment's results: what the report and the JSON export hold. */
export const ExperimentResults = obj({
  format: literal('locus-experiment-results'),
  version: literal(1),
  runId: RunId,
  experiment: JsonObject,
  info: ExperimentInfo,
  /** The Locus version that ran it. */
  locus: str({ max: 64 }),
  seed: count(0xffffffff),
  /** The data it ran on, in words. */
  data: str({ max: 2000 }),
  started: str({ max: 64 }),
  seconds: num({ min: 0 }),
  state: literal(...EXPERIMENT_STATES),
  message: str({ max: 2000 }),
  variants: arr(VariantResult, { max: 8 }),
  /** One line computed from the figures ("first-layer gradient norm: sigmoid 7e-7, ReLU 0.9"). */
  finding: str({ max: 2000 }),
});
export type ExperimentResults = Infer<typeof ExperimentResults>;

export const ExperimentStartParams = obj({
  /** A built-in's id, or ... */
  id: optional(ExperimentId),
  /** ... an experiment file's content (validated against the schema). */
  file: optional(JsonObject),
  /** 'folder': run on the folder open in Data (where the experiment allows it); default its own data. */
  data: optional(literal('default', 'folder')),
  /** The experiment run's id, chosen by the client. */
  runId: RunId,
});
export const ExperimentStarted = obj({ runId: RunId, variants: count(8), info: ExperimentInfo });

export const ExperimentProgress = obj({
  runId: RunId,
  /** The variant training now (0-based) and how many there are. */
  variant: count(8),
  variants: count(8),
  name: str({ max: 100 }),
  /** Of the whole experiment, 0 to 1. */
  fraction: num({ min: 0, max: 1 }),
  message: str({ max: 500 }),
});
export const ExperimentVariantEvent = obj({ runId: RunId, index: count(8), result: VariantResult });
export const ExperimentDone = obj({ runId: RunId, state: literal(...EXPERIMENT_STATES), message: str({ max: 2000 }), finding: str({ max: 2000 }) });

export const ExperimentExportParams = obj({
  runId: RunId,
  format: literal('html', 'json'),
  path: str({ min: 1, max: 4096 }),
  /** Replace a file that is there (default: refuse with code 'exists'). */
  overwrite: optional(bool),
});

/** Make an experiment from finished runs of one kind: what differs between them becomes the variants. */
export const ExperimentFromRunsParams = obj({
  runIds: arr(RunId, { max: 6 }),
  title: str({ min: 1, max: 200 }),
  /** Where to save the file (absent: only returned). */
  path: optional(str({ min: 1, max: 4096 })),
  overwrite: optional(bool),
});
export const ExperimentFromRunsResult = obj({
  experiment: JsonObject,
  /** The settings that differ between the runs (each variant's change). */
  differs: arr(str({ max: 200 }), { max: 64 }),
  path: nullable(str({ max: 4096 })),
});

/** Read an experiment file (validated), to show it and run it. */
export const ExperimentOpenParams = obj({ path: str({ min: 1, max: 4096 }) });
export const ExperimentOpened = obj({ info: ExperimentInfo, experiment: JsonObject });

// ---------------------------------------------------------------------------------------------------
// Figures in words: one rule for the app's tables, the report and the command line.

const FIGURE_NAMES: Record<string, string> = {
  valAcc: 'validation accuracy',
  valLoss: 'validation loss',
  trainAcc: 'training accuracy',
  trainLoss: 'training loss',
  gap: 'train − validation accuracy',
  gradFirst: 'first-layer gradient norm',
  gradLast: 'last-layer gradient norm',
  update1: 'update / weight at step 1',
  dead: 'dead ReLU units',
  saturated: 'saturated units',
  shiftedAcc: 'accuracy on shifted images',
  weightRms: 'weight RMS',
  params: 'parameters',
  paramsBefore: 'parameters before growing',
  work: 'training work',
  grownAcc: 'accuracy right after growing',
  grownFromAcc: 'accuracy before growing',
  unprunedAcc: 'accuracy before pruning',
  sparsity: 'weights removed',
  epochs: 'epochs',
  bestValAcc: 'best validation accuracy',
  epochsTo90: 'epochs to 90%',
  coverage: 'coverage of the real set',
  units: 'units',
  labelled: 'labelled images',
  distance: 'energy distance',
  pullEarly: "generator's early gradient",
  dLoss: 'D loss',
  gLoss: 'G loss',
  lossD: 'D loss',
  lossG: 'G loss',
  confident: 'confident samples',
  confidentReal: 'confident real images',
  classSpread: 'classes among confident samples',
  inertia: 'inertia',
  purity: 'purity',
  categories: 'categories',
  qe: 'quantization error',
  te: 'topographic error',
  accuracy: 'accuracy',
  loss: 'loss',
  prototypes: 'prototypes',
  lr: 'learning rate',
  seconds: 'seconds',
};

/** A figure's name in words (a key without one is shown as it is). */
export const figureName = (key: string): string => FIGURE_NAMES[key] ?? key;

/** Figures that are shares of something (0 to 1), written as percentages. */
const PERCENT = /acc|purity|dead|saturated|share|gap|sparsity|confident|coverage|^te$/i;
export const isShare = (key: string): boolean => PERCENT.test(key);

/**
 * A figure as text: shares as percentages with one decimal, very small or very large numbers in
 * exponent form (a sigmoid net's first-layer gradient norm is 3e-6), counts as integers (grouped by
 * thousands, in full below ten million), the rest with
 * two or three significant digits. A missing or non-finite value is a dash.
 */
export function formatFigure(key: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (isShare(key)) return `${(100 * v).toFixed(1)}%`;
  const a = Math.abs(v);
  // Counts (parameters, categories) in full up to ten million, grouped by thousands: 118,282.
  if (Number.isInteger(v) && a < 1e7) return v.toLocaleString('en-US');
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}
