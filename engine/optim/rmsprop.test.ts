import { test } from 'node:test';
import { createOptimizer } from './index.js';
import { assertClose, param } from './testkit.js';

test('RMSprop rho 0.9, lr 0.01: two steps by hand', () => {
  const p = param('w', [1, 1], [2, -2]);
  const opt = createOptimizer({ type: 'rmsprop', lr: 0.01, rho: 0.9, eps: 1e-8 });
  // s = 0.9*0 + 0.1*2^2 = 0.4;  step = 0.01 * 2 / (sqrt(0.4) + 1e-8) = 0.02 / 0.6324555 = 0.0316227766
  // (the first step is lr / sqrt(1 - rho) whatever the size of g: 0.01 / 0.3162278)
  opt.step([p]);
  assertClose(p.value, [1 - 0.0316227766, 1 + 0.0316227766]);
  assertClose(opt.getState().slots.sq[0], [0.4, 0.4], 'mean square');
  // s = 0.9*0.4 + 0.1*4 = 0.76;  step = 0.02 / sqrt(0.76) = 0.02 / 0.8717798 = 0.0229415734
  opt.step([p]);
  assertClose(p.value, [1 - 0.0316227766 - 0.0229415734, 1 + 0.0316227766 + 0.0229415734]);
  assertClose(opt.getState().slots.sq[0], [0.76, 0.76], 'mean square');
});

test('RMSprop: eps is added outside the root', () => {
  // g = 1e-6: s = 0.1 * 1e-12 = 1e-13, sqrt(s) = 3.1623e-7; with eps = 1e-6 outside the root the
  // step is 0.1 * 1e-6 / (3.1623e-7 + 1e-6) = 0.0759747; inside the root it would be 0.0953463.
  const p = param('w', [0], [1e-6]);
  createOptimizer({ type: 'rmsprop', lr: 0.1, eps: 1e-6 }).step([p]);
  assertClose(p.value, [-(0.1 * 1e-6) / (Math.sqrt(1e-13) + 1e-6)]);
  assertClose(p.value, [-0.0759746926]);
});
