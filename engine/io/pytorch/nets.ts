/**
 * Networks the export tests (PyTorch and ONNX) run: every classifier preset with batch norm and
 * dropout, and custom layer lists reaching each layer type and padding rule. Each is trained a few
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
import { classifierToFile, type ClassifierFile } from '../classifier.js';

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

/** A trained classifier's model file. */
export function classifierFile(spec: SequentialSpec, normalization: Normalization = { kind: 'unit' }, settings: Record<string, unknown> = {}): ClassifierFile {
  const model = new Sequential(spec, new Rng(5));
  trainSteps(model);
  const [channels, height, width] = spec.input;
  const classes = Array.from({ length: model.outputShape[0] }, (_, i) => `class ${i}`);
  return classifierToFile({ model, classes, input: { channels, height, width }, normalization, training: { seed: 5, settings, history: [{ epoch: 1, trainLoss: 1 }] } });
}

export const CLASSIFIER_NETS: [string, SequentialSpec][] = [
  ['lenet5', presetSpec('lenet5', [3, 16, 16], 4)],
  ['mlp with dropout and batch norm', presetSpec('mlp', [1, 6, 6], 3, { dropout: 0.3, inputDropout: 0.1, batchNorm: true, activation: 'leakyRelu' })],
  ['vgg with batch norm', presetSpec('vgg', [3, 8, 8], 3, { batchNorm: true, depth: 2 })],
  ['resnet with batch norm', presetSpec('resnet', [1, 8, 8], 3, { batchNorm: true, depth: 1 })],
  ['highway', presetSpec('highway', [1, 8, 8], 3, { depth: 2, activation: 'tanh' })],
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
];
