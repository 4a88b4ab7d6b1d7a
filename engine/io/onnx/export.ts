/**
 * Export to ONNX (opset 17, IR version 8): one .onnx file written by our own protobuf writer
 * (proto.ts). A classifier takes images [batch, channels, height, width] (NCHW, as Locus), normalized
 * as Locus normalized them, and outputs logits; a GAN's generator takes latent codes [batch, latent];
 * a sequence model takes [batch, steps, features]. The metadata (metadata_props "locus") says what the
 * inputs are and how pixels become them, as a JSON string.
 */
import type { Normalization } from '../../data/normalize.js';
import type { Sequential } from '../../models/sequential.js';
import { classifierFromFile } from '../classifier.js';
import { LOCUS_VERSION, type ModelFile } from '../format.js';
import { ganFromFile } from '../gan.js';
import { sequenceFromFile } from '../sequence.js';
import { fitOf } from '../pytorch/export.js';
import { postprocessText, preprocessText } from '../tfjs.js';
import { convertChain, OnnxExportError, OnnxGraph } from './layers.js';
import { graphProto, modelProto, valueInfo } from './proto.js';

export { OnnxExportError };

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface OnnxExport {
  kind: string;
  bytes: Uint8Array;
  input: { name: string; shape: (number | string)[] };
  output: { name: string; shape: (number | string)[] };
  weights: number;
  metadata: Record<string, unknown>;
}

export interface OnnxNetworkOptions {
  inputName: string;
  outputName: string;
  graphName: string;
  /** The JSON stored as metadata_props "locus". */
  metadata: Record<string, unknown>;
  softmax?: boolean;
  /** The model's per-sample input when it differs from the network's (an image for a network on flat vectors): reshaped in Locus's row-major order first. */
  input?: readonly number[];
}

/** Any Sequential network as an ONNX model. */
export function networkToOnnx(model: Sequential, o: OnnxNetworkOptions): OnnxExport {
  const g = new OnnxGraph();
  const inShape = o.input ?? model.inputShape;
  if (inShape.reduce((a, b) => a * b, 1) !== model.inputShape.reduce((a, b) => a * b, 1)) {
    throw new OnnxExportError(`the network takes [${model.inputShape.join(', ')}], which does not fit inputs of [${inShape.join(', ')}]`);
  }
  const x = inShape.join() === model.inputShape.join() ? o.inputName : g.op('Reshape', [o.inputName, g.ints('input.shape', [-1, ...model.inputShape])], 'input');
  let y = convertChain(model.layers, x, g);
  if (o.softmax) y = g.op('Softmax', [y], 'probabilities', { axis: { i: -1 } });
  // The last value gets the output's name through an Identity (so the name is ours whatever the last op).
  g.nodes.push({ op: 'Identity', inputs: [y], outputs: [o.outputName], name: 'output' });
  const input = { name: o.inputName, shape: ['batch', ...inShape] as (number | string)[] };
  const output = { name: o.outputName, shape: ['batch', ...model.outputShape] as (number | string)[] };
  const graph = graphProto({
    name: o.graphName,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [valueInfo(input.name, input.shape)],
    outputs: [valueInfo(output.name, output.shape)],
  });
  const weights = model.params().reduce((a, p) => a + p.value.length, 0);
  const metadata = { exportVersion: 1, locusVersion: LOCUS_VERSION, inputShape: input.shape, outputShape: output.shape, ...o.metadata };
  const bytes = modelProto({
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producer: 'Locus',
    producerVersion: LOCUS_VERSION,
    graph,
    doc: `A Locus ${String(o.metadata.kind)} (see metadata "locus").`,
    metadata: { locus: JSON.stringify(metadata) },
  });
  return { kind: String(o.metadata.kind), bytes, input, output, weights, metadata };
}

export interface OnnxOptions {
  /** Classifiers and sequence classifiers: output probabilities (a softmax appended) instead of logits. */
  probabilities?: boolean;
}

/** A classifier, a GAN (its generator) or a sequence model file as ONNX. */
export function exportOnnx(file: ModelFile, o: OnnxOptions = {}): OnnxExport {
  const probabilities = o.probabilities === true;
  if (file.kind === 'classifier') {
    const m = classifierFromFile(file);
    const { channels, height, width } = m.input;
    return networkToOnnx(m.model, {
      inputName: 'image',
      outputName: probabilities ? 'probabilities' : 'logits',
      graphName: 'locus_classifier',
      softmax: probabilities,
      input: [channels, height, width],
      metadata: {
        kind: 'classifier',
        classes: m.classes,
        output: probabilities ? 'probabilities' : 'logits',
        input: { channels, height, width, layout: 'NCHW' },
        fit: fitOf(m.training.settings),
        normalization: m.normalization,
        preprocess: preprocessText(m.normalization),
      },
    });
  }
  if (file.kind === 'gan') {
    if (probabilities) throw new OnnxExportError('probabilities are for classifiers; a GAN exports its generator');
    const m = ganFromFile(file);
    return generatorToOnnx(m.gan.generator, m.normalization);
  }
  if (file.kind === 'sequence') {
    const m = sequenceFromFile(file);
    const p = probabilities && m.task === 'classify';
    return networkToOnnx(m.model, {
      inputName: 'sequence',
      outputName: m.task === 'regress' ? 'values' : p ? 'probabilities' : 'logits',
      graphName: 'locus_sequence',
      softmax: p,
      metadata: { kind: 'sequence', task: m.task, classes: m.classes, output: m.task === 'regress' ? 'values' : p ? 'probabilities' : 'logits', data: m.data, layout: '[batch, steps, features]' },
    });
  }
  throw new OnnxExportError(`a "${file.kind}" model has no ONNX export (classifiers, GANs and sequence models have one)`);
}

/** A GAN's generator: latent codes [batch, latent] from N(0, 1) in, samples out. */
export function generatorToOnnx(generator: Sequential, normalization: Normalization): OnnxExport {
  if (generator.inputShape.length !== 1) throw new OnnxExportError(`a generator takes flat latent codes, this network takes [${generator.inputShape.join(', ')}]`);
  return networkToOnnx(generator, {
    inputName: 'latent',
    outputName: 'samples',
    graphName: 'locus_generator',
    metadata: {
      kind: 'gan-generator',
      latent: generator.inputShape[0],
      latentDistribution: 'standard normal',
      layout: generator.outputShape.length === 3 ? 'NCHW' : 'flat',
      normalization,
      postprocess: postprocessText(normalization),
    },
  });
}
