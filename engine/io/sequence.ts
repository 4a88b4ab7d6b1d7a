/**
 * The "sequence" kind: a Sequential network over [steps, features] inputs (recurrent or time-delay
 * layers, then a read-out) with what is needed to use it on new data: where its sequences come from
 * (image rows with their size and normalization, or a generated series with its options), its task
 * (classify with class names, or regress with a number of outputs) and the training record, plus
 * optionally the optimizer's state to resume training.
 */
import { Rng } from '../core/rng.js';
import { shapeEq, shapeStr } from '../core/tensor.js';
import type { Normalization } from '../data/normalize.js';
import { seriesSpec, type SeriesSpec } from '../data/series.js';
import '../layers/index.js'; // registers the layer types an architecture may name
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import type { Optimizer } from '../optim/optimizer.js';
import { checkArchitecture } from './architecture.js';
import { checkNormalization, checkTrainingRecord } from './bounds.js';
import { copyTensors, loadOptimizer, savedHistory, saveOptimizer, type ImageInput, type SavedOptimizer, type TrainingRecord } from './classifier.js';
import { checkEncoded, encodeTensor, type EncodedTensor } from './codec.js';
import { asModelFileError, ModelFileError } from './errors.js';
import { envelope, type ModelFile } from './format.js';
import { toJsonObject } from './json.js';
import { registerKind } from './kinds.js';
import { LIMITS } from './limits.js';
import { namedTensors } from './named.js';

/** Where the sequences come from. */
export type SequenceData =
  | { source: 'rows'; image: ImageInput; normalization: Normalization; fit?: 'cover' | 'contain' | 'fill' }
  | { source: 'series'; series: SeriesSpec };

export interface SequenceContent {
  architecture: SequentialSpec;
  data: SequenceData;
  task: 'classify' | 'regress';
  /** Class names (classify, in output order); empty for regression. */
  classes: string[];
  /** Outputs of the network: the class count, or the regression targets per sample. */
  outputs: number;
  training: TrainingRecord;
  params: Record<string, EncodedTensor>;
  buffers: Record<string, EncodedTensor>;
  optimizer?: SavedOptimizer;
}

export type SequenceFile = ModelFile<'sequence', SequenceContent>;

export interface SequenceToFileInit {
  model: Sequential;
  data: SequenceData;
  task: 'classify' | 'regress';
  classes: readonly string[];
  training: { seed: number; settings: object; history: readonly object[] };
  optimizer?: Optimizer;
  createdAt?: Date;
}

export interface LoadedSequence {
  model: Sequential;
  data: SequenceData;
  task: 'classify' | 'regress';
  classes: string[];
  outputs: number;
  training: TrainingRecord;
  optimizer: Optimizer | null;
  createdAt: string;
  locusVersion: string;
}

/** The [steps, features] a data description gives. */
export function sequenceInputShape(d: SequenceData): [number, number] {
  if (d.source === 'rows') return [d.image.height, d.image.width * d.image.channels];
  const s = d.series;
  return [s.steps, s.name === 'memory' ? s.classes + 1 : s.name === 'adding' ? 2 : 1];
}

export function sequenceToFile(init: SequenceToFileInit): SequenceFile {
  const { model } = init;
  const { params, buffers } = namedTensors(model.layers);
  const outputs = model.outputShape.reduce((a, b) => a * b, 1);
  const content: SequenceContent = {
    architecture: model.spec(),
    data: toJsonObject(init.data, 'data') as SequenceData,
    task: init.task,
    classes: [...init.classes],
    outputs,
    training: {
      seed: init.training.seed,
      settings: toJsonObject(init.training.settings, 'training.settings'),
      history: savedHistory(init.training.history),
    },
    params: Object.fromEntries(params.map(({ name, item }) => [name, encodeTensor(item.shape, item.value)])),
    buffers: Object.fromEntries(buffers.map(({ name, item }) => [name, encodeTensor(item.shape, item.value)])),
  };
  if (init.optimizer) content.optimizer = saveOptimizer(init.optimizer, params);
  checkContent(content);
  return envelope('sequence', content, init.createdAt);
}

export function sequenceFromFile(file: ModelFile): LoadedSequence {
  if (file.kind !== 'sequence') throw new ModelFileError(`this is a "${file.kind}" model, not a sequence model`);
  const c = (file as SequenceFile).model;
  checkContent(c);
  let model: Sequential;
  try {
    model = new Sequential(c.architecture, new Rng(c.training.seed));
  } catch (e) {
    throw asModelFileError(e, 'architecture: ');
  }
  if (!shapeEq(model.outputShape, [c.outputs])) {
    throw new ModelFileError(`architecture: the network outputs ${shapeStr(model.outputShape)} but the model has ${c.outputs} outputs`);
  }
  const { params, buffers } = namedTensors(model.layers);
  copyTensors(params, c.params, 'params');
  copyTensors(buffers, c.buffers, 'buffers');
  return {
    model,
    data: c.data,
    task: c.task,
    classes: [...c.classes],
    outputs: c.outputs,
    training: c.training,
    optimizer: c.optimizer ? loadOptimizer(c.optimizer, params) : null,
    createdAt: file.createdAt,
    locusVersion: file.locusVersion,
  };
}

registerKind({ kind: 'sequence', check: (f) => void sequenceFromFile(f) });

function checkContent(c: SequenceContent): void {
  const d = c.data;
  if (d.source === 'rows') {
    const { channels, height, width } = d.image;
    if (channels > LIMITS.maxChannels) throw new ModelFileError(`data: ${channels} channels, at most ${LIMITS.maxChannels} allowed`);
    if (height > LIMITS.maxSide || width > LIMITS.maxSide) throw new ModelFileError(`data: ${width}x${height} pixels, at most ${LIMITS.maxSide} on a side allowed`);
    checkNormalization(d.normalization, channels, 'data.normalization');
    if (c.task !== 'classify') throw new ModelFileError('image rows are classified: task must be "classify"');
  } else {
    try {
      seriesSpec(d.series.name, d.series);
    } catch (e) {
      throw asModelFileError(e, 'data.series: ');
    }
    const want = d.series.name === 'sines' || d.series.name === 'memory' ? 'classify' : 'regress';
    if (c.task !== want) throw new ModelFileError(`data.series: "${d.series.name}" is a ${want} task, the file says ${c.task}`);
  }
  if (c.task === 'classify') {
    if (c.classes.length !== c.outputs) throw new ModelFileError(`${c.classes.length} class names for ${c.outputs} outputs`);
    if (c.classes.length > LIMITS.maxClasses) throw new ModelFileError(`${c.classes.length} classes, at most ${LIMITS.maxClasses} allowed`);
    const names = new Set<string>();
    for (const name of c.classes) {
      if (name.length > LIMITS.maxNameLength) throw new ModelFileError(`a class name is longer than ${LIMITS.maxNameLength} characters`);
      if (names.has(name)) throw new ModelFileError(`class "${name}" is listed twice`);
      names.add(name);
    }
  } else if (c.classes.length !== 0) {
    throw new ModelFileError('a regression model has no class names');
  }
  checkTrainingRecord(c.training);
  checkArchitecture(c.architecture);
  const want = sequenceInputShape(d);
  if (!shapeEq(c.architecture.input, want)) {
    throw new ModelFileError(`architecture: input ${shapeStr(c.architecture.input)} does not fit the data's sequences of ${shapeStr(want)}`);
  }
  for (const [group, map] of Object.entries({ params: c.params, buffers: c.buffers })) {
    for (const [name, t] of Object.entries(map)) checkEncoded(t, `${group} tensor "${name}"`);
  }
  for (const [slot, map] of Object.entries(c.optimizer?.slots ?? {})) {
    for (const [name, t] of Object.entries(map)) checkEncoded(t, `optimizer ${slot} tensor "${name}"`);
  }
}
