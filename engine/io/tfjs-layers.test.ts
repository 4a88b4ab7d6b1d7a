import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import './stub-layers.js';
import { networkToTfjs, TfjsExportError } from './tfjs.js';
import { batch, loadExport, maxAbsDiff, tfPredict } from './tfjs-testkit.js';
import { permuteAxes } from './tfjs-weights.js';

/** Export a network with perturbed weights (not at init, BatchNorm statistics away from 0 and 1), compare. */
async function sameAsLocus(spec: SequentialSpec, n = 3): Promise<{ diff: number; layers: string[] }> {
  const model = new Sequential(spec, new Rng(2));
  const r = new Rng(9);
  for (const p of model.params()) for (let i = 0; i < p.value.length; i++) p.value[i] += 0.1 * r.normal();
  for (const b of model.buffers()) for (let i = 0; i < b.value.length; i++) b.value[i] = b.name === 'runningVar' ? 0.5 + r.next() : r.normal();
  const e = networkToTfjs(model);
  const tfm = await loadExport(e);
  const x = batch(n, spec.input);
  const want = model.predict(x, new Rng(0));
  const got = tfPredict(tfm, x);
  assert.deepEqual(got.shape, want.shape);
  const layers = (e.modelJson.modelTopology.config as { layers: { class_name: string }[] }).layers.map((l) => l.class_name);
  tfm.dispose();
  return { diff: maxAbsDiff(got.data, want.data), layers };
}

test('permuteAxes moves axes like a hand-worked 2x3 transpose and a 4-D kernel reorder', () => {
  assert.deepEqual([...permuteAxes(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0])], [1, 4, 2, 5, 3, 6]);
  // w[o][i][y][x] = 1000o + 100i + 10y + x, shape [2, 3, 2, 2] -> [y][x][i][o].
  const w = new Float32Array(24);
  for (let o = 0; o < 2; o++) for (let i = 0; i < 3; i++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) w[((o * 3 + i) * 2 + y) * 2 + x] = 1000 * o + 100 * i + 10 * y + x;
  const k = permuteAxes(w, [2, 3, 2, 2], [2, 3, 1, 0]);
  assert.equal(k[((1 * 2 + 0) * 3 + 2) * 2 + 1], 1000 + 200 + 10 + 0);
  assert.throws(() => permuteAxes(w, [2, 3, 2, 2], [0, 0, 1, 2]), /not a permutation/);
});

test('a generator-like network: dense -> reshape to an image -> batchNorm -> transposed convolutions of every size rule', async () => {
  const { diff, layers } = await sameAsLocus({
    input: [6],
    layers: [
      { type: 'dense', units: 4 * 3 * 3, useBias: false },
      { type: 'reshape', shape: [4, 3, 3] },
      { type: 'batchNorm' },
      { type: 'relu' },
      { type: 'convTranspose2d', filters: 3, kernel: 4, stride: 2, padding: 'same', useBias: false }, // 6x6, Keras 'same'
      { type: 'convTranspose2d', filters: 3, kernel: 3, stride: 2, padding: 'valid' }, // 13x13, Keras 'valid'
      { type: 'leakyRelu', alpha: 0.2 },
      { type: 'convTranspose2d', filters: 2, kernel: 3, stride: 2, padding: 'same', outputPadding: 1 }, // 27 -> crop
      { type: 'convTranspose2d', filters: 2, kernel: 2, stride: 3, padding: 'valid' }, // kernel < stride -> crop
      { type: 'tanh' },
    ],
  });
  assert.ok(diff < 1e-4, `differs by ${diff}`);
  assert.ok(layers.includes('Cropping2D') && layers.includes('Conv2DTranspose'), layers.join(' '));
});

test('reshape between images and flat or 2-D shapes keeps Locus order; softmax over the width axis', async () => {
  const { diff } = await sameAsLocus({
    input: [2, 4, 6],
    layers: [
      { type: 'reshape', shape: [3, 4, 4] },
      { type: 'conv2d', filters: 2, kernel: 3, padding: 'valid' },
      { type: 'reshape', shape: [4, 2] },
      { type: 'softmax' },
      { type: 'reshape', shape: [2, 2, 2] },
      { type: 'softmax' },
      { type: 'flatten' },
      { type: 'dense', units: 3 },
    ],
  });
  assert.ok(diff < 1e-5, `differs by ${diff}`);
});

test('same padding with stride 2 puts the extra row and column at the bottom/right, as Locus does', async () => {
  const layers = [
    { type: 'conv2d', filters: 2, kernel: 4, stride: 2, padding: 'same' },
    { type: 'maxPool2d', size: 4, stride: 2, padding: 'same' },
    { type: 'avgPool2d', size: 4, stride: 2, padding: 'same' },
  ];
  for (const size of [4, 5, 6]) {
    for (const layer of layers) {
      const { diff } = await sameAsLocus({ input: [2, size, size], layers: [layer] });
      assert.ok(diff < 1e-5, `${layer.type} on ${size}x${size}: differs by ${diff}`);
    }
  }
});

test('layers TensorFlow.js cannot express are refused with the layer path and the reason', () => {
  const refuse = (spec: SequentialSpec, re: RegExp) =>
    assert.throws(() => networkToTfjs(new Sequential(spec, new Rng(1))), (e: Error) => e instanceof TfjsExportError && re.test(e.message));
  refuse({ input: [1, 8, 8], layers: [{ type: 'conv2d', stride: 2, dilation: 2 }] }, /layer 0 \(conv2d\): TensorFlow\.js cannot combine stride 2 with dilation 2/);
  refuse(
    { input: [1, 4, 4], layers: [{ type: 'relu' }, { type: 'residual', body: [{ type: 'convTranspose2d', filters: 1, kernel: 2, stride: 2, outputPadding: 1 }], shortcut: [{ type: 'convTranspose2d', filters: 1, kernel: 3, stride: 2, outputPadding: 1 }] }] },
    /layer 1\.0 \(convTranspose2d\): outputPadding 1 with kernel 2, stride 2/,
  );
  refuse({ input: [1, 2, 3], layers: [{ type: 'testAffine', units: 2 }] }, /layer 0 \(testAffine\) has no TensorFlow\.js layers equivalent/);
  refuse({ input: [4], layers: [{ type: 'flatten' }] }, /no layer TensorFlow\.js can run/);
});

test('sequence layers: conv1d (same, strided, mean over time), lstm and simpleRnn keep their weight layouts', async () => {
  const { diff, layers } = await sameAsLocus({
    input: [7, 3],
    layers: [
      { type: 'conv1d', units: 4, kernel: 3, padding: 'same', returnSequences: true },
      { type: 'lstm', units: 5, returnSequences: true },
      { type: 'conv1d', units: 4, kernel: 2, dilation: 2, padding: 'valid', returnSequences: true },
      { type: 'simpleRnn', units: 4, returnSequences: true },
      { type: 'lstm', units: 3 },
      { type: 'dense', units: 2 },
    ],
  });
  assert.ok(diff < 1e-4, `differs by ${diff}`);
  assert.ok(layers.includes('LSTM') && layers.includes('SimpleRNN') && layers.includes('Conv1D'), layers.join(' '));
  const tdnn = await sameAsLocus({ input: [2, 6, 8], layers: [{ type: 'reshape', shape: [12, 8] }, { type: 'conv1d', units: 3, kernel: 3, stride: 2, padding: 'valid', returnSequences: false }, { type: 'dense', units: 2 }] });
  assert.ok(tdnn.diff < 1e-5, `differs by ${tdnn.diff}`);
  assert.ok(tdnn.layers.includes('GlobalAveragePooling1D'));
  assert.throws(() => networkToTfjs(new Sequential({ input: [5, 2], layers: [{ type: 'gru', units: 3 }] }, new Rng(1))), /layer 0 \(gru\): .*reset_after/);
});
