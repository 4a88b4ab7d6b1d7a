/**
 * The "gan" kind: a generator and a discriminator (each an architecture, its weights and statistics and,
 * optionally, its optimizer's state), the latent size, the images it makes (size, channels), how pixels
 * map to the generator's output (normalization) and the training record (seed, settings, history).
 * Import runs the same kind of checks as the classifier's: limits, both architectures, shapes that fit
 * together, every tensor's name, shape, encoding and finiteness.
 */
import { Rng } from '../core/rng.js';
import { shapeEq, shapeStr } from '../core/tensor.js';
import type { Normalization } from '../data/normalize.js';
import '../layers/index.js'; // registers the layer types an architecture may name
import { Gan } from '../models/gan.js';
import type { Sequential, SequentialSpec } from '../models/sequential.js';
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

export interface GanNetworkContent {
  architecture: SequentialSpec;
  params: Record<string, EncodedTensor>;
  buffers: Record<string, EncodedTensor>;
  optimizer?: SavedOptimizer;
}

export interface GanContent {
  generator: GanNetworkContent;
  discriminator: GanNetworkContent;
  latent: number;
  input: ImageInput;
  normalization: Normalization;
  training: TrainingRecord;
}

export type GanFile = ModelFile<'gan', GanContent>;

export interface GanToFileInit {
  gan: Gan;
  normalization: Normalization;
  /** settings and history are copied as JSON (non-finite metrics become null). */
  training: { seed: number; settings: object; history: readonly object[] };
  /** Include to let training resume exactly (each stepped with its network's params()). */
  optimizers?: { generator: Optimizer; discriminator: Optimizer };
  createdAt?: Date;
}

export interface LoadedGan {
  gan: Gan;
  input: ImageInput;
  normalization: Normalization;
  training: TrainingRecord;
  /** Restored optimizers, or null when the file has none. */
  optimizers: { generator: Optimizer; discriminator: Optimizer } | null;
  createdAt: string;
  locusVersion: string;
}

export function ganToFile(init: GanToFileInit): GanFile {
  const { gan } = init;
  const [channels, height, width] = gan.sampleShape;
  if (gan.sampleShape.length !== 3) throw new Error(`a gan model file holds image GANs; this one makes ${shapeStr(gan.sampleShape)} samples`);
  const network = (net: Sequential, opt: Optimizer | undefined): GanNetworkContent => {
    const { params, buffers } = namedTensors(net.layers);
    const out: GanNetworkContent = {
      architecture: net.spec(),
      params: Object.fromEntries(params.map(({ name, item }) => [name, encodeTensor(item.shape, item.value)])),
      buffers: Object.fromEntries(buffers.map(({ name, item }) => [name, encodeTensor(item.shape, item.value)])),
    };
    if (opt) out.optimizer = saveOptimizer(opt, params);
    return out;
  };
  const content: GanContent = {
    generator: network(gan.generator, init.optimizers?.generator),
    discriminator: network(gan.discriminator, init.optimizers?.discriminator),
    latent: gan.latent,
    input: { channels, height, width },
    normalization: toJsonObject(init.normalization, 'normalization') as Normalization,
    training: {
      seed: init.training.seed,
      settings: toJsonObject(init.training.settings, 'training.settings'),
      history: savedHistory(init.training.history),
    },
  };
  return envelope('gan', content, init.createdAt);
}

/** Rebuild both networks (with the file's seed) and copy the stored tensors in by name; throws ModelFileError. */
export function ganFromFile(file: ModelFile): LoadedGan {
  if (file.kind !== 'gan') throw new ModelFileError(`this is a "${file.kind}" model, not a gan`);
  const c = (file as GanFile).model;
  checkContent(c);
  let gan: Gan;
  try {
    gan = new Gan({ generator: c.generator.architecture, discriminator: c.discriminator.architecture }, new Rng(c.training.seed));
  } catch (e) {
    throw asModelFileError(e, 'architecture: ');
  }
  const image = [c.input.channels, c.input.height, c.input.width];
  if (!shapeEq(gan.sampleShape, image)) {
    throw new ModelFileError(`generator: makes ${shapeStr(gan.sampleShape)} samples but the images are ${shapeStr(image)}`);
  }
  const load = (net: Sequential, saved: GanNetworkContent, who: string): Optimizer | null => {
    const { params, buffers } = namedTensors(net.layers);
    try {
      copyTensors(params, saved.params, 'params');
      copyTensors(buffers, saved.buffers, 'buffers');
      return saved.optimizer ? loadOptimizer(saved.optimizer, params) : null;
    } catch (e) {
      throw asModelFileError(e, `${who}: `);
    }
  };
  const optG = load(gan.generator, c.generator, 'generator');
  const optD = load(gan.discriminator, c.discriminator, 'discriminator');
  return {
    gan,
    input: { ...c.input },
    normalization: c.normalization,
    training: c.training,
    optimizers: optG && optD ? { generator: optG, discriminator: optD } : null,
    createdAt: file.createdAt,
    locusVersion: file.locusVersion,
  };
}

registerKind({ kind: 'gan', check: (f) => void ganFromFile(f) });

/** Limits and cross-field checks the schema cannot express, before anything is built or decoded. */
function checkContent(c: GanContent): void {
  const { channels, height, width } = c.input;
  if (channels > LIMITS.maxChannels) throw new ModelFileError(`input: ${channels} channels, at most ${LIMITS.maxChannels} allowed`);
  if (height > LIMITS.maxSide || width > LIMITS.maxSide) throw new ModelFileError(`input: ${width}x${height} pixels, at most ${LIMITS.maxSide} on a side allowed`);
  checkNormalization(c.normalization, channels);
  if (c.latent > LIMITS.maxDim) throw new ModelFileError(`latent: ${c.latent} values, at most ${LIMITS.maxDim} allowed`);
  checkTrainingRecord(c.training);
  for (const who of ['generator', 'discriminator'] as const) {
    const net = c[who];
    try {
      checkArchitecture(net.architecture);
    } catch (e) {
      throw asModelFileError(e, `${who}: `);
    }
    for (const [group, map] of Object.entries({ params: net.params, buffers: net.buffers })) {
      for (const [name, t] of Object.entries(map)) checkEncoded(t, `${who} ${group} tensor "${name}"`);
    }
    for (const [slot, map] of Object.entries(net.optimizer?.slots ?? {})) {
      for (const [name, t] of Object.entries(map)) checkEncoded(t, `${who} optimizer ${slot} tensor "${name}"`);
    }
  }
  const g = c.generator.architecture.input;
  if (!shapeEq(g, [c.latent])) throw new ModelFileError(`generator: input ${shapeStr(g)} does not take latent codes of ${c.latent} values`);
  const d = c.discriminator.architecture.input;
  const image = [channels, height, width];
  if (!shapeEq(d, image)) throw new ModelFileError(`discriminator: input ${shapeStr(d)} does not fit images of ${shapeStr(image)}`);
  if ((c.generator.optimizer === undefined) !== (c.discriminator.optimizer === undefined)) {
    throw new ModelFileError('optimizer state is saved for one network but not the other');
  }
}
