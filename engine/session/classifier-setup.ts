/**
 * Setting a classifier run up, once for every transport: the optimizer spec and its defaults, the
 * labelled split, relabelling a folder to a saved model's classes, the network (new or continued) with
 * its normalization, and the trainer settings. The engine's Train handlers and `locus train` both call
 * setUpClassifierRun; what differs between them (where the split comes from, how they report) stays in
 * the adapter.
 */
import { Rng } from '../core/rng.js';
import { channelStats } from '../data/batch.js';
import type { ImageSet } from '../data/folder.js';
import type { Normalization } from '../data/normalize.js';
import { splitIndices } from '../data/split.js';
import type { Sequential } from '../models/sequential.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { LabError, type ArchitectureRequest } from '../protocol/contract.js';
import { DEFAULT_LR, DEFAULT_MOMENTUM, type OptimizerChoice } from '../protocol/defaults.js';
import { buildClassifier } from './architecture.js';
import type { TrainSettings } from './classifier.js';
import type { HintSettings } from './hints.js';

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

export interface OptimizerOptions {
  lr?: number;
  weightDecay?: number;
  /** Weight decay applied AdamW-style instead of as L2 in the gradient. */
  decoupled?: boolean;
  /** Momentum of 'momentum' and 'nesterov' (default DEFAULT_MOMENTUM). */
  momentum?: number;
  /** Adam's bias correction (default on). */
  biasCorrection?: boolean;
}

/** The optimizer spec of a choice (sgd, momentum, nesterov, rmsprop, adam); missing options take the defaults. */
export function optimizerSpec(choice: OptimizerChoice, o: OptimizerOptions = {}): OptimizerSpec {
  const base = { lr: o.lr ?? DEFAULT_LR[choice], weightDecay: o.weightDecay ?? 0, decayMode: o.decoupled ? ('decoupled' as const) : ('l2' as const) };
  switch (choice) {
    case 'adam':
      return { type: 'adam', ...base, ...(o.biasCorrection === undefined ? {} : { biasCorrection: o.biasCorrection }) };
    case 'rmsprop':
      return { type: 'rmsprop', ...base };
    case 'sgd':
      return { type: 'sgd', ...base };
    case 'momentum':
      return { type: 'sgd', ...base, momentum: o.momentum ?? DEFAULT_MOMENTUM };
    case 'nesterov':
      return { type: 'sgd', ...base, momentum: o.momentum ?? DEFAULT_MOMENTUM, nesterov: true };
    default:
      throw invalid(`unknown optimizer "${choice as string}" (one of adam, sgd, momentum, nesterov, rmsprop)`);
  }
}

/** A restored optimizer's options, with the learning rate it had when saved. */
export function savedOptimizerSpec(opt: Optimizer): OptimizerSpec {
  return { ...opt.config, lr: opt.lr } as OptimizerSpec;
}

/**
 * Relabel a loaded folder to a model's classes, by name. Images of classes the model does not know
 * get label -1 (not counted); their class names are returned.
 */
export function relabel(set: ImageSet, modelClasses: readonly string[]): { set: ImageSet; unknown: string[] } {
  const map = set.classes.map((c) => modelClasses.indexOf(c));
  const labels = set.labels.map((l) => (l >= 0 ? map[l] : -1));
  const unknown = set.classes.filter((_, i) => map[i] < 0);
  return { set: { ...set, labels, classes: [...modelClasses] }, unknown };
}

/** The labelled images of each side of a split (unlabelled images cannot be trained on). */
export function labelledSplit(set: ImageSet, split: { train: Int32Array; val: Int32Array }): { train: Int32Array; val: Int32Array } {
  const keep = (idx: Int32Array) => idx.filter((i) => set.labels[i] >= 0);
  return { train: keep(split.train), val: keep(split.val) };
}

/** A stratified, seeded split of the labelled images (the same seed and folder give the same split). */
export function splitLabelled(set: ImageSet, valFraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  const labelled = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  const { train, val } = splitIndices(labelled.length, valFraction, new Rng(seed), Int32Array.from(labelled, (i) => set.labels[i]));
  return { train: Int32Array.from(train, (p) => labelled[p]), val: Int32Array.from(val, (p) => labelled[p]) };
}

/** A model to continue: a trained or imported classifier. */
export interface PreviousClassifier {
  model: Sequential;
  classes: readonly string[];
  input: { channels: number; height: number; width: number };
  normalization: Normalization;
  optimizer: Optimizer | null;
}

export interface ClassifierSetupRequest {
  set: ImageSet;
  /** Which images train and which validate (indices into set; unlabelled ones are dropped). */
  split: { train: Int32Array; val: Int32Array };
  /** A new network from this description, or ... */
  architecture?: ArchitectureRequest;
  /** ... the model to continue (its classes, input size and normalization are kept). */
  previous?: PreviousClassifier | null;
  optimizer: OptimizerSpec;
  /** Continue with the previous model's optimizer state when it is of the same type (its lr becomes optimizer.lr). */
  keepOptimizer?: boolean;
  epochs: number;
  batchSize: number;
  seed: number;
  clipNorm?: number;
  /** Early stopping: epochs without a better validation loss; the best weights are restored. */
  patience?: number | null;
  hints?: HintSettings | null;
  telemetryEvery?: number;
}

export interface ClassifierSetup {
  model: Sequential;
  /** The folder relabelled to the model's classes (the same set when the model is new). */
  set: ImageSet;
  classes: string[];
  normalization: Normalization;
  train: Int32Array;
  val: Int32Array;
  settings: TrainSettings;
  /** The optimizer state to continue with, if kept. */
  optimizer: Optimizer | null;
}

/**
 * Everything a classifier run needs before its first step, checked: a refusal is an 'invalid'
 * LabError that says what is wrong in words.
 */
export function setUpClassifierRun(r: ClassifierSetupRequest): ClassifierSetup {
  let set = r.set;
  const prev = r.previous ?? null;
  let model: Sequential;
  let normalization: Normalization;
  let classes: string[];
  if (prev) {
    const { channels, height, width } = prev.input;
    if (channels !== set.channels || height !== set.height || width !== set.width) {
      throw invalid(`the model takes ${channels}x${height}x${width} images but the folder is loaded as ${set.channels}x${set.height}x${set.width}: reload it with that size`);
    }
    const re = relabel(set, prev.classes);
    if (re.unknown.length === set.classes.length) throw invalid(`none of the folder's classes (${set.classes.join(', ')}) is one of the model's (${prev.classes.join(', ')})`);
    set = re.set;
    model = prev.model;
    normalization = prev.normalization;
    classes = [...prev.classes];
  } else {
    if (set.classes.length < 2) throw invalid(`training needs at least 2 classes (one sub-folder each); the folder has ${set.classes.length}`);
    if (!r.architecture) throw invalid('a new run needs a network: a preset or a layer list');
    model = buildClassifier(r.architecture, [set.channels, set.height, set.width], set.classes.length, new Rng(r.seed));
    // Standardize with the training images' per-channel mean and spread (recorded in the model file).
    normalization = { kind: 'standard', ...channelStats(set, labelledSplit(set, r.split).train) };
    classes = [...set.classes];
  }
  const { train, val } = labelledSplit(set, r.split);
  if (train.length === 0) throw invalid('there are no labelled training images in the folder');
  try {
    createOptimizer(r.optimizer);
  } catch (e) {
    throw invalid(`optimizer: ${(e as Error).message}`);
  }
  const keep = r.keepOptimizer && prev?.optimizer && prev.optimizer.type === r.optimizer.type ? prev.optimizer : null;
  if (keep && r.optimizer.lr !== undefined) keep.lr = r.optimizer.lr;
  const settings: TrainSettings = {
    epochs: r.epochs,
    batchSize: r.batchSize,
    seed: r.seed,
    optimizer: r.optimizer,
    clipNorm: r.clipNorm ?? 0,
    earlyStopping: r.patience ? { patience: r.patience, restoreBest: true } : null,
    ...(r.hints ? { hints: r.hints } : {}),
    ...(r.telemetryEvery === undefined ? {} : { telemetryEvery: r.telemetryEvery }),
  };
  return { model, set, classes, normalization, train, val, settings, optimizer: keep };
}
