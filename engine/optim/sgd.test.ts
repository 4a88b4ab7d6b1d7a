import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOptimizer } from './index.js';
import { assertClose, param } from './testkit.js';

test('plain SGD: w = w - lr * g', () => {
  const p = param('w', [1, -2], [0.5, 0.25]);
  createOptimizer({ type: 'sgd', lr: 0.1 }).step([p]);
  // 1 - 0.1 * 0.5 = 0.95;  -2 - 0.1 * 0.25 = -2.025
  assertClose(p.value, [0.95, -2.025]);
  assert.deepEqual(Array.from(p.grad), [0.5, 0.25], 'the gradient is not changed');
});

test('SGD with momentum 0.9, lr 0.1: three steps by hand', () => {
  const p = param('w', [1], [1]);
  const opt = createOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9 });
  opt.step([p]); // v = 0.9*0 + 1 = 1;          w = 1 - 0.1*1 = 0.9
  assertClose(p.value, [0.9]);
  opt.step([p]); // v = 0.9*1 + 1 = 1.9;        w = 0.9 - 0.1*1.9 = 0.71
  assertClose(p.value, [0.71]);
  p.grad[0] = 0.5;
  opt.step([p]); // v = 0.9*1.9 + 0.5 = 2.21;   w = 0.71 - 0.221 = 0.489
  assertClose(p.value, [0.489]);
  assertClose(opt.getState().slots.velocity[0], [2.21], 'velocity');
});

test('SGD with Nesterov momentum: the step looks ahead by momentum * v', () => {
  const p = param('w', [1], [1]);
  const opt = createOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true });
  opt.step([p]); // v = 1;   d = g + 0.9*v = 1.9;          w = 1 - 0.19 = 0.81
  assertClose(p.value, [0.81]);
  opt.step([p]); // v = 0.9*1 + 1 = 1.9;  d = 1 + 0.9*1.9 = 2.71;  w = 0.81 - 0.271 = 0.539
  assertClose(p.value, [0.539]);
});

test('plain SGD keeps no state; momentum keeps one velocity per param', () => {
  assert.deepEqual(createOptimizer({ type: 'sgd' }).getState(), { type: 'sgd', t: 0, slots: {} });
  const opt = createOptimizer({ type: 'sgd', momentum: 0.5 });
  const ps = [param('a', [1, 2], [1, 1]), param('b', [3], [1])];
  opt.step(ps);
  assert.deepEqual(opt.getState(), { type: 'sgd', t: 1, slots: { velocity: [[1, 1], [1]] } });
});

test('lr may change between steps', () => {
  const p = param('w', [1], [1]);
  const opt = createOptimizer({ type: 'sgd', lr: 0.1 });
  opt.step([p]); // 1 - 0.1 = 0.9
  opt.lr = 0.01;
  opt.step([p]); // 0.9 - 0.01 = 0.89
  assertClose(p.value, [0.89]);
  assert.equal(opt.config.lr, 0.1, 'config keeps the initial lr');
});
