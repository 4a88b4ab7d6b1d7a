import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import '../layers/index.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { createOptimizer } from '../optim/index.js';
import { assertAllClose } from '../testing/numeric.js';
import { growDense, insertLayer } from './grow.js';
import { pruneEdges } from './prune.js';
import { Sequential } from './sequential.js';

const rng = new Rng(11);
const randn = (shape: number[]): Tensor => tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()));

/** Train a few steps so the weights and BatchNorm statistics are not the initial ones. */
function trained(model: Sequential, x: Tensor): Sequential {
  const labels = Int32Array.from({ length: x.shape[0] }, (_, i) => i % 3);
  const opt = createOptimizer({ type: 'adam', lr: 0.01 });
  const params = model.params();
  for (let s = 0; s < 5; s++) {
    const { y, caches } = model.forward(x, { training: true, rng });
    model.zeroGrads();
    model.backward(caches, softmaxCrossEntropy(y, labels).grad);
    opt.step(params);
  }
  return model;
}

const same = (a: Sequential, b: Sequential, x: Tensor, label: string) =>
  assertAllClose(b.predict(x, new Rng(0)).data, a.predict(x, new Rng(0)).data, { rtol: 1e-5, atol: 1e-6 }, label);

const mlp = () =>
  new Sequential(
    {
      input: [1, 3, 3],
      layers: [
        { type: 'flatten' },
        { type: 'dense', units: 5 },
        { type: 'batchNorm' },
        { type: 'sigmoid' },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 4 },
        { type: 'relu' },
        { type: 'dense', units: 3 },
      ],
    },
    new Rng(2),
  );

describe('growDense', () => {
  it('adds units without changing the function; the new units then learn', () => {
    const x = randn([6, 1, 3, 3]);
    const m = trained(mlp(), x);
    pruneEdges(m, 0.2);
    const g = growDense(m, 1, 3, new Rng(5));
    assert.deepEqual(g.layers[1].outputShape, [8]);
    assert.deepEqual(g.layers[2].params()[0].shape, [8]);
    same(m, g, x, 'grown through batchNorm + sigmoid');
    // masks carried over, new entries kept
    const w = g.params()[0];
    assert.ok(w.mask && w.mask.length === 9 * 8);
    assert.equal(w.mask.subarray(0, 8).filter((v, c) => c >= 5 && v === 1).length, 3);
    // outgoing rows of the new units are 0 and move with training
    const consumer = g.layers[5].params()[0];
    assert.ok(consumer.value.subarray(5 * 4).every((v) => v === 0));
    trained(g, x);
    assert.ok(consumer.value.subarray(5 * 4).some((v) => v !== 0), 'new outgoing weights learn');
    const g2 = growDense(m, 5, 2, new Rng(6));
    same(m, g2, x, 'grown before relu');
  });

  it('refuses the output layer and layers that do not feed a dense layer', () => {
    const m = mlp();
    assert.throws(() => growDense(m, 7, 1, new Rng(1)), /output layer/);
    assert.throws(() => growDense(m, 0, 1, new Rng(1)), /not a dense layer/);
    const conv = new Sequential({ input: [4], layers: [{ type: 'dense', units: 4 }, { type: 'reshape', shape: [1, 2, 2] }, { type: 'flatten' }, { type: 'dense', units: 2 }] }, new Rng(1));
    assert.throws(() => growDense(conv, 0, 1, new Rng(1)), /feeds a reshape/);
  });
});

describe('insertLayer', () => {
  it('a residual block (conv) or an identity dense layer leaves the function unchanged', () => {
    const x = randn([4, 2, 6, 6]);
    const cnn = trained(
      new Sequential(
        {
          input: [2, 6, 6],
          layers: [{ type: 'conv2d', filters: 3 }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'maxPool2d' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'relu' }, { type: 'dense', units: 3 }],
        },
        new Rng(3),
      ),
      x,
    );
    const r = insertLayer(cnn, 3, 'residual', new Rng(4));
    assert.equal(r.layers[3].type, 'residual');
    assert.equal(r.layers.length, 9);
    same(cnn, r, x, 'residual conv block');
    const d = insertLayer(cnn, 7, 'identity', new Rng(4));
    same(cnn, d, x, 'identity dense');
    const dr = insertLayer(cnn, 6, 'residual', new Rng(4));
    same(cnn, dr, x, 'residual dense block');
    // the inserted block learns
    trained(r, x);
    assert.ok(r.layers[3].children!()[2].params()[0].value.some((v) => v !== 0));
    assert.throws(() => insertLayer(cnn, 1, 'identity', new Rng(1)), /flat activations/);
    assert.throws(() => insertLayer(cnn, 99, 'residual', new Rng(1)), /position/);
  });
});
