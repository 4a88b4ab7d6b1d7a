/**
 * End to end: a small CNN (conv -> relu -> maxPool -> flatten -> dense) learns horizontal vs vertical
 * bars with plain SGD written here, and a seeded run repeats bit for bit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { accuracy, softmaxCrossEntropy } from '../losses/index.js';
import { Sequential } from '../models/sequential.js';
import './index.js';

const S = 8;

/** n noisy 8x8 images, each a bar of length 4..8 in a random row (label 0) or column (label 1). */
function bars(n: number, rng: Rng): { x: Float32Array; labels: Int32Array } {
  const x = new Float32Array(n * S * S);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const vertical = rng.int(2);
    labels[i] = vertical;
    const line = rng.int(S);
    const len = 4 + rng.int(S - 3);
    const start = rng.int(S - len + 1);
    const img = x.subarray(i * S * S, (i + 1) * S * S);
    for (let p = 0; p < img.length; p++) img[p] = 0.15 * rng.normal();
    for (let t = start; t < start + len; t++) img[vertical ? t * S + line : line * S + t] += 1;
  }
  return { x, labels };
}

function train(seed: number, epochs: number): { model: Sequential; acc: number } {
  const rng = new Rng(seed);
  const data = bars(200, rng);
  const model = new Sequential(
    {
      input: [1, S, S],
      layers: [
        { type: 'conv2d', filters: 4, kernel: 3, padding: 'same', biasInit: 0.01 },
        { type: 'relu' },
        { type: 'maxPool2d', size: 2, stride: 2 },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.1 },
        { type: 'dense', units: 2, init: 'glorot' },
      ],
    },
    rng,
  );
  const params = model.params();
  const batch = 20;
  const order = rng.permutation(200);
  const xb = new Float32Array(batch * S * S);
  const yb = new Int32Array(batch);
  for (let e = 0; e < epochs; e++) {
    rng.shuffle(order);
    for (let b = 0; b < 200; b += batch) {
      for (let i = 0; i < batch; i++) {
        const k = order[b + i];
        xb.set(data.x.subarray(k * S * S, (k + 1) * S * S), i * S * S);
        yb[i] = data.labels[k];
      }
      const { y, caches } = model.forward(tensor([batch, 1, S, S], xb), { training: true, rng });
      const { grad } = softmaxCrossEntropy(y, yb);
      for (const p of params) p.grad.fill(0);
      model.backward(caches, grad);
      for (const p of params) for (let i = 0; i < p.value.length; i++) p.value[i] -= 0.1 * p.grad[i];
    }
  }
  const logits = model.predict(tensor([200, 1, S, S], data.x), rng);
  return { model, acc: accuracy(logits, data.labels) };
}

test('a conv-pool-dense network learns horizontal vs vertical bars to > 95% train accuracy', () => {
  const before = train(1, 0).acc;
  const { acc } = train(1, 15);
  assert.ok(before < 0.8, `untrained accuracy ${before} should be near chance`);
  assert.ok(acc > 0.95, `train accuracy ${acc}`);
});

test('the same seed gives bit-identical weights after training (dropout included)', () => {
  const a = train(3, 2).model.params().map((p) => Array.from(p.value));
  const b = train(3, 2).model.params().map((p) => Array.from(p.value));
  assert.deepEqual(a, b);
});
