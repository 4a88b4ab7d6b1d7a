/**
 * Export to TensorFlow.js's layers format (see "Export to TensorFlow.js" in README.md): a model.json holding a
 * Keras-style `modelTopology` and a `weightsManifest`, plus the weights as one little-endian float32
 * file (`group1-shard1of1.bin`), or all of it in one JSON file with the weights in base64.
 * The exported model takes channels-last images [batch, height, width, channels], normalized as
 * Locus normalized them (recorded in userDefinedMetadata.locus), and outputs what the Locus network
 * outputs (a classifier's logits, or probabilities with `probabilities: true`).
 */
import { shapeEq, shapeStr, sizeOf } from '../core/tensor.js';
import type { Normalization } from '../data/normalize.js';
import type { Sequential } from '../models/sequential.js';
import type { LoadedClassifier } from './classifier.js';
import type { LoadedSequence } from './sequence.js';
import { LOCUS_VERSION } from './format.js';
import { kerasShape, TfjsExportError, TfjsGraph, type TfRef } from './tfjs-graph.js';
import { convertChain, reshapeTo, softmaxLastAxis } from './tfjs-layers.js';

export { TfjsExportError };

export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** model.json of the layers format. */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  userDefinedMetadata: { locus: Record<string, unknown> };
}

/** The files variant: model.json's content and the bytes of the weights file it names. */
export interface TfjsExport {
  modelJson: TfjsModelJson;
  weightData: Uint8Array;
}

/** The single-file variant: model.json's fields, no weight file path, the weight bytes in standard base64. */
export interface TfjsSingleJson extends TfjsModelJson {
  weightDataBase64: string;
}

export interface TfjsNetworkOptions {
  /** The Keras model's per-sample input as a Locus shape; defaults to the network's own input. */
  input?: readonly number[];
  /** Append a softmax (over the last axis) to the network's output. */
  softmax?: boolean;
  modelName?: string;
  /** Merged into userDefinedMetadata.locus. */
  metadata?: Record<string, unknown>;
}

/**
 * Any Sequential network (a classifier, a GAN's generator...) in the layers format. When `input` is
 * another shape of the same size (an image [C, H, W] for a network on flat vectors), the model first
 * reshapes it in Locus's row-major order.
 */
export function networkToTfjs(model: Sequential, o: TfjsNetworkOptions = {}): TfjsExport {
  const input = o.input ?? model.inputShape;
  const g = new TfjsGraph(input);
  let x: TfRef = g.input;
  if (!shapeEq(input, model.inputShape)) {
    if (sizeOf(input) !== sizeOf(model.inputShape)) {
      throw new TfjsExportError(`the network takes ${shapeStr(model.inputShape)}, which does not fit inputs of ${shapeStr(input)}`);
    }
    x = reshapeTo(x, model.inputShape, g);
  }
  let y = convertChain(model.layers, x, { g, sign: 1 });
  if (o.softmax) {
    y = softmaxLastAxis(y, g);
  }
  const weights = g.weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' as const }));
  const modelJson: TfjsModelJson = {
    format: 'layers-model',
    generatedBy: `Locus ${LOCUS_VERSION}`,
    convertedBy: null,
    modelTopology: g.topology(y, o.modelName),
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights }],
    userDefinedMetadata: {
      locus: {
        exportVersion: 1,
        locusVersion: LOCUS_VERSION,
        inputShape: [null, ...kerasShape(input)],
        outputShape: [null, ...kerasShape(y.shape)],
        ...o.metadata,
      },
    },
  };
  return { modelJson, weightData: concatLE(g.weights.map((w) => w.data)) };
}

export interface TfjsClassifierOptions {
  /** Output class probabilities (a softmax appended) instead of the network's logits. */
  probabilities?: boolean;
}

/** A loaded classifier in the layers format; the metadata carries its classes and input normalization. */
export function exportTfjs(m: LoadedClassifier, o: TfjsClassifierOptions = {}): TfjsExport {
  const { channels, height, width } = m.input;
  return networkToTfjs(m.model, {
    input: [channels, height, width],
    softmax: o.probabilities === true,
    modelName: 'locus_classifier',
    metadata: {
      kind: 'classifier',
      classes: [...m.classes],
      output: o.probabilities ? 'probabilities' : 'logits',
      input: { channels, height, width, layout: 'NHWC' },
      normalization: m.normalization,
      preprocess: preprocessText(m.normalization),
    },
  });
}

/**
 * A sequence model (kind "sequence"): [batch, steps, features] in, as Locus's trainer builds them (the
 * metadata's `data` says from what), class scores or regression outputs out.
 */
export function exportSequenceTfjs(m: LoadedSequence, o: TfjsClassifierOptions = {}): TfjsExport {
  const probabilities = o.probabilities === true && m.task === 'classify';
  return networkToTfjs(m.model, {
    softmax: probabilities,
    modelName: 'locus_sequence',
    metadata: {
      kind: 'sequence',
      task: m.task,
      classes: [...m.classes],
      output: m.task === 'regress' ? 'values' : probabilities ? 'probabilities' : 'logits',
      data: m.data,
    },
  });
}

export interface TfjsGeneratorOptions {
  /** How the GAN's samples map back to pixels (default symmetric: a generator ending in tanh). */
  normalization?: Normalization;
}

/**
 * A GAN's generator alone: latent codes [batch, latent] in, samples out (images as [batch, H, W, C]).
 * Draw the codes from N(0, 1) as Locus does; the metadata says how samples become pixels.
 */
export function exportGeneratorTfjs(generator: Sequential, o: TfjsGeneratorOptions = {}): TfjsExport {
  if (generator.inputShape.length !== 1) {
    throw new TfjsExportError(`a generator takes flat latent codes, this network takes ${shapeStr(generator.inputShape)}`);
  }
  const norm = o.normalization ?? { kind: 'symmetric' };
  return networkToTfjs(generator, {
    modelName: 'locus_generator',
    metadata: {
      kind: 'gan-generator',
      latent: generator.inputShape[0],
      latentDistribution: 'standard normal',
      output: generator.outputShape.length === 3 ? { layout: 'NHWC', channels: generator.outputShape[0], height: generator.outputShape[1], width: generator.outputShape[2] } : { shape: [...generator.outputShape] },
      normalization: norm,
      postprocess: postprocessText(norm),
    },
  });
}

/** How pixels p in 0..255 become model inputs, as a formula. */
export function preprocessText(n: Normalization): string {
  if (n.kind === 'unit') return 'x = p / 255';
  if (n.kind === 'symmetric') return 'x = p / 127.5 - 1';
  return `x = (p / 255 - mean[c]) / std[c] with mean = [${n.mean.join(', ')}], std = [${n.std.join(', ')}] per channel c`;
}

/** How model outputs x become pixels p (clamp to 0..255), as a formula: the inverse of preprocessText. */
export function postprocessText(n: Normalization): string {
  if (n.kind === 'unit') return 'p = x * 255';
  if (n.kind === 'symmetric') return 'p = (x + 1) * 127.5';
  return `p = (x * std[c] + mean[c]) * 255 with mean = [${n.mean.join(', ')}], std = [${n.std.join(', ')}] per channel c`;
}

/** The single-file variant of an export. */
export function tfjsSingleJson(e: TfjsExport): TfjsSingleJson {
  const manifest = e.modelJson.weightsManifest.map((g) => ({ paths: [], weights: g.weights }));
  const b64 = Buffer.from(e.weightData.buffer, e.weightData.byteOffset, e.weightData.byteLength).toString('base64');
  return { ...e.modelJson, weightsManifest: manifest, weightDataBase64: b64 };
}

/** Float32 arrays end to end as little-endian bytes (the layers format's byte order). */
function concatLE(parts: readonly Float32Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n * 4);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++, o += 4) view.setFloat32(o, p[i], true);
  }
  return out;
}
