import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { assertAllClose } from '../testing/numeric.js';
import { isBatchNorm } from './batchNorm.js';
import './index.js';
import { buildLayer } from './layer.js';

const eps = 1e-5;

test('batchNorm over features: batch statistics, running update and telemetry by hand', () => {
  const bn = buildLayer({ type: 'batchNorm', momentum: 0.9, epsilon: eps }, [2], new Rng(1));
  assert.ok(isBatchNorm(bn));
  // feature 0: {1, 3} mean 2 var 1; feature 1: {10, 14} mean 12 var 4
  const x = tensor([2, 2], [1, 10, 3, 14]);
  const { y } = bn.forward(x, { training: true, rng: new Rng(0) });
  const a = 1 / Math.sqrt(1 + eps);
  const b = 2 / Math.sqrt(4 + eps);
  assertAllClose(y.data, [-a, -b, a, b], { rtol: 1e-6 }, 'training output');
  assert.deepEqual(Array.from(bn.batchMean), [2, 12]);
  assert.deepEqual(Array.from(bn.batchVar), [1, 4]);
  const [mean, variance] = bn.buffers();
  assert.equal(mean.name, 'runningMean');
  assert.equal(variance.name, 'runningVar');
  // running = 0.9 * running + 0.1 * batch, with the unbiased variance (m = 2: {2, 8})
  assertAllClose(mean.value, [0.2, 1.2], { rtol: 1e-6 }, 'running mean');
  assertAllClose(variance.value, [1.1, 1.7], { rtol: 1e-6 }, 'running var');
});

test('batchNorm inference uses running statistics and leaves them unchanged', () => {
  const bn = buildLayer({ type: 'batchNorm', momentum: 0.9, epsilon: eps }, [2], new Rng(1));
  bn.forward(tensor([2, 2], [1, 10, 3, 14]), { training: true, rng: new Rng(0) });
  const [gamma, beta] = bn.params();
  gamma.value.set([2, 1]);
  beta.value.set([0.5, -1]);
  const { y } = bn.forward(tensor([1, 2], [1, 10]), { training: false, rng: new Rng(0) });
  const want = [2 * (1 - 0.2) / Math.sqrt(1.1 + eps) + 0.5, (10 - 1.2) / Math.sqrt(1.7 + eps) - 1];
  assertAllClose(y.data, want, { rtol: 1e-5 }, 'inference output');
  assertAllClose(bn.buffers()[0].value, [0.2, 1.2], { rtol: 1e-6 }, 'running mean untouched');
  // A single sample in inference mode is fine; in training it would normalize to beta.
  const t = bn.forward(tensor([1, 2], [1, 10]), { training: true, rng: new Rng(0) });
  assertAllClose(t.y.data, [0.5, -1], { atol: 1e-6 }, 'single-sample training output is beta');
});

test('batchNorm over channels pools batch and space per channel', () => {
  const bn = buildLayer({ type: 'batchNorm', momentum: 0.5 }, [2, 1, 2], new Rng(1));
  assert.ok(isBatchNorm(bn));
  // channel 0: {1, 2, 3, 4} mean 2.5 var 1.25; channel 1: {0, 0, 8, 8} mean 4 var 16
  const x = tensor([2, 2, 1, 2], [1, 2, 0, 0, 3, 4, 8, 8]);
  const { y } = bn.forward(x, { training: true, rng: new Rng(0) });
  const s0 = Math.sqrt(1.25 + eps);
  const s1 = Math.sqrt(16 + eps);
  assertAllClose(y.data, [-1.5 / s0, -0.5 / s0, -4 / s1, -4 / s1, 0.5 / s0, 1.5 / s0, 4 / s1, 4 / s1], { rtol: 1e-6 });
  assert.deepEqual(Array.from(bn.batchMean), [2.5, 4]);
  // unbiased (m = 4): 1.25 * 4/3 and 16 * 4/3; momentum 0.5 from running 1
  assertAllClose(bn.buffers()[1].value, [0.5 + 0.5 * (5 / 3), 0.5 + 0.5 * (64 / 3)], { rtol: 1e-6 });
});
