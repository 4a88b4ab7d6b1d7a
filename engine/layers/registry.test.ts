import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import './index.js';
import { buildLayer, layerFactory, layerTypes, specOf, type Layer, type LayerSpec } from './layer.js';

const ALL = [
  'avgPool2d', 'batchNorm', 'conv2d', 'convTranspose2d', 'dense', 'dropout', 'flatten', 'gate',
  'leakyRelu', 'maxPool2d', 'relu', 'reshape', 'residual', 'sigmoid', 'softmax', 'tanh',
];

test('importing layers/index registers every type with frozen defaults', () => {
  for (const t of ALL) {
    assert.ok(layerTypes().includes(t), `${t} registered`);
    assert.ok(Object.isFrozen(layerFactory(t).defaults), `${t} defaults frozen`);
  }
});

const SAMPLES: [LayerSpec, number[]][] = [
  [{ type: 'dense', units: 3, biasInit: 0.1 }, [4]],
  [{ type: 'conv2d', filters: 2, stride: 2 }, [1, 5, 5]],
  [{ type: 'convTranspose2d', filters: 2, outputPadding: 1 }, [1, 3, 3]],
  [{ type: 'maxPool2d', size: 3, padding: 'same' }, [2, 5, 5]],
  [{ type: 'batchNorm' }, [3, 2, 2]],
  [{ type: 'reshape', shape: [2, -1] }, [6]],
  [{ type: 'residual', body: [{ type: 'dense', units: 4 }, { type: 'relu' }] }, [4]],
  [{ type: 'gate', a: [{ type: 'conv2d', filters: 2 }], b: [{ type: 'conv2d', filters: 2, kernel: 1 }] }, [1, 4, 4]],
];

const allParams = (l: Layer): Float32Array[] => [...l.params().map((p) => p.value), ...(l.children?.() ?? []).flatMap(allParams)];

test('specOf round-trips: rebuilding from the spec gives the same config, shapes and weights', () => {
  for (const [spec, shape] of SAMPLES) {
    const a = buildLayer(spec, shape, new Rng(3));
    const b = buildLayer(JSON.parse(JSON.stringify(specOf(a))), shape, new Rng(3));
    assert.deepEqual(specOf(b), specOf(a), spec.type);
    assert.deepEqual(b.outputShape, a.outputShape, spec.type);
    assert.deepEqual(allParams(b), allParams(a), spec.type);
  }
});

test('output shapes', () => {
  const shape = (spec: LayerSpec, input: number[]) => buildLayer(spec, input, new Rng(1)).outputShape;
  assert.deepEqual(shape({ type: 'conv2d', filters: 6, kernel: 5, padding: 'same' }, [1, 28, 28]), [6, 28, 28]);
  assert.deepEqual(shape({ type: 'conv2d', filters: 16, kernel: 5, padding: 'valid' }, [6, 14, 14]), [16, 10, 10]);
  assert.deepEqual(shape({ type: 'conv2d', filters: 4, stride: 2 }, [3, 7, 6]), [4, 4, 3]);
  assert.deepEqual(shape({ type: 'maxPool2d' }, [6, 28, 28]), [6, 14, 14]);
  assert.deepEqual(shape({ type: 'avgPool2d', size: 3, stride: 2, padding: 'same' }, [2, 7, 7]), [2, 4, 4]);
  assert.deepEqual(shape({ type: 'convTranspose2d', filters: 3 }, [8, 7, 7]), [3, 14, 14]);
  assert.deepEqual(shape({ type: 'convTranspose2d', filters: 3, kernel: 2, padding: 'valid' }, [8, 7, 7]), [3, 14, 14]);
  assert.deepEqual(shape({ type: 'flatten' }, [3, 4, 5]), [60]);
  assert.deepEqual(shape({ type: 'reshape', shape: [-1, 7, 7] }, [392]), [8, 7, 7]);
  assert.deepEqual(shape({ type: 'softmax' }, [10]), [10]);
});

test('bad configs and shapes are refused with a reason', () => {
  const bad = (spec: LayerSpec, input: number[], re: RegExp) => assert.throws(() => buildLayer(spec, input, new Rng(1)), re);
  bad({ type: 'dense', units: 3 }, [1, 28, 28], /add a flatten layer before dense/);
  bad({ type: 'dense', units: 0 }, [4], /units must be a positive integer/);
  bad({ type: 'dense', units: 3, init: 'xavier' }, [4], /init must be one of he, heUniform, glorot, glorotUniform/);
  bad({ type: 'dense', units: '3' }, [4], /must be number, got string/);
  bad({ type: 'dense', unit: 3 }, [4], /unknown option "unit"/);
  bad({ type: 'conv2d', kernel: 7, padding: 'valid' }, [1, 5, 5], /does not fit/);
  bad({ type: 'conv2d', padding: 'full' }, [1, 5, 5], /padding must be one of same, valid/);
  bad({ type: 'conv2d' }, [25], /expects input \[channels, height, width\]/);
  bad({ type: 'convTranspose2d', outputPadding: 2 }, [1, 3, 3], /outputPadding/);
  bad({ type: 'maxPool2d', size: 0 }, [1, 4, 4], /size must be a positive integer/);
  bad({ type: 'reshape', shape: [5, -1] }, [12], /cannot view/);
  bad({ type: 'reshape' }, [12], /needs a target shape/);
  bad({ type: 'dropout', rate: 1 }, [4], /rate must be in \[0, 1\)/);
  bad({ type: 'batchNorm' }, [3, 4], /expects input \[features\] or \[channels, height, width\]/);
  bad({ type: 'leakyRelu', alpha: -1 }, [4], /alpha/);
  bad({ type: 'residual', body: [{ type: 'dense', units: 3 }] }, [4], /add a shortcut projection/);
  bad({ type: 'residual' }, [4], /body must list at least one layer/);
  bad({ type: 'residual', body: [{ type: 'nope' }] }, [4], /unknown layer type "nope"/);
  bad({ type: 'gate', a: [{ type: 'dense', units: 3 }] }, [4], /differs from the input \(identity b\)/);
  bad({ type: 'gate' }, [4], /a must list at least one layer/);
});

test('forward refuses a batch of the wrong shape', () => {
  const l = buildLayer({ type: 'dense', units: 2 }, [3], new Rng(1));
  assert.throws(() => l.forward(tensor([2, 4]), { training: false, rng: new Rng(1) }), /expected \[batch, 3\]/);
});

test('gate starts mostly carrying b: the gate projection bias is gateBias', () => {
  const layer = buildLayer({ type: 'gate', a: [{ type: 'dense', units: 6 }, { type: 'tanh' }] }, [6], new Rng(4));
  const proj = layer.children!().at(-1)!;
  assert.equal(proj.type, 'dense');
  assert.deepEqual(Array.from(proj.params()[1].value), new Array(6).fill(-2));
  const rng = new Rng(5);
  const x = tensor([50, 6], Float32Array.from({ length: 300 }, () => rng.uniform(-1, 1)));
  const { cache } = layer.forward(x, { training: false, rng });
  const g = (cache as { g: Float32Array }).g;
  const mean = g.reduce((s, v) => s + v, 0) / g.length;
  assert.ok(mean > 0.05 && mean < 0.25, `mean gate ${mean} should be near sigmoid(-2) = 0.12`);
  assert.equal(layer.params().length, 0, 'the gate has no params of its own');
});
