import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOptimizer } from './index.js';
import { assertClose, param } from './testkit.js';

// Both tests: lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8, w = 1, g = 0.5 then g = -0.25.

test('Adam with bias correction: two steps by hand', () => {
  const p = param('w', [1], [0.5]);
  const opt = createOptimizer({ type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, biasCorrection: true });
  // t = 1:  m = 0.1*0.5 = 0.05;   v = 0.001*0.25 = 0.00025
  //         m^ = 0.05 / (1 - 0.9) = 0.5;   v^ = 0.00025 / (1 - 0.999) = 0.25;   sqrt(v^) = 0.5
  //         w = 1 - 0.001 * 0.5 / (0.5 + 1e-8) = 1 - 0.00099999998 = 0.999
  opt.step([p]);
  assertClose(p.value, [0.99900000002]);
  assertClose(opt.getState().slots.m[0], [0.05], 'm');
  assertClose(opt.getState().slots.v[0], [0.00025], 'v');
  // t = 2:  m = 0.9*0.05 + 0.1*(-0.25) = 0.02;   v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225
  //         m^ = 0.02 / (1 - 0.81) = 0.1052631579;   v^ = 0.00031225 / (1 - 0.998001) = 0.1562031016
  //         sqrt(v^) = 0.3952253807;   step = 0.001 * 0.1052631579 / 0.3952253907 = 0.000266337033
  //         w = 0.999 - 0.000266337 = 0.998733663
  p.grad[0] = -0.25;
  opt.step([p]);
  assertClose(p.value, [0.99900000002 - 0.000266337033]);
  assert.equal(opt.getState().t, 2);
});

test('Adam without bias correction: the same two steps are larger (v is biased toward 0 more than m)', () => {
  const p = param('w', [1], [0.5]);
  const opt = createOptimizer({ type: 'adam', lr: 0.001, biasCorrection: false });
  // t = 1:  m = 0.05, v = 0.00025;  step = 0.001 * 0.05 / (sqrt(0.00025) + 1e-8) = 0.00005 / 0.0158113983
  //         = 0.0031622757;  w = 0.9968377243
  opt.step([p]);
  assertClose(p.value, [0.9968377243]);
  // t = 2:  m = 0.02, v = 0.00031225;  step = 0.00002 / (0.0176705970 + 1e-8) = 0.0011318230
  //         w = 0.9968377243 - 0.0011318230 = 0.9957059013
  p.grad[0] = -0.25;
  opt.step([p]);
  assertClose(p.value, [0.9957059013]);
});

test('Adam with bias correction: the first step is lr in size whatever the gradient scale', () => {
  // m^ / sqrt(v^) = g / |g| on step 1, so each weight moves by lr (to within eps).
  for (const g of [1e-3, 0.5, 40]) {
    const p = param('w', [0, 0], [g, -g]);
    createOptimizer({ type: 'adam', lr: 0.01, eps: 1e-12 }).step([p]);
    assertClose(p.value, [-0.01, 0.01], `g = ${g}`);
  }
});

test('Adam: the correction follows t step by step (constant gradient moves lr each step)', () => {
  // With a constant g, m^ = g and v^ = g^2 exactly at every t when corrected with beta^t, so each
  // step is lr. Correcting with the wrong power (t - 1, or a power not advanced) breaks this.
  const p = param('w', [0], [2]);
  const opt = createOptimizer({ type: 'adam', lr: 0.01, eps: 1e-12 });
  for (let t = 1; t <= 5; t++) {
    opt.step([p]);
    assertClose(p.value, [-0.01 * t], `after step ${t}`);
  }
});

test('Adam: eps is added to the corrected root sqrt(v^), not to sqrt(v)', () => {
  // lr 0.1, eps 0.1, g = 0.5:  m^ = 0.5, sqrt(v^) = 0.5  =>  step = 0.1 * 0.5 / (0.5 + 0.1) = 0.0833333.
  // (The paper's "efficient" variant, eps on the uncorrected root, would step 0.0136164.)
  const p = param('w', [0], [0.5]);
  createOptimizer({ type: 'adam', lr: 0.1, eps: 0.1 }).step([p]);
  assertClose(p.value, [-0.0833333333]);
});

test('Adam without bias correction: a steady gradient moves lr * (1 - beta1^t) / sqrt(1 - beta2^t) at step t', () => {
  // t = 1: 0.1 / sqrt(0.001) = 3.162 x lr;  t = 2: 0.19 / sqrt(0.001999) = 4.250 x lr;  t = 12: 6.569 x lr
  const p = param('w', [0], [1]);
  const opt = createOptimizer({ type: 'adam', lr: 1e-3, eps: 1e-12, biasCorrection: false });
  let prev = 0;
  for (let t = 1; t <= 12; t++) {
    opt.step([p]);
    const step = prev - p.value[0];
    prev = p.value[0];
    const expected = (1e-3 * (1 - 0.9 ** t)) / Math.sqrt(1 - 0.999 ** t);
    assert.ok(Math.abs(step - expected) < 2e-5 * expected, `t = ${t}: step ${step}, expected ${expected}`);
  }
  assert.ok(Math.abs(prev) > 0.05, 'twelve steps of about 5 x lr on average');
});
