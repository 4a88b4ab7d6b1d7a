/**
 * Networks the export tests (PyTorch and ONNX) run: every classifier preset with batch norm and
 * dropout, custom layer lists reaching each layer type and padding rule, a DCGAN and sequence nets. Each is trained a few
 * steps so weights and BatchNorm statistics leave their initial values.
 */
import { Rng } from '../../core/rng.js';
import { sizeOf, tensor, type Tensor } from '../../core/tensor.js';
import type { Normalization } from '../../data/normalize.js';
import '../../layers/index.js';
import { softmaxCrossEntropy } from '../../losses/index.js';
import { presetSpec } from '../../models/presets.js';
import { Sequential, type SequentialSpec } from '../../models/sequential.js';
import { createOptimizer } from '../../optim/index.js';
import { seriesSpec } from '../../data/series.js';
import { Gan } from '../../models/gan.js';
import { dcganSpecs } from '../../models/gan-presets.js';
import { GanStepper } from '../../models/gan-step.js';
import { sequenceSpec } from '../../models/sequence.js';
import { classifierToFile, type ClassifierFile } from '../classifier.js';
import { ganToFile, type GanFile } from '../gan.js';
import { sequenceToFile, type SequenceFile } from '../sequence.js';

/** A fixed batch of n samples of the given per-sample shape, values in about [-1, 1]. */
export function batchOf(n: number, shape: readonly number[], seed = 7): Tensor {
  const r = new Rng(seed);
  return tensor([n, ...shape], Array.from({ length: n * sizeOf(shape) }, () => 2 * r.next() - 1));
}

/** A few Adam steps on random data and labels. */
export function trainSteps(model: Sequential, steps = 3, seed = 3): void {
  const rng = new Rng(seed);
  const opt = createOptimizer({ type: 'adam', lr: 0.01 });
  const classes = model.outputShape[0];
  for (let s = 0; s < steps; s++) {
    const x = batchOf(6, model.inputShape, rng.nextU32());
    const labels = Int32Array.from({ length: 6 }, (_, i) => i % classes);
    const { y, caches } = model.forward(x, { training: true, rng });
    model.zeroGrads();
    model.backward(caches, softmaxCrossEntropy(y, labels).grad);
    opt.step(model.params());
  }
}

/** A trained classifier's model file; `image` is its input when the network's first layer takes another shape. */
export function classifierFile(spec: SequentialSpec, normalization: Normalization = { kind: 'unit' }, settings: Record<string, unknown> = {}, image?: readonly number[]): ClassifierFile {
  const model = new Sequential(spec, new Rng(5));
  trainSteps(model);
  const [channels, height, width] = image ?? spec.input;
  const classes = Array.from({ length: model.outputShape[0] }, (_, i) => `class ${i}`);
  return classifierToFile({ model, classes, input: { channels, height, width }, normalization, training: { seed: 5, settings, history: [{ epoch: 1, trainLoss: 1 }] } });
}

/** [label, architecture, image input when the network takes flat vectors]. */
export const CLASSIFIER_NETS: [string, SequentialSpec, number[]?][] = [
  ['lenet5', presetSpec('lenet5', [3, 16, 16], 4)],
  ['mlp with dropout and batch norm', presetSpec('mlp', [1, 6, 6], 3, { dropout: 0.3, inputDropout: 0.1, batchNorm: true, activation: 'leakyRelu' })],
  ['vgg with batch norm', presetSpec('vgg', [3, 8, 8], 3, { batchNorm: true, depth: 2 })],
  ['resnet with batch norm', presetSpec('resnet', [1, 8, 8], 3, { batchNorm: true, depth: 1 })],
  ['highway', presetSpec('highway', [1, 8, 8], 3, { depth: 2, activation: 'tanh' })],
  ['a network on flat vectors fed [2, 3, 4] images', { input: [24], layers: [{ type: 'dense', units: 6 }, { type: 'relu' }, { type: 'dense', units: 3 }] }, [2, 3, 4]],
  [
    'custom: stride-2 same conv, dilation, padded pools, softmax',
    {
      input: [3, 10, 10],
      layers: [
        { type: 'conv2d', filters: 6, kernel: 3, stride: 2, padding: 'same' },
        { type: 'batchNorm', momentum: 0.8, epsilon: 1e-3 },
        { type: 'relu' },
        { type: 'conv2d', filters: 5, kernel: 3, dilation: 2, padding: 'same' },
        { type: 'avgPool2d', size: 3, stride: 2, padding: 'same' },
        { type: 'tanh' },
        { type: 'maxPool2d', size: 2, stride: 2, padding: 'same' },
        { type: 'flatten' },
        { type: 'batchNorm' },
        { type: 'dense', units: 4, init: 'glorot' },
        { type: 'sigmoid' },
        { type: 'dense', units: 3 },
        { type: 'softmax' },
      ],
    },
  ],
  [
    'custom: transposed convolutions (same, valid, outputPadding, kernel < stride), reshape',
    {
      input: [2, 5, 5],
      layers: [
        { type: 'convTranspose2d', filters: 3, kernel: 3, stride: 2, padding: 'same' },
        { type: 'relu' },
        { type: 'convTranspose2d', filters: 2, kernel: 4, stride: 2, padding: 'same', outputPadding: 1 },
        { type: 'convTranspose2d', filters: 2, kernel: 2, stride: 3, padding: 'valid' },
        { type: 'maxPool2d', size: 4, stride: 4 },
        { type: 'tanh' },
        { type: 'flatten' },
        { type: 'dense', units: 18 },
        { type: 'tanh' },
        { type: 'reshape', shape: [2, 3, 3] },
        { type: 'convTranspose2d', filters: 2, kernel: 3, stride: 1, padding: 'same', useBias: false },
        { type: 'flatten' },
        { type: 'dense', units: 3 },
      ],
    },
  ],
  [
    'custom: gates (image, flat, gate path from flat to image) and residual projections',
    {
      input: [2, 6, 6],
      layers: [
        { type: 'conv2d', filters: 3, kernel: 3 },
        { type: 'gate', a: [{ type: 'conv2d', filters: 3 }, { type: 'tanh' }], gate: [{ type: 'conv2d', filters: 2 }, { type: 'relu' }] },
        {
          type: 'gate',
          a: [{ type: 'conv2d', filters: 4, stride: 2 }],
          b: [{ type: 'conv2d', filters: 4, kernel: 1, stride: 2 }],
          gate: [{ type: 'flatten' }, { type: 'dense', units: 5 }, { type: 'relu' }],
          gateBias: 0.5,
        },
        {
          type: 'residual',
          body: [{ type: 'conv2d', filters: 6, stride: 2 }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'conv2d', filters: 6 }],
          shortcut: [{ type: 'conv2d', filters: 6, kernel: 1, stride: 2 }],
        },
        { type: 'flatten' },
        { type: 'gate', a: [{ type: 'dense', units: 8 }], b: [{ type: 'dense', units: 8 }], gate: [] },
        { type: 'residual', body: [{ type: 'dense', units: 8 }, { type: 'leakyRelu', alpha: 0.2 }] },
        { type: 'dense', units: 3 },
      ],
    },
  ],
  [
    'custom: image rows through reshape, a GRU returning sequences, a time-delay layer, a simple RNN',
    {
      input: [1, 6, 5],
      layers: [
        { type: 'reshape', shape: [6, 5] },
        { type: 'gru', units: 4, returnSequences: true },
        { type: 'conv1d', units: 3, kernel: 2, returnSequences: true },
        { type: 'simpleRnn', units: 4 },
        { type: 'dense', units: 3 },
      ],
    },
  ],
];

/** A DCGAN (28×28 gray, small) trained a few steps, as a model file. */
export function ganFile(): GanFile {
  const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 8, width: 4 }), new Rng(3));
  const rng = new Rng(4);
  const opt = () => createOptimizer({ type: 'adam', lr: 0.01 });
  const stepper = new GanStepper(gan, opt(), opt(), 4);
  const real = batchOf(4, [1, 28, 28], 11).data;
  for (let i = 0; i < 3; i++) stepper.step((out) => (out.set(real), 4), rng);
  return ganToFile({ gan, normalization: { kind: 'symmetric' }, training: { seed: 3, settings: { batchSize: 4 }, history: [] } });
}

/** Sequence networks over [steps, features]: every cell, stacked, returning sequences or not. */
export const SEQUENCE_NETS: [string, SequentialSpec][] = [
  ['LSTM', sequenceSpec({ cell: 'lstm', steps: 7, features: 4, outputs: 3, units: 5 })],
  ['GRU, two stacked', sequenceSpec({ cell: 'gru', steps: 7, features: 4, outputs: 3, units: 5, layers: 2 })],
  ['simple RNN', sequenceSpec({ cell: 'rnn', steps: 7, features: 4, outputs: 3, units: 5 })],
  ['time-delay, two layers', sequenceSpec({ cell: 'tdnn', steps: 9, features: 4, outputs: 3, units: 4, layers: 2, kernel: 3 })],
  [
    'conv1d (same padding, stride, mean over time), LSTM returning sequences',
    {
      input: [8, 4],
      layers: [
        { type: 'conv1d', units: 4, kernel: 3, stride: 2, padding: 'same' },
        { type: 'lstm', units: 5, returnSequences: true },
        { type: 'conv1d', units: 3, kernel: 2, returnSequences: false },
        { type: 'dense', units: 3 },
      ],
    },
  ],
];

/** A sequence classifier over a generated series (the memory task: 3 codes + a flag = 4 features), trained a few steps, as a model file. */
export function sequenceFile(spec: SequentialSpec): SequenceFile {
  const model = new Sequential(spec, new Rng(5));
  trainSteps(model);
  const [steps] = spec.input;
  const classes = Array.from({ length: model.outputShape[0] }, (_, i) => `class ${i}`);
  return sequenceToFile({
    model,
    data: { source: 'series', series: seriesSpec('memory', { steps, classes: 3 }) },
    task: 'classify',
    classes,
    training: { seed: 5, settings: {}, history: [] },
  });
}
