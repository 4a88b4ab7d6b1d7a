import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOptimizer } from './index.js';
import { assertClose, param } from './testkit.js';

test('plain SGD: l2 and decoupled decay give the same step', () => {
  // lr 0.1, weightDecay 0.01, w = 2, g = 0.5
  // l2:        g' = 0.5 + 0.01*2 = 0.52;         w = 2 - 0.1*0.52 = 1.948
  // decoupled: w = 2 * (1 - 0.1*0.01) - 0.1*0.5 = 1.998 - 0.05 = 1.948
  for (const decayMode of ['l2', 'decoupled'] as const) {
    const p = param('w', [2], [0.5]);
    createOptimizer({ type: 'sgd', lr: 0.1, weightDecay: 0.01, decayMode }).step([p]);
    assertClose(p.value, [1.948], decayMode);
  }
});

test('SGD with momentum: l2 decay goes through the velocity, decoupled does not', () => {
  // lr 0.1, momentum 0.9, weightDecay 0.01, w = 2, g = 0.5 on both steps.
  // l2:        1) g' = 0.52, v = 0.52, w = 1.948
  //            2) g' = 0.5 + 0.01*1.948 = 0.51948, v = 0.9*0.52 + 0.51948 = 0.98748, w = 1.948 - 0.098748 = 1.849252
  // decoupled: 1) v = 0.5, w = 2*0.999 - 0.05 = 1.948
  //            2) v = 0.9*0.5 + 0.5 = 0.95, w = 1.948*0.999 - 0.095 = 1.851052
  const expected = { l2: 1.849252, decoupled: 1.851052 };
  for (const decayMode of ['l2', 'decoupled'] as const) {
    const p = param('w', [2], [0.5]);
    const opt = createOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01, decayMode });
    opt.step([p]);
    assertClose(p.value, [1.948], `${decayMode} step 1`);
    opt.step([p]);
    assertClose(p.value, [expected[decayMode]], `${decayMode} step 2`);
  }
});

test('Adam: l2 decay is normalized away on step 1, decoupled (AdamW) shrinks the weight by lr * wd * w', () => {
  // lr 0.001, weightDecay 0.1, w = 1, g = 0.5
  // l2:        g' = 0.5 + 0.1*1 = 0.6;  m^ / sqrt(v^) = 0.6 / 0.6 = 1  =>  w = 1 - 0.001 = 0.999
  // decoupled: w = 1 * (1 - 0.001*0.1) - 0.001 * 0.5/0.5 = 0.9999 - 0.001 = 0.9989
  const l2 = param('w', [1], [0.5]);
  createOptimizer({ type: 'adam', lr: 0.001, weightDecay: 0.1, decayMode: 'l2' }).step([l2]);
  assertClose(l2.value, [0.999]);
  const dec = param('w', [1], [0.5]);
  createOptimizer({ type: 'adam', lr: 0.001, weightDecay: 0.1, decayMode: 'decoupled' }).step([dec]);
  assertClose(dec.value, [0.9989]);
});

test('RMSprop: both decay modes by hand', () => {
  // lr 0.01, rho 0.9, weightDecay 0.5, w = 1, g = 1
  // l2:        g' = 1.5, s = 0.1*2.25 = 0.225, step = 0.01*1.5/sqrt(0.225) = 0.0316227766 => w = 0.9683772234
  // decoupled: s = 0.1, step = 0.01/sqrt(0.1) = 0.0316227766; w = 1*(1 - 0.005) - 0.0316227766 = 0.9633772234
  const a = param('w', [1], [1]);
  createOptimizer({ type: 'rmsprop', lr: 0.01, weightDecay: 0.5, decayMode: 'l2' }).step([a]);
  assertClose(a.value, [0.9683772234]);
  const b = param('w', [1], [1]);
  createOptimizer({ type: 'rmsprop', lr: 0.01, weightDecay: 0.5, decayMode: 'decoupled' }).step([b]);
  assertClose(b.value, [0.9633772234]);
});

test('weight decay applies only to params with decay = true', () => {
  for (const type of ['sgd', 'rmsprop', 'adam'] as const) {
    for (const decayMode of ['l2', 'decoupled'] as const) {
      const w = param('weight', [1, -1], [0.5, 0.5], { decay: true });
      const b = param('bias', [1, -1], [0.5, 0.5], { decay: false });
      const wRef = param('weight', [1, -1], [0.5, 0.5], { decay: true });
      const bRef = param('bias', [1, -1], [0.5, 0.5], { decay: false });
      // Two steps with different gradients: the first step of RMSprop and Adam depends only on sign(g).
      const opt = createOptimizer({ type, lr: 0.01, weightDecay: 0.3, decayMode });
      const ref = createOptimizer({ type, lr: 0.01 });
      for (const g of [0.5, 0.1]) {
        for (const p of [w, b, wRef, bRef]) p.grad.fill(g);
        opt.step([w, b]);
        ref.step([wRef, bRef]);
      }
      assert.deepEqual(b.value, bRef.value, `${type}/${decayMode}: bias untouched by decay`);
      assert.notDeepEqual(w.value, wRef.value, `${type}/${decayMode}: weight decayed`);
    }
  }
});
