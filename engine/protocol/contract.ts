/**
 * The one contract between the renderer, the shell (Electron main or the browser host) and the engine
 * process. Every request method and every event is listed here once, with a guard for its params, its
 * result or its payload; the TypeScript types are inferred from those guards, and every process checks
 * what it receives from another process with them (see messages.ts).
 *
 * Adding a method: one entry in METHODS (`to: 'engine'` if the engine worker answers it, `to: 'shell'`
 * if main / the browser host does), then a handler (engine/worker/handlers/*). Adding an event: one entry
 * in EVENTS. Shapes shared by several entries live in the section above the tables.
 *
 * This file must stay importable by the renderer (no Node, no DOM) and by Node code.
 */
import { arr, bool, count, f32, type Guard, type Infer, literal, nullable, num, obj, optional, str, i32, u8 } from './guard.js';
import { GAN_STATES, GanConfig, GanDone, GanEpoch, GanFrame, GanSamples, GanStepEvent, MAX_DELAY_MS } from './gan.js';
import { ToyTrainData, TrainRegions } from './toy-train.js';
import { SEQ_STATES, SEQ_TASKS, SeqConfig, SeqDone, SeqGates, SeqStarted } from './sequence.js';
import {
  ClusterCreateParams,
  ClusterEditParams,
  ClusterEditResult,
  ClusterResetParams,
  ClusterRun,
  ClusterRunParams,
  ClusterRunRef,
  ClusterSource,
  ClusterSourceSpec,
  ClusterStepParams,
  ClusterUpdate,
  ClusterVigilanceParams,
} from './cluster.js';
import {
  ExperimentDone,
  ExperimentExportParams,
  ExperimentFromRunsParams,
  ExperimentFromRunsResult,
  ExperimentInfo,
  ExperimentOpened,
  ExperimentOpenParams,
  ExperimentProgress,
  ExperimentResults,
  ExperimentStarted,
  ExperimentStartParams,
  ExperimentVariantEvent,
} from './experiments.js';
import { Figures, RunDetail, RunExported, RunExportParams, RunId, RunRef, RunRemoved, RunRename, RunsList, RunsListParams, RunSummary } from './runs.js';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------------
// Shared shapes

const path = str({ min: 1, max: 4096 });
/**
 * Where to export; a file there that is not a Locus model is replaced only when overwrite is true
 * (the app asks the user first; refused with code "exists" otherwise, by the shell's router).
 */
const ExportParams = obj({ path, overwrite: optional(bool) });
const empty = obj({});

/** How a folder of images is read (forwarded to engine/data/folder.ts) and split. */
export const LoadOptions = obj({
  width: optional(num({ int: true, min: 4, max: 512 })),
  height: optional(num({ int: true, min: 4, max: 512 })),
  channels: optional(literal(1, 3)),
  fit: optional(literal('contain', 'cover', 'fill')),
  /** Fraction of each class held out for validation. */
  valFraction: optional(num({ min: 0, max: 0.9 })),
  /** Seed of the split (the same seed and folder give the same split). */
  seed: optional(num({ int: true, min: 0, max: 0xffffffff })),
});
export type LoadOptions = Infer<typeof LoadOptions>;

export const Skipped = obj({ path: str({ max: 8192 }), reason: str({ max: 8192 }) });
export type Skipped = Infer<typeof Skipped>;

/** At most this many skipped files are listed in a summary; `skippedTotal` has the full count. */
export const MAX_SKIPPED_LISTED = 500;

export const DataSummary = obj({
  root: path,
  /** The folder's own name, for titles. */
  name: str(),
  n: count(),
  width: count(),
  height: count(),
  channels: literal(1, 3),
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
  /** Images per class, in the order of `classes`. */
  counts: arr(count(), { max: 10_000 }),
  /** Images found directly in the root folder (no class folder): loaded with label -1. */
  unlabeled: count(),
  skipped: arr(Skipped, { max: MAX_SKIPPED_LISTED }),
  skippedTotal: count(),
  split: obj({
    valFraction: num({ min: 0, max: 1 }),
    seed: count(0xffffffff),
    train: count(),
    val: count(),
    trainCounts: arr(count(), { max: 10_000 }),
    valCounts: arr(count(), { max: 10_000 }),
  }),
  cacheHits: count(),
  elapsedMs: num({ min: 0 }),
});
export type DataSummary = Infer<typeof DataSummary>;

export const Progress = obj({
  phase: literal('scan', 'decode'),
  done: count(),
  total: count(),
  cached: optional(count()),
});
export type Progress = Infer<typeof Progress>;

/** Largest page of thumbnails one request may ask for. */
export const MAX_THUMBNAILS = 1024;

export const Thumbnails = obj({
  /** Images in the (possibly filtered) list the page comes from. */
  total: count(),
  offset: count(),
  width: count(),
  height: count(),
  channels: literal(1, 3),
  /** count * channels * height * width bytes, each image planar (CHW). */
  pixels: u8(),
  labels: i32(MAX_THUMBNAILS),
  /** Index of each image in the whole set. */
  indices: i32(MAX_THUMBNAILS),
  /** Each file's path relative to the folder. */
  names: arr(str({ max: 8192 }), { max: MAX_THUMBNAILS }),
});
export type Thumbnails = Infer<typeof Thumbnails>;

/** A sub-folder or image file; a sub-folder has the number of image files directly in it (when it could be read). */
export const DirEntry = obj({ name: str({ max: 1024 }), dir: bool, images: optional(count()) });
export const Listing = obj({
  path,
  parent: nullable(path),
  home: path,
  /** Sub-folders first, then image files; hidden entries left out. */
  entries: arr(DirEntry, { max: 100_000 }),
  /** Image files directly in this folder. */
  images: count(),
  truncated: bool,
});
export type Listing = Infer<typeof Listing>;

export const THEMES = ['system', 'light', 'dark'] as const;
export const Settings = obj({
  theme: literal(...THEMES),
  recentFolders: arr(path, { max: 20 }),
  /** The folder of the last export (any kind): where the next one is proposed (electron/core/save-folder.ts). */
  exportFolder: optional(path),
});
export type Settings = Infer<typeof Settings>;

/** A file-type filter of the open/save dialogs: {name: 'Locus model', extensions: ['json']}. */
export const FileFilter = obj({ name: str({ max: 100 }), extensions: arr(str({ min: 1, max: 16 }), { max: 20 }) });

export const VIEWS = ['data', 'train', 'gan', 'clustering', 'sequence', 'models', 'experiments'] as const;
export type ViewName = (typeof VIEWS)[number];

export const MENU_COMMANDS = ['open-folder', 'open-recent', 'open-sample', 'open-model', 'export-model', 'show-view', 'toggle-theme'] as const;

// ---------------------------------------------------------------------------------------------------
// Training (CNN / MLP classifiers on the loaded folder) and model files

/** A plain JSON value: finite numbers, strings, booleans, null, arrays and plain objects, nested at most `depth` deep. */
function jsonValue(x: unknown, depth: number): boolean {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return true;
  if (typeof x === 'number') return Number.isFinite(x);
  if (depth <= 0 || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.length <= 10_000 && x.every((v) => jsonValue(v, depth - 1));
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(x).every((v) => jsonValue(v, depth - 1));
}
/** A layer's JSON description ({type: 'dense', units: 10}); its options are checked by the engine's layer registry. */
export const LayerSpecJson: Guard<{ type: string; [key: string]: unknown }> = {
  check(x, p) {
    const at = (m: string): string => (p ? `${p}: ${m}` : m);
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return at('expected a layer object');
    const t = (x as { type?: unknown }).type;
    if (typeof t !== 'string' || t.length === 0 || t.length > 64) return at('a layer needs a "type" string');
    return jsonValue(x, 8) ? null : at('a layer must be plain JSON (finite numbers, strings, booleans, arrays, objects)');
  },
};
export type LayerSpecJson = Infer<typeof LayerSpecJson>;

export const OPTIMIZER_CHOICES = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const;
export const ACTIVATIONS = ['relu', 'leakyRelu', 'sigmoid', 'tanh'] as const;

/** How a network is described: a preset of engine/models/presets.ts with its options, or an explicit layer list. */
export const ArchitectureRequest = obj({
  preset: optional(str({ min: 1, max: 64 })),
  layers: optional(arr(LayerSpecJson, { max: 256 })),
  activation: optional(literal(...ACTIVATIONS)),
  dropout: optional(num({ min: 0, max: 0.95 })),
  inputDropout: optional(num({ min: 0, max: 0.95 })),
  batchNorm: optional(bool),
  /** Blocks (vgg), residual blocks per stage (resnet) or gate blocks (highway). */
  depth: optional(num({ int: true, min: 1, max: 16 })),
});
export type ArchitectureRequest = Infer<typeof ArchitectureRequest>;

export const TrainOptimizer = obj({
  type: literal(...OPTIMIZER_CHOICES),
  lr: num({ min: 0, max: 10 }),
  weightDecay: optional(num({ min: 0, max: 10 })),
  /** Weight decay applied AdamW-style (decoupled) instead of as L2 in the gradient. */
  decoupled: optional(bool),
  /** Momentum for 'momentum' and 'nesterov' (default 0.9). */
  momentum: optional(num({ min: 0, max: 0.9999 })),
  /** Adam's bias correction (default on; off only to see what goes wrong without it). */
  biasCorrection: optional(bool),
});
export type TrainOptimizer = Infer<typeof TrainOptimizer>;

export const TrainConfig = obj({
  architecture: ArchitectureRequest,
  optimizer: TrainOptimizer,
  epochs: num({ int: true, min: 1, max: 10_000 }),
  batchSize: num({ int: true, min: 1, max: 4096 }),
  seed: count(0xffffffff),
  /** Clip the global gradient norm (0 or absent: off). */
  clipNorm: optional(num({ min: 0, max: 1e9 })),
  /** Early stopping: epochs without a better validation loss (absent: off); the best weights are kept. */
  patience: optional(num({ int: true, min: 1, max: 10_000 })),
  /** Continue the current model (trained or imported) and its optimizer state instead of a new network. */
  resume: optional(bool),
  /** Start paused, to step batch by batch. */
  paused: optional(bool),
  /** A name for the run (for comparing runs). */
  label: optional(str({ max: 100 })),
  /** The user's name for the run (the label made from its settings is shown when absent). */
  name: optional(str({ max: 100 })),
  /**
   * Hints (virtual examples): a shifted, rotated, scaled copy of every image joins its batch as another
   * labelled example ('augment'), or pulls the network to answer the same for both ('penalty', weight λ).
   */
  hints: optional(obj({ mode: literal('augment', 'penalty'), weight: optional(num({ min: 0, max: 1000 })), flip: optional(bool) })),
  /** The run's id, chosen by the client (so its events can be told apart before the reply); absent: the engine makes one. */
  runId: optional(RunId),
  /** Train on this 2-D toy set (shapes in toy-train.ts) instead of the loaded folder. */
  toy: optional(ToyTrainData),
  /** Slow motion: milliseconds each batch waits (0 or absent: full speed); train.speed changes it later. */
  delay: optional(num({ min: 0, max: MAX_DELAY_MS })),
});
export type TrainConfig = Infer<typeof TrainConfig>;

export const LayerRow = obj({
  type: str({ max: 64 }),
  /** Per-sample output shape. */
  outputShape: arr(count(), { max: 8 }),
  params: count(),
  spec: LayerSpecJson,
});
export type LayerRow = Infer<typeof LayerRow>;

export const ArchitectureSummary = obj({
  input: arr(count(), { max: 8 }),
  layers: arr(LayerRow, { max: 256 }),
  params: count(),
  presets: arr(str({ max: 64 }), { max: 100 }),
});
export type ArchitectureSummary = Infer<typeof ArchitectureSummary>;

export const RUN_STATES = ['running', 'paused', 'stopped'] as const;
export type TrainRunState = (typeof RUN_STATES)[number];
const metric = nullable(num());
export const EpochMetrics = obj({
  epoch: count(),
  trainLoss: metric,
  trainAcc: metric,
  valLoss: metric,
  valAcc: metric,
  lr: num({ min: 0 }),
  seconds: num({ min: 0 }),
});
export type EpochMetrics = Infer<typeof EpochMetrics>;

export const DONE_REASONS = ['completed', 'stopped', 'early-stopped', 'diverged', 'failed'] as const;
export const TrainDone = obj({
  runId: RunId,
  reason: literal(...DONE_REASONS),
  message: str({ max: 4096 }),
  bestEpoch: nullable(count()),
  /** Validation confusion matrix [actual][predicted] of the model as it ends (null without validation images). */
  confusion: nullable(arr(arr(count(), { max: 10_000 }), { max: 10_000 })),
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
  /** The figures of the model as it ends (after early stopping, the restored weights'): valAcc, valLoss, trainLoss, ... */
  figures: Figures,
});
export type TrainDone = Infer<typeof TrainDone>;

export const TrainStatus = obj({
  runId: RunId,
  label: str({ max: 100 }),
  state: literal(...RUN_STATES),
  epochs: count(),
  history: arr(EpochMetrics, { max: 100_000 }),
  done: nullable(TrainDone),
});
export type TrainStatus = Infer<typeof TrainStatus>;

/** Per-layer numbers of one sampled training step (engine/session/telemetry.ts). */
export const LayerTelemetry = obj({
  runId: RunId,
  /** Optimizer steps taken in this run, this one included. */
  step: count(),
  epoch: count(),
  /** Parametrized top-level layers ("2 conv2d"); gradNorm, weightNorm and updateRatio follow this order. */
  layers: arr(str({ max: 200 }), { max: 256 }),
  gradNorm: arr(num({ min: 0 }), { max: 256 }),
  weightNorm: arr(num({ min: 0 }), { max: 256 }),
  /** ‖Δw‖ / ‖w‖ of this step's update per layer (about 1e-3 is healthy). */
  updateRatio: arr(num({ min: 0 }), { max: 256 }),
  /** Every top-level layer's output: mean, spread, dead ReLU units or saturated sigmoid/tanh values (fractions). */
  activations: arr(obj({ name: str({ max: 200 }), mean: num(), std: num({ min: 0 }), dead: nullable(num({ min: 0, max: 1 })), saturated: nullable(num({ min: 0, max: 1 })) }), { max: 256 }),
  /** BatchNorm layers: the last batch's statistics beside the running ones. */
  batchNorm: arr(obj({ name: str({ max: 200 }), batchMean: f32(), batchVar: f32(), runningMean: f32(), runningVar: f32() }), { max: 256 }),
});
export type LayerTelemetry = Infer<typeof LayerTelemetry>;

/** Planar float images: count * channels * height * width values. */
export const FloatImages = obj({ count: count(), channels: count(), height: count(), width: count(), data: f32() });
export type FloatImages = Infer<typeof FloatImages>;

export const Inspection = obj({
  /** The picked image (as the network sees it, before normalization). */
  image: obj({ channels: count(), height: count(), width: count(), pixels: u8(), label: num({ int: true, min: -1 }), name: str({ max: 8192 }) }),
  /** First convolution's kernels (or the first dense layer's weights as images), null if neither. */
  filters: nullable(FloatImages),
  /** Feature maps at every top-level layer with an image output ("2 relu"), in order. */
  maps: arr(obj({ layer: str({ max: 200 }), maps: FloatImages }), { max: 256 }),
  probabilities: arr(num({ min: 0, max: 1 }), { max: 10_000 }),
});
export type Inspection = Infer<typeof Inspection>;

export const ModelInfo = obj({
  kind: str({ max: 64 }),
  source: literal('trained', 'imported'),
  /** The file it was read from or last exported to. */
  path: nullable(path),
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
  input: obj({ channels: count(), height: count(), width: count() }),
  layers: arr(LayerRow, { max: 256 }),
  params: count(),
  epochs: count(),
  history: arr(EpochMetrics, { max: 100_000 }),
  hasOptimizer: bool,
  createdAt: str({ max: 100 }),
  locusVersion: str({ max: 100 }),
  /**
   * A GAN or sequence model opened from a file (kind "gan" / "sequence"): what it is and what it was
   * trained on, in words. For a GAN, `input` is the image it makes and `layers` its generator's; for a
   * sequence model, `input` is {channels: 1, height: steps, width: features}.
   */
  about: optional(
    obj({
      what: str({ max: 2000 }),
      data: str({ max: 2000 }),
      /** A sequence model's task as the Sequence view names it. */
      task: optional(literal(...SEQ_TASKS)),
      /** A GAN's discriminator layers. */
      discriminator: optional(arr(LayerRow, { max: 256 })),
    }),
  ),
});
export type ModelInfo = Infer<typeof ModelInfo>;

/** The largest image that may be sent as bytes (a file dropped on the app); the WebSocket frame limit is 16 MB. */
export const MAX_IMAGE_BYTES = 12 * 1024 * 1024;

export const Prediction = obj({
  image: obj({ channels: count(), height: count(), width: count(), pixels: u8() }),
  /** Its class in the loaded folder (an index into the model's classes), -1 if unknown. */
  label: num({ int: true, min: -1 }),
  top: arr(obj({ class: str({ max: 1024 }), probability: num({ min: 0, max: 1 }) }), { max: 10_000 }),
});
export type Prediction = Infer<typeof Prediction>;

export const ModelEvaluation = obj({
  n: count(),
  loss: metric,
  accuracy: metric,
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
  confusion: arr(arr(count(), { max: 10_000 }), { max: 10_000 }),
  /** Classes of the folder the model does not know (their images are not counted). */
  unknown: arr(str({ max: 1024 }), { max: 10_000 }),
});
export type ModelEvaluation = Infer<typeof ModelEvaluation>;

// ---------------------------------------------------------------------------------------------------
// Methods: who answers them, what they take, what they return.

interface MethodSpec<P, R, To extends 'engine' | 'shell' = 'engine' | 'shell'> {
  readonly to: To;
  readonly params: Guard<P>;
  readonly result: Guard<R>;
}
const engine = <P, R>(params: Guard<P>, result: Guard<R>): MethodSpec<P, R, 'engine'> => ({ to: 'engine', params, result });
const shell = <P, R>(params: Guard<P>, result: Guard<R>): MethodSpec<P, R, 'shell'> => ({ to: 'shell', params, result });

export const METHODS = {
  'engine.ping': engine(empty, obj({ version: str(), protocol: count(), pid: count(), uptimeMs: num({ min: 0 }) })),

  /** Load a folder of class sub-folders; streams `data.progress`, then emits `data.loaded` too. */
  'data.open': engine(obj({ path, options: optional(LoadOptions) }), DataSummary),
  /** Cancel the load in progress, if any (its `data.open` fails with code 'cancelled'). */
  'data.cancel': engine(empty, obj({ cancelled: bool })),
  /** The summary of the folder loaded now, if any (for a renderer that reloads or joins late). */
  'data.current': engine(empty, obj({ summary: nullable(DataSummary) })),
  /** A page of images of the loaded set, optionally only one class or one side of the split. */
  'data.thumbnails': engine(
    obj({
      offset: count(),
      count: num({ int: true, min: 1, max: MAX_THUMBNAILS }),
      classIndex: optional(num({ int: true, min: -1 })),
      subset: optional(literal('all', 'train', 'val')),
    }),
    Thumbnails,
  ),
  /** Where the bundled sample folder is. */
  'data.sample': engine(empty, obj({ path })),

  /** One folder's entries, for the in-app folder browser (path omitted: the home folder). */
  'fs.list': engine(obj({ path: optional(path) }), Listing),

  /** The layers (output shapes, parameter counts) a preset or layer list gives on the loaded folder (or on a 2-D toy set of toyClasses classes); the preset names. */
  'train.describe': engine(obj({ ...ArchitectureRequest.shape, toyClasses: optional(num({ int: true, min: 2, max: 64 })) }), ArchitectureSummary),
  /** Start training on the loaded folder; streams train.* events and answers at once. Replaces a finished run. */
  'train.start': engine(TrainConfig, obj({ runId: RunId, params: count(), train: count(), val: count() })),
  /** Pause, resume, stop, or (while paused) let `steps` batches run. */
  'train.control': engine(obj({ action: literal('pause', 'resume', 'step', 'stop'), steps: optional(num({ int: true, min: 1, max: 100_000 })) }), obj({ state: literal(...RUN_STATES) })),
  /** Change the learning rate (takes effect at the next batch). */
  'train.setLr': engine(obj({ lr: num({ min: 0, max: 10 }) }), obj({ lr: num() })),
  /** Slow motion: milliseconds each batch of the run in progress waits (0: full speed). */
  'train.speed': engine(obj({ delay: num({ min: 0, max: MAX_DELAY_MS }) }), obj({ delay: num() })),
  /** A 2-D toy run's decision regions: the model's class and confidence over a size x size grid, with the points. */
  'train.regions': engine(obj({ size: optional(num({ int: true, min: 2, max: 256 })) }), TrainRegions),
  /** The current (or last) run, for a renderer that joins late. */
  'train.status': engine(empty, obj({ run: nullable(TrainStatus) })),
  /** First-layer filters and feature maps of the current model for one image of the loaded folder. */
  'train.inspect': engine(obj({ index: count() }), Inspection),
  /** Prune the current run's network (paused or finished): the smallest weights (or whole units); accuracy before and after. */
  'train.prune': engine(
    obj({ fraction: num({ min: 0, max: 1 }), units: optional(bool) }),
    obj({
      mode: literal('edges', 'units'),
      pruned: count(),
      total: count(),
      accuracyBefore: metric,
      accuracyAfter: metric,
      /** The pruned network's validation confusion matrix and figures (the run's, from now on). */
      confusion: nullable(arr(arr(count(), { max: 10_000 }), { max: 10_000 })),
      figures: Figures,
      /** Prunings that train.unprune can undo now. */
      undoable: count(),
    }),
  ),
  /**
   * Grow the current model without changing what it computes: `units` more units in dense layer `layer`
   * (1-based), or a residual / identity layer inserted at position `at`. It becomes the current model
   * (continue training it in Train); accuracy before and after, which stay equal.
   */
  'train.grow': engine(
    obj({ layer: optional(num({ int: true, min: 1, max: 256 })), units: optional(num({ int: true, min: 1, max: 100_000 })), insert: optional(literal('residual', 'identity')), at: optional(num({ int: true, min: 1, max: 256 })) }),
    obj({ params: obj({ before: count(), after: count() }), accuracyBefore: metric, accuracyAfter: metric, layers: arr(LayerRow, { max: 256 }), undoable: count() }),
  ),
  /** Undo the last growth: the model before it is the current model again. */
  'train.ungrow': engine(empty, obj({ params: count(), undoable: count() })),
  /** Undo the last pruning: the weights, figures and confusion matrix as they were before it. */
  'train.unprune': engine(empty, obj({ figures: Figures, confusion: nullable(arr(arr(count(), { max: 10_000 }), { max: 10_000 })), undoable: count() })),

  /** Runs of every kind (shapes in runs.ts), newest first, and the workspace's disk use. */
  'runs.list': engine(RunsListParams, RunsList),
  /** One run with its history. */
  'runs.get': engine(RunRef, RunDetail),
  /** Give a run a name ('' goes back to the label made from its settings). */
  'runs.rename': engine(RunRename, RunSummary),
  /** Remove a finished run and its saved files. */
  'runs.remove': engine(RunRef, RunRemoved),
  /** Write a run's model to a model file (atomically). */
  'runs.export': engine(RunExportParams, RunExported),
  /** Make a classifier run's model the current model (to continue training it, inspect or classify with it). */
  'runs.open': engine(RunRef, ModelInfo),

  /** The model in the engine now (trained here or imported), if any; and the GAN or sequence model file opened in the Models view. */
  'models.current': engine(empty, obj({ model: nullable(ModelInfo), opened: optional(nullable(ModelInfo)) })),
  /** Write the current model to a JSON model file, atomically (a failure leaves an earlier file intact). */
  'models.export': engine(ExportParams, obj({ path, bytes: count() })),
  /**
   * Write the current model (or, with model "opened", the GAN or sequence model file opened in the
   * Models view) beyond Locus (docs/take-it-further.md): a PyTorch package folder, one ONNX file or a
   * TensorFlow.js folder (model.json and its weights); a target Locus did not write is replaced only
   * with overwrite (else code "exists").
   */
  'models.exportTo': engine(
    obj({ path, format: literal('pytorch', 'onnx', 'tfjs'), overwrite: optional(bool), model: optional(literal('current', 'opened')) }),
    obj({ path, format: literal('pytorch', 'onnx', 'tfjs'), files: count(), bytes: count() }),
  ),
  /**
   * Read a model file: a classifier becomes the current model; a GAN or sequence model is opened to
   * inspect, export or continue (it does not replace the current classifier). Refusals carry ModelFileError's reason.
   */
  'models.import': engine(obj({ path }), ModelInfo),
  /** Classify one image: a file, an image's bytes (a dropped file, at most MAX_IMAGE_BYTES; name only words refusals), or an image of the loaded folder by index. */
  'models.predict': engine(obj({ path: optional(path), index: optional(count()), bytes: optional(u8(MAX_IMAGE_BYTES)), name: optional(str({ max: 1024 })) }), Prediction),
  /** Loss, accuracy and confusion of the current model on the loaded folder (validation side, or all). */
  'models.evaluate': engine(obj({ subset: optional(literal('all', 'val')) }), ModelEvaluation),

  /** GAN (shapes in gan.ts): train an image GAN on the loaded folder or the 2-D toy GAN; streams gan.* events. */
  'gan.start': engine(GanConfig, obj({ runId: RunId, stepsPerEpoch: count(), images: count() })),
  'gan.control': engine(obj({ action: literal('pause', 'resume', 'step', 'stop'), steps: optional(num({ int: true, min: 1, max: 100_000 })) }), obj({ state: literal(...GAN_STATES) })),
  /** Slow motion: milliseconds each step of the GAN run in progress waits (0: full speed). */
  'gan.speed': engine(obj({ delay: num({ min: 0, max: MAX_DELAY_MS }) }), obj({ delay: num() })),
  /** Write the current image GAN (both networks, optimizer states, history) to a "gan" model file, atomically. */
  'gan.export': engine(ExportParams, obj({ path, bytes: count() })),

  /** Sequence models (shapes in sequence.ts): an RNN, LSTM, GRU or time-delay network on image rows or a generated series; streams sequence.* events. */
  'sequence.start': engine(SeqConfig, SeqStarted),
  'sequence.control': engine(obj({ action: literal('pause', 'resume', 'step', 'stop'), steps: optional(num({ int: true, min: 1, max: 100_000 })) }), obj({ state: literal(...SEQ_STATES) })),
  /** Draw another probe sequence: its input and the gate activations of the run's network now. */
  'sequence.sample': engine(obj({ index: count() }), SeqGates),
  /** Write the run's network to a model file of kind "sequence" (atomically). */
  'sequence.export': engine(ExportParams, obj({ path, bytes: count() })),

  /** Clustering (shapes in cluster.ts): a data source (the loaded folder or a toy set), projected once. */
  'cluster.source': engine(obj({ source: ClusterSourceSpec }), ClusterSource),
  /** A run of one algorithm on a source; several runs may share one source. */
  'cluster.create': engine(ClusterCreateParams, ClusterRun),
  /** Present this many samples (RBF: the next hybrid stage or a fine-tuning epoch; MoE: an epoch). */
  'cluster.step': engine(ClusterStepParams, ClusterUpdate),
  /** Train until paused (or `limit` samples); streams `cluster.update`. */
  'cluster.run': engine(ClusterRunParams, obj({ running: bool })),
  'cluster.pause': engine(ClusterRunRef, ClusterUpdate),
  /** Start again from a fresh initialization (with new settings if given). */
  'cluster.reset': engine(ClusterResetParams, ClusterRun),
  /** The whole state of a run (for a renderer that lost track of its deltas). */
  'cluster.snapshot': engine(ClusterRunRef, ClusterRun),
  /** Move, set, add, remove, freeze a prototype, or undo the last edit. */
  'cluster.edit': engine(ClusterEditParams, ClusterEditResult),
  /** ART: change the vigilance (the assignment follows at once; training continues with it). */
  'cluster.vigilance': engine(ClusterVigilanceParams, ClusterUpdate),
  'cluster.dispose': engine(ClusterRunRef, obj({ disposed: bool })),

  /** The built-in experiments (shapes in experiments.ts). */
  'experiments.list': engine(empty, obj({ experiments: arr(ExperimentInfo, { max: 256 }) })),
  /** Run an experiment (a built-in or a file's content): its variants train one after another; streams experiment.* events. */
  'experiments.start': engine(ExperimentStartParams, ExperimentStarted),
  /** Stop an experiment: the variant training stops, the ones after it do not start. */
  'experiments.cancel': engine(obj({ runId: RunId }), obj({ cancelled: bool })),
  /** An experiment run's results so far (the latest one's when runId is absent). */
  'experiments.results': engine(obj({ runId: optional(RunId) }), obj({ results: nullable(ExperimentResults) })),
  /** Write an experiment run's report (self-contained HTML) or results (JSON), atomically. */
  'experiments.export': engine(ExperimentExportParams, obj({ path, bytes: count() })),
  /** An experiment made from finished runs of one kind (what differs becomes the variants), saved when a path is given. */
  'experiments.fromRuns': engine(ExperimentFromRunsParams, ExperimentFromRunsResult),
  /** Read and check an experiment file. */
  'experiments.open': engine(ExperimentOpenParams, ExperimentOpened),

  /** Test hook: the engine exits at once. Refused unless the engine runs with LOCUS_TEST=1. */
  'debug.crash': engine(empty, empty),

  /** What the shell around the renderer can do. */
  'shell.info': shell(
    empty,
    obj({ transport: literal('electron', 'browser'), dialogs: bool, platform: str(), version: str() }),
  ),
  /** A native folder dialog (Electron); null when cancelled or when there are no dialogs. */
  'shell.pickFolder': shell(obj({ title: optional(str({ max: 200 })) }), obj({ path: nullable(path) })),
  /** A native open-file dialog (Electron); null when cancelled or when there are no dialogs. */
  'shell.pickFile': shell(obj({ title: optional(str({ max: 200 })), filters: optional(arr(FileFilter, { max: 20 })) }), obj({ path: nullable(path) })),
  /** A native save dialog (Electron); null when cancelled or when there are no dialogs. */
  'shell.pickSavePath': shell(
    obj({ title: optional(str({ max: 200 })), defaultName: optional(str({ max: 255 })), filters: optional(arr(FileFilter, { max: 20 })) }),
    obj({ path: nullable(path) }),
  ),
  /**
   * Where the app proposes to save defaultName: in the folder of the last export, else the documents
   * folder (else home). The desktop save dialog starts there; the browser host fills its path fields with it.
   */
  'shell.suggestSavePath': shell(obj({ defaultName: str({ min: 1, max: 255 }) }), obj({ path })),
  'shell.settings': shell(empty, Settings),
  'shell.updateSettings': shell(obj({ theme: optional(literal(...THEMES)) }), Settings),
  'shell.forgetRecent': shell(obj({ path }), Settings),
} as const satisfies Record<string, MethodSpec<unknown, unknown>>;

export type Methods = typeof METHODS;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Infer<Methods[M]['params']>;
export type Result<M extends MethodName> = Infer<Methods[M]['result']>;
export type EngineMethod = { [M in MethodName]: Methods[M]['to'] extends 'engine' ? M : never }[MethodName];
export type ShellMethod = Exclude<MethodName, EngineMethod>;

// ---------------------------------------------------------------------------------------------------
// Events: who may send them and what they carry.

interface EventSpec<P, From extends 'engine' | 'shell' = 'engine' | 'shell'> {
  readonly from: From;
  readonly payload: Guard<P>;
}
const fromEngine = <P>(payload: Guard<P>): EventSpec<P, 'engine'> => ({ from: 'engine', payload });
const fromShell = <P>(payload: Guard<P>): EventSpec<P, 'shell'> => ({ from: 'shell', payload });

export const EVENTS = {
  'data.progress': fromEngine(Progress),
  'data.loaded': fromEngine(DataSummary),
  'train.batch': fromEngine(obj({ runId: RunId, epoch: count(), batch: count(), batches: count(), step: count(), loss: num(), gradNorm: num() })),
  'train.epoch': fromEngine(obj({ runId: RunId, epochs: count(), metrics: EpochMetrics })),
  'train.layers': fromEngine(LayerTelemetry),
  'train.state': fromEngine(obj({ runId: RunId, state: literal(...RUN_STATES) })),
  'train.done': fromEngine(TrainDone),
  /** A run was made or changed (state, figures, name, saved): its summary. */
  'runs.changed': fromEngine(RunSummary),
  'runs.removed': fromEngine(obj({ id: RunId })),
  /** The current model changed (trained, imported, exported): its summary. */
  'models.changed': fromEngine(ModelInfo),
  'gan.step': fromEngine(GanStepEvent),
  'gan.samples': fromEngine(GanSamples),
  'gan.epoch': fromEngine(GanEpoch),
  'gan.frame': fromEngine(GanFrame),
  'gan.state': fromEngine(obj({ runId: RunId, state: literal(...GAN_STATES) })),
  'gan.done': fromEngine(GanDone),
  'sequence.batch': fromEngine(obj({ runId: RunId, epoch: count(), batch: count(), batches: count(), step: count(), loss: num(), gradNorm: num() })),
  'sequence.epoch': fromEngine(obj({ runId: RunId, epochs: count(), metrics: EpochMetrics })),
  'sequence.gates': fromEngine(SeqGates),
  'sequence.state': fromEngine(obj({ runId: RunId, state: literal(...SEQ_STATES) })),
  'sequence.done': fromEngine(SeqDone),
  /** A clustering run's progress while it trains (a few times a second). */
  'cluster.update': fromEngine(ClusterUpdate),
  /** An experiment's progress: which variant trains and how far the whole experiment is. */
  'experiment.progress': fromEngine(ExperimentProgress),
  /** A variant finished: its results. */
  'experiment.variant': fromEngine(ExperimentVariantEvent),
  'experiment.done': fromEngine(ExperimentDone),
  /** The engine process stopped unexpectedly and was started again; loaded data is gone. */
  'engine.restarted': fromShell(obj({ reason: str(), restarts: count() })),
  /** The engine kept crashing and is no longer restarted. */
  'engine.failed': fromShell(obj({ reason: str() })),
  /** A native menu item (Electron) for the renderer to act on. */
  'menu.command': fromShell(
    obj({ command: literal(...MENU_COMMANDS), path: optional(path), view: optional(literal(...VIEWS)) }),
  ),
} as const satisfies Record<string, EventSpec<unknown>>;

export type Events = typeof EVENTS;
export type EventName = keyof Events;
export type Payload<E extends EventName> = Infer<Events[E]['payload']>;
export type EngineEvent = { [E in EventName]: Events[E]['from'] extends 'engine' ? E : never }[EventName];

// ---------------------------------------------------------------------------------------------------
// Envelopes

export const ERROR_CODES = ['invalid', 'cancelled', 'failed', 'engine-restarted', 'unavailable', 'unknown-method', 'exists'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ErrorInfo {
  message: string;
  code?: ErrorCode;
}

export interface Request<M extends MethodName = MethodName> {
  id: number;
  method: M;
  params: Params<M>;
}
export type Reply<M extends MethodName = MethodName> =
  | { id: number; ok: true; result: Result<M> }
  | { id: number; ok: false; error: ErrorInfo };
export interface EventMessage<E extends EventName = EventName> {
  event: E;
  payload: Payload<E>;
}

/** What the renderer sees, over the Electron preload or the browser host's WebSocket alike. */
export interface LabApi {
  readonly transport: 'electron' | 'browser';
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Subscribe to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: Payload<E>) => void): () => void;
  /** The file-system path of a dropped File (Electron only; null in a browser). */
  pathForFile(file: unknown): string | null;
}

/** The Error a LabApi call rejects with: the message from the other side plus its code. */
export class LabError extends Error {
  readonly code: ErrorCode | undefined;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'LabError';
    this.code = info.code;
  }
}

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.hasOwn(METHODS, x);
}
export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && Object.hasOwn(EVENTS, x);
}
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
