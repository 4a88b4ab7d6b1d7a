import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { assertGradients, checkLossGradient } from '../testing/gradcheck.js';
import { randomArray } from '../testing/numeric.js';
import { accuracy, argmaxRows, binaryAccuracy, binaryCrossEntropyFromLogits, meanSquaredError, softmaxCrossEntropy } from './index.js';

test('softmax cross-entropy: hand values, mean over the batch, stable for huge logits', () => {
  // logits [0, ln 3], label 1 -> p = 3/4, loss -ln(3/4).
  const z = tensor([1, 2], [0, Math.log(3)]);
  const r = softmaxCrossEntropy(z, [1]);
  assert.ok(Math.abs(r.loss + Math.log(0.75)) < 1e-6);
  const u = softmaxCrossEntropy(tensor([1, 4], [5, 5, 5, 5]), [2]);
  assert.ok(Math.abs(u.loss - Math.log(4)) < 1e-6);
  assert.deepEqual(Array.from(u.grad.data), [0.25, 0.25, -0.75, 0.25]);
  const two = softmaxCrossEntropy(tensor([2, 4], [5, 5, 5, 5, 5, 5, 5, 5]), [0, 3]);
  assert.ok(Math.abs(two.loss - Math.log(4)) < 1e-6);
  assert.ok(Math.abs(two.grad.data[0] - -0.375) < 1e-7, 'grad divided by the batch size');
  const big = softmaxCrossEntropy(tensor([1, 3], [1000, -1000, 990]), [2]);
  assert.ok(Number.isFinite(big.loss) && Math.abs(big.loss - 10) < 1e-3, `loss ${big.loss}`);
  assert.ok(big.grad.data.every(Number.isFinite));
});

test('softmax cross-entropy refuses bad labels and shapes', () => {
  assert.throws(() => softmaxCrossEntropy(tensor([2, 3]), [0, 3]), /label 3 at 1/);
  assert.throws(() => softmaxCrossEntropy(tensor([2, 3]), [0.5, 1]), /label 0.5/);
  assert.throws(() => softmaxCrossEntropy(tensor([2, 3]), [0]), /1 labels for a batch of 2/);
  assert.throws(() => softmaxCrossEntropy(tensor([6]), [0]), /\[batch, classes\]/);
});

test('binary cross-entropy on logits: hand values and stability', () => {
  const r = binaryCrossEntropyFromLogits(tensor([2], [0, 0]), [1, 0]);
  assert.ok(Math.abs(r.loss - Math.log(2)) < 1e-7);
  assert.deepEqual(Array.from(r.grad.data), [-0.25, 0.25]);
  const big = binaryCrossEntropyFromLogits(tensor([2], [200, -200]), [0, 1]);
  assert.ok(Math.abs(big.loss - 200) < 1e-4, `loss ${big.loss}`);
  const sure = binaryCrossEntropyFromLogits(tensor([1], [-200]), [0]);
  assert.ok(sure.loss >= 0 && sure.loss < 1e-80);
  assert.throws(() => binaryCrossEntropyFromLogits(tensor([1], [0]), [2]), /outside \[0, 1\]/);
});

test('mean squared error: hand values', () => {
  const r = meanSquaredError(tensor([2, 2], [1, 2, 3, 4]), [1, 0, 3, 6]);
  assert.equal(r.loss, 2);
  assert.deepEqual(Array.from(r.grad.data), [0, 1, 0, -1]);
  assert.deepEqual(r.grad.shape, [2, 2]);
  assert.throws(() => meanSquaredError(tensor([2]), [1]), /target has 1 values, input has 2/);
});

test('every loss gradient matches finite differences', () => {
  const rng = new Rng(5);
  const labels = Int32Array.from({ length: 4 }, () => rng.int(5));
  const sce = tensor([4, 5], randomArray(rng, 20, -3, 3));
  assertGradients([checkLossGradient('softmaxCE', sce, (t) => softmaxCrossEntropy(t, labels))]);
  const targets = randomArray(rng, 12, 0, 1);
  const bce = tensor([3, 4], randomArray(rng, 12, -4, 4));
  assertGradients([checkLossGradient('bce', bce, (t) => binaryCrossEntropyFromLogits(t, targets))]);
  const mseT = randomArray(rng, 10);
  const mseX = tensor([2, 5], randomArray(rng, 10));
  assertGradients([checkLossGradient('mse', mseX, (t) => meanSquaredError(t, mseT))]);
});

test('the gradient checker catches a wrong loss gradient', () => {
  const rng = new Rng(6);
  const x = tensor([2, 3], randomArray(rng, 6));
  const wrong = (t: typeof x) => {
    const r = meanSquaredError(t, new Float32Array(6));
    r.grad.data[4] *= 1.1; // a 10% error on one coordinate
    return r;
  };
  assert.throws(() => assertGradients([checkLossGradient('mse-wrong', x, wrong)]), /mse-wrong: 1\/6 mismatched/);
});

test('accuracy helpers', () => {
  const s = tensor([3, 3], [0.1, 0.7, 0.2, 0.9, 0, 0, 0.3, 0.3, 0.1]);
  assert.deepEqual(Array.from(argmaxRows(s)), [1, 0, 0]);
  assert.equal(accuracy(s, [1, 0, 1]), 2 / 3);
  assert.equal(binaryAccuracy(tensor([4], [1, -1, 2, -0.5]), [1, 0, 0, 0.2]), 0.75);
});
