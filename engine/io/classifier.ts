/**
 * The classifier kind: a Sequential network from normalized pixels to one logit per class, with what
 * is needed to use it on new images (input size, normalization, class names) and to continue training
 * it (training record, optionally the optimizer's state and pruning masks).
 */
import { Rng } from '../core/rng.js';
import { shapeEq, shapeStr } from '../core/tensor.js';
import type { Normalization } from '../data/normalize.js';
import '../layers/index.js'; // registers the layer types an architecture may name
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { checkArchitecture } from './architecture.js';
import { checkNormalization, checkTrainingRecord } from './bounds.js';
import { checkEncoded, decodeMask, decodeTensor, encodeMask, encodeTensor, type EncodedMask, type EncodedTensor } from './codec.js';
import { asModelFileError, ModelFileError } from './errors.js';
import { envelope, type ModelFile } from './format.js';
import { toJsonObject } from './json.js';
import { registerKind, takeBuilt } from './kinds.js';
import { LIMITS } from './limits.js';
import { namedTensors, type Named } from './named.js';

export interface ImageInput {
  channels: number;
  height: number;
  width: number;
}

/** One epoch's metrics (loss, accuracy, lr, seconds...); null where a value was not finite or not measured. */
export interface HistoryEntry {
  epoch: number;
  [metric: string]: number | null;
}

export interface TrainingRecord {
  seed: number;
  /** The trainer's settings (epochs, batch size, optimizer spec, ...) as plain JSON. */
  settings: Record<string, unknown>;
  history: HistoryEntry[];
}

export interface SavedOptimizer {
  /** The optimizer's options, with lr as it was when saved. */
  spec: OptimizerSpec;
  t: number;
  /** slot name -> param name -> tensor of the param's shape. */
  slots: Record<string, Record<string, EncodedTensor>>;
}

export interface ClassifierContent {
  architecture: SequentialSpec;
  input: ImageInput;
  normalization: Normalization;
  classes: string[];
  training: TrainingRecord;
  params: Record<string, EncodedTensor>;
  buffers: Record<string, EncodedTensor>;
  masks?: Record<string, EncodedMask>;
  optimizer?: SavedOptimizer;
}

export type ClassifierFile = ModelFile<'classifier', ClassifierContent>;

export interface ClassifierToFileInit {
  model: Sequential;
  classes: readonly string[];
  input: ImageInput;
  normalization: Normalization;
  /** settings and history are copied as JSON (undefined fields dropped; non-finite metrics become null). */
  training: { seed: number; settings: object; history: readonly object[] };
  /** Include to let training resume exactly; it must have been stepped with model.params(). */
  optimizer?: Optimizer;
  createdAt?: Date;
}

export interface LoadedClassifier {
  model: Sequential;
  classes: string[];
  input: ImageInput;
  normalization: Normalization;
  training: TrainingRecord;
  /** Restored optimizer, ready to step with model.params(); null when the file has none. */
  optimizer: Optimizer | null;
  createdAt: string;
  locusVersion: string;
}

export function classifierToFile(init: ClassifierToFileInit): ClassifierFile {
  const { model, input, optimizer } = init;
  const { params, buffers } = namedTensors(model.layers);
  const content: ClassifierContent = {
    architecture: model.spec(),
    input: { channels: input.channels, height: input.height, width: input.width },
    normalization: toJsonObject(init.normalization, 'normalization') as Normalization,
    classes: [...init.classes],
    training: {
      seed: init.training.seed,
      settings: toJsonObject(init.training.settings, 'training.settings'),
      history: savedHistory(init.training.history),
    },
    params: Object.fromEntries(params.map(({ name, item }) => [name, encodeTensor(item.shape, item.value)])),
    buffers: Object.fromEntries(buffers.map(({ name, item }) => [name, encodeTensor(item.shape, item.value)])),
  };
  const masked = params.filter(({ item }) => item.mask !== undefined);
  if (masked.length) content.masks = Object.fromEntries(masked.map(({ name, item }) => [name, encodeMask(item.shape, item.mask!)]));
  if (optimizer) content.optimizer = saveOptimizer(optimizer, params);
  return envelope('classifier', content, init.createdAt);
}

/**
 * Rebuild the network (from the architecture, with the file's seed) and copy the stored tensors in by
 * name. Checks everything it uses; throws ModelFileError naming the first problem.
 */
export function classifierFromFile(file: ModelFile): LoadedClassifier {
  if (file.kind !== 'classifier') throw new ModelFileError(`this is a "${file.kind}" model, not a classifier`);
  const ready = takeBuilt<LoadedClassifier>(file);
  if (ready) return ready;
  return buildClassifier(file as ClassifierFile);
}

function buildClassifier(file: ClassifierFile): LoadedClassifier {
  const c = file.model;
  checkContent(c);
  let model: Sequential;
  try {
    model = new Sequential(c.architecture, new Rng(c.training.seed));
  } catch (e) {
    throw asModelFileError(e, 'architecture: ');
  }
  const outShape = [c.classes.length];
  if (!shapeEq(model.outputShape, outShape)) {
    throw new ModelFileError(
      `architecture: the network outputs ${shapeStr(model.outputShape)} but there are ${c.classes.length} classes (needs ${shapeStr(outShape)})`,
    );
  }
  const { params, buffers } = namedTensors(model.layers);
  copyTensors(params, c.params, 'params');
  copyTensors(buffers, c.buffers, 'buffers');
  if (c.masks) applyMasks(params, c.masks);
  return {
    model,
    classes: [...c.classes],
    input: { ...c.input },
    normalization: c.normalization,
    training: c.training,
    optimizer: c.optimizer ? loadOptimizer(c.optimizer, params) : null,
    createdAt: file.createdAt,
    locusVersion: file.locusVersion,
  };
}

registerKind({ kind: 'classifier', check: (f) => buildClassifier(f as ClassifierFile) });

/**
 * The history as a file keeps it: its last LIMITS.maxEpochs epochs (a file at the limit that is trained
 * on can still be saved; the oldest epochs go), each entry as JSON (historyEntry).
 */
export function savedHistory(history: readonly object[]): HistoryEntry[] {
  const from = Math.max(0, history.length - LIMITS.maxEpochs);
  return history.slice(from).map((h, i) => historyEntry(h, from + i));
}

/** One history entry as JSON: numbers, null where not finite; an integer epoch is required. */
export function historyEntry(h: object, i: number): HistoryEntry {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    if (v !== null && typeof v !== 'number') throw new Error(`training.history[${i}].${k} must be a number or null, got ${typeof v}`);
    out[k] = v === null || Number.isFinite(v) ? v : null;
  }
  if (!Number.isInteger(out.epoch)) throw new Error(`training.history[${i}] needs an integer epoch`);
  return out as HistoryEntry;
}

/** Limits and cross-field checks the schema cannot express; then every tensor's shape and length. */
function checkContent(c: ClassifierContent): void {
  const { channels, height, width } = c.input;
  if (channels > LIMITS.maxChannels) throw new ModelFileError(`input: ${channels} channels, at most ${LIMITS.maxChannels} allowed`);
  if (height > LIMITS.maxSide || width > LIMITS.maxSide) {
    throw new ModelFileError(`input: ${width}x${height} pixels, at most ${LIMITS.maxSide} on a side allowed`);
  }
  checkNormalization(c.normalization, channels);
  if (c.classes.length > LIMITS.maxClasses) throw new ModelFileError(`${c.classes.length} classes, at most ${LIMITS.maxClasses} allowed`);
  const names = new Set<string>();
  for (const name of c.classes) {
    if (name.length > LIMITS.maxNameLength) throw new ModelFileError(`a class name is longer than ${LIMITS.maxNameLength} characters`);
    if (names.has(name)) throw new ModelFileError(`class "${name}" is listed twice`);
    names.add(name);
  }
  checkTrainingRecord(c.training);
  checkArchitecture(c.architecture);
  const arch = c.architecture.input;
  const image = [channels, height, width];
  const fits = arch.length === 3 ? shapeEq(arch, image) : arch.reduce((a, b) => a * b, 1) === channels * height * width;
  if (!fits) throw new ModelFileError(`architecture: input ${shapeStr(arch)} does not fit images of ${shapeStr(image)}`);
  // Cheap checks on every stored tensor before the network is built or anything is decoded.
  for (const [group, map] of Object.entries({ params: c.params, buffers: c.buffers, masks: c.masks ?? {} })) {
    for (const [name, t] of Object.entries(map)) checkEncoded(t, `${group} tensor "${name}"`);
  }
  for (const [slot, map] of Object.entries(c.optimizer?.slots ?? {})) {
    for (const [name, t] of Object.entries(map)) checkEncoded(t, `optimizer ${slot} tensor "${name}"`);
  }
}

/** Copy stored tensors into the rebuilt network's, matching names and shapes exactly. */
export function copyTensors(want: Named<{ shape: readonly number[]; value: Float32Array }>[], stored: Record<string, EncodedTensor>, group: string): void {
  const expected = new Set(want.map((w) => w.name));
  for (const name of Object.keys(stored)) {
    if (!expected.has(name)) throw new ModelFileError(`${group} tensor "${name}" is not in the architecture`);
  }
  for (const { name, item } of want) {
    if (!Object.hasOwn(stored, name)) throw new ModelFileError(`${group} tensor "${name}" is missing`);
    const t = stored[name];
    if (!shapeEq(t.shape, item.shape)) {
      throw new ModelFileError(`${group} tensor "${name}" has shape ${shapeStr(t.shape)}, the architecture needs ${shapeStr(item.shape)}`);
    }
    const values = decodeTensor(t, `${group} tensor "${name}"`);
    // A variance below 0 makes batch normalization's 1 / sqrt(variance + epsilon) NaN.
    if (name === 'runningVar' || name.endsWith('.runningVar')) {
      const i = values.findIndex((v) => !(v >= 0));
      if (i >= 0) throw new ModelFileError(`${group} tensor "${name}": value ${i} is ${values[i]}, a variance must be at least 0`);
    }
    item.value.set(values);
  }
}

function applyMasks(params: Named<{ shape: readonly number[]; value: Float32Array; mask?: Uint8Array }>[], masks: Record<string, EncodedMask>): void {
  const byName = new Map(params.map((p) => [p.name, p.item]));
  for (const [name, t] of Object.entries(masks)) {
    const p = byName.get(name);
    if (!p) throw new ModelFileError(`mask "${name}" is for a param not in the architecture`);
    if (!shapeEq(t.shape, p.shape)) throw new ModelFileError(`mask "${name}" has shape ${shapeStr(t.shape)}, the param has ${shapeStr(p.shape)}`);
    const mask = decodeMask(t, `mask "${name}"`);
    for (let j = 0; j < mask.length; j++) {
      if (mask[j] === 0 && p.value[j] !== 0) throw new ModelFileError(`mask "${name}": pruned entry ${j} holds ${p.value[j]}, not 0`);
    }
    p.mask = mask;
  }
}

export function saveOptimizer(opt: Optimizer, params: Named<{ shape: readonly number[] }>[]): SavedOptimizer {
  const state = opt.getState();
  const slots: SavedOptimizer['slots'] = {};
  for (const [slot, lists] of Object.entries(state.slots)) {
    if (lists.length !== 0 && lists.length !== params.length) {
      throw new Error(`the optimizer holds state for ${lists.length} params, the model has ${params.length}: was it stepped with model.params()?`);
    }
    slots[slot] = Object.fromEntries(lists.map((values, i) => [params[i].name, encodeTensor(params[i].item.shape, Float32Array.from(values))]));
  }
  // Steps are counted only for Adam's bias correction, 1 - beta^t, which is 1 in double precision long
  // before LIMITS.maxCount: past it the file records the limit, so a file read at the limit can be trained and saved.
  return { spec: { ...opt.config, lr: opt.lr }, t: Math.min(state.t, LIMITS.maxCount), slots };
}

export function loadOptimizer(saved: SavedOptimizer, params: Named<{ shape: readonly number[] }>[]): Optimizer {
  try {
    const opt = createOptimizer(saved.spec);
    const slots: OptimizerState['slots'] = {};
    for (const [slot, map] of Object.entries(saved.slots)) {
      const names = Object.keys(map);
      if (names.length === 0) {
        slots[slot] = [];
        continue;
      }
      const expected = new Set(params.map((p) => p.name));
      const stray = names.find((n) => !expected.has(n));
      if (stray !== undefined) throw new ModelFileError(`${slot} tensor "${stray}" is not a param of the architecture`);
      slots[slot] = params.map(({ name, item }) => {
        if (!Object.hasOwn(map, name)) throw new ModelFileError(`${slot} tensor "${name}" is missing`);
        const t = map[name];
        if (!shapeEq(t.shape, item.shape)) throw new ModelFileError(`${slot} tensor "${name}" has shape ${shapeStr(t.shape)}, the param has ${shapeStr(item.shape)}`);
        return Array.from(decodeTensor(t, `${slot} tensor "${name}"`, LIMITS.maxMoment));
      });
    }
    opt.setState({ type: saved.spec.type, t: saved.t, slots });
    return opt;
  } catch (e) {
    throw asModelFileError(e, 'optimizer: ');
  }
}
