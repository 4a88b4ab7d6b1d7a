import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { reshape } from '../core/tensor.js';
import type { Normalization } from '../data/normalize.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { GanStepper } from '../models/gan-step.js';
import { presetSpec } from '../models/presets.js';
import { createOptimizer } from '../optim/index.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { classifierFromFile, classifierToFile } from './index.js';
import { exportGeneratorTfjs, exportTfjs, tfjsSingleJson, type TfjsExport } from './tfjs.js';
import { batch, loadExport, loadSingleJson, maxAbsDiff, tf, tfPredict, trainSteps } from './tfjs-testkit.js';

/** Train a classifier a few steps, save and reload it through the model file, export it. */
function classifier(spec: SequentialSpec, normalization: Normalization = { kind: 'unit' }, image?: number[]) {
  const model = new Sequential(spec, new Rng(5));
  trainSteps(model);
  const [channels, height, width] = image ?? spec.input;
  const classes = Array.from({ length: model.outputShape[0] }, (_, i) => `class ${i}`);
  const file = classifierToFile({ model, classes, input: { channels, height, width }, normalization, training: { seed: 5, settings: {}, history: [] } });
  return classifierFromFile(JSON.parse(JSON.stringify(file)));
}

async function assertSamePredictions(m: ReturnType<typeof classifier>, e: TfjsExport, label: string): Promise<number> {
  const { channels, height, width } = m.input;
  const x = batch(5, [channels, height, width]);
  const want = m.model.predict(reshape(x, [5, ...m.model.inputShape]), new Rng(0)).data;
  const tfm = await loadExport(e);
  const got = tfPredict(tfm, x);
  assert.deepEqual(got.shape, [5, m.classes.length], `${label}: output shape`);
  const d = maxAbsDiff(got.data, want);
  assert.ok(d < 1e-4, `${label}: TensorFlow.js differs from Locus by ${d}`);
  // The outputs are not trivially equal (a dead network would pass any comparison).
  assert.ok(maxAbsDiff(want.slice(0, 3), want.slice(3, 6)) > 1e-3, `${label}: outputs vary`);
  tfm.dispose();
  return d;
}

const NETS: [string, SequentialSpec][] = [
  ['LeNet-5 (3 channels: flatten after convolutions)', presetSpec('lenet5', [3, 16, 16], 4)],
  ['MLP (leakyRelu, dropout)', presetSpec('mlp', [2, 6, 6], 3, { activation: 'leakyRelu', dropout: 0.3 })],
  [
    'batchNorm conv net (stride-2 same padding, pools with padding, dilation, softmax)',
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
    'residual net (identity and projection shortcuts)',
    {
      input: [2, 8, 8],
      layers: [
        { type: 'conv2d', filters: 4, kernel: 3 },
        { type: 'residual', body: [{ type: 'conv2d', filters: 4 }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'conv2d', filters: 4 }] },
        { type: 'relu' },
        {
          type: 'residual',
          body: [{ type: 'conv2d', filters: 6, stride: 2 }, { type: 'relu' }, { type: 'conv2d', filters: 6 }],
          shortcut: [{ type: 'conv2d', filters: 6, kernel: 1, stride: 2 }],
        },
        { type: 'relu' },
        { type: 'flatten' },
        { type: 'residual', body: [{ type: 'dense', units: 96 }] },
        { type: 'dense', units: 3 },
      ],
    },
  ],
  [
    'gated net (image gate, flat gate, gate path from flat to image)',
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
        { type: 'flatten' },
        { type: 'gate', a: [{ type: 'dense', units: 8 }], b: [{ type: 'dense', units: 8 }], gate: [] },
        { type: 'dense', units: 3 },
      ],
    },
  ],
];

for (const [label, spec] of NETS) {
  test(`TensorFlow.js loads the export of a ${label} and predicts as Locus does`, async () => {
    const m = classifier(spec);
    await assertSamePredictions(m, exportTfjs(m), label);
  });
}

test('the topology is Sequential for chains and a functional Model with Add/Multiply for residual and gate', () => {
  const lenet = exportTfjs(classifier(NETS[0][1])).modelJson;
  assert.equal(lenet.modelTopology.class_name, 'Sequential');
  assert.equal(lenet.format, 'layers-model');
  assert.deepEqual(lenet.weightsManifest[0].paths, ['group1-shard1of1.bin']);
  const layers = (lenet.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers;
  assert.deepEqual(layers[0].config.batch_input_shape, [null, 16, 16, 3], 'channels-last input');
  const flat = layers.findIndex((l) => l.class_name === 'Flatten');
  assert.deepEqual(layers[flat - 1], { class_name: 'Permute', config: { name: 'permute_1', trainable: true, dtype: 'float32', dims: [3, 1, 2] } });
  const conv = lenet.weightsManifest[0].weights.find((w) => w.name === 'conv2d_1/kernel');
  assert.deepEqual(conv?.shape, [5, 5, 3, 6], 'conv kernels are [kh, kw, in, out]');
  for (const i of [3, 4]) {
    const t = exportTfjs(classifier(NETS[i][1])).modelJson.modelTopology;
    assert.equal(t.class_name, 'Model');
    const names = (t.config as { layers: { class_name: string }[] }).layers.map((l) => l.class_name);
    assert.ok(names.includes(i === 3 ? 'Add' : 'Multiply'), names.join(' '));
    assert.ok(!names.some((n) => n === 'Lambda'));
  }
});

test('metadata carries classes and normalization; probabilities: true appends a softmax', async () => {
  const norm: Normalization = { kind: 'standard', mean: [0.2, 0.4], std: [0.5, 0.25] };
  const m = classifier(presetSpec('mlp', [2, 4, 4], 3), norm);
  const e = exportTfjs(m, { probabilities: true });
  const meta = e.modelJson.userDefinedMetadata.locus;
  assert.deepEqual(meta.classes, ['class 0', 'class 1', 'class 2']);
  assert.deepEqual(meta.normalization, norm);
  assert.equal(meta.output, 'probabilities');
  assert.match(String(meta.preprocess), /mean = \[0\.2, 0\.4\], std = \[0\.5, 0\.25\]/);
  const tfm = await loadExport(e);
  assert.deepEqual(tfm.getUserDefinedMetadata(), e.modelJson.userDefinedMetadata);
  const x = batch(4, [2, 4, 4]);
  const logits = m.model.predict(x, new Rng(0));
  const want = tf.tidy(() => tf.softmax(tf.tensor(logits.data, [...logits.shape])).dataSync() as Float32Array);
  const got = tfPredict(tfm, x).data;
  assert.ok(maxAbsDiff(got, want) < 1e-6);
  tfm.dispose();
});

test('the single-file variant loads through tf.io.fromMemory with the README snippet', async () => {
  const m = classifier(NETS[0][1]);
  const e = exportTfjs(m);
  const single = JSON.parse(JSON.stringify(tfjsSingleJson(e)));
  assert.deepEqual(single.weightsManifest[0].paths, []);
  assert.equal(Buffer.from(single.weightDataBase64, 'base64').length, e.weightData.length);
  const tfm = await loadSingleJson(single);
  const x = batch(3, [3, 16, 16]);
  assert.ok(maxAbsDiff(tfPredict(tfm, x).data, m.model.predict(x, new Rng(0)).data) < 1e-4);
  tfm.dispose();
});

test('a DCGAN generator trained a few steps exports alone and makes the same samples in TensorFlow.js', async () => {
  const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 8, width: 4 }), new Rng(3));
  const rng = new Rng(4);
  const opt = () => createOptimizer({ type: 'adam', lr: 0.01 });
  const stepper = new GanStepper(gan, opt(), opt(), 4);
  const real = batch(4, [1, 28, 28], 11).data;
  for (let i = 0; i < 3; i++) assert.equal(stepper.step((out) => (out.set(real), 4), rng).problem, null);
  const e = exportGeneratorTfjs(gan.generator);
  const meta = e.modelJson.userDefinedMetadata.locus;
  assert.equal(meta.latent, 8);
  assert.equal(meta.postprocess, 'p = (x + 1) * 127.5');
  assert.deepEqual(meta.outputShape, [null, 28, 28, 1]);
  const tfm = await loadExport(e);
  const z = gan.sampleLatent(3, new Rng(5));
  const want = gan.generate(z, new Rng(0));
  const got = tfPredict(tfm, z);
  assert.deepEqual(got.shape, [3, 1, 28, 28]);
  const d = maxAbsDiff(got.data, want.data);
  assert.ok(d < 1e-4, `differs by ${d}`);
  tfm.dispose();
});

test('a classifier on flat vectors still takes NHWC images: the export flattens them in Locus order first', async () => {
  const m = classifier({ input: [24], layers: [{ type: 'dense', units: 6 }, { type: 'relu' }, { type: 'dense', units: 3 }] }, { kind: 'unit' }, [2, 3, 4]);
  const e = exportTfjs(m);
  assert.deepEqual(e.modelJson.userDefinedMetadata.locus.inputShape, [null, 3, 4, 2]);
  await assertSamePredictions(m, e, 'flat-input MLP');
});
