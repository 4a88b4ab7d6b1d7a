import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOptimizer, type OptimizerSpec } from './index.js';
import { param } from './testkit.js';

const specs: OptimizerSpec[] = [
  { type: 'sgd', lr: 0.1 },
  { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 },
  { type: 'rmsprop', lr: 0.1, weightDecay: 0.1, decayMode: 'decoupled' },
  { type: 'adam', lr: 0.1, weightDecay: 0.1, decayMode: 'decoupled' },
  { type: 'adam', lr: 0.1, weightDecay: 0.1, decayMode: 'l2', biasCorrection: false },
];

test('pruned weights (mask 0) stay exactly 0 and keep no moments; kept ones train', () => {
  for (const spec of specs) {
    // The middle weight is pruned but still holds a value and gets a large gradient.
    const p = param('w', [1, 0.7, -1], [0.5, 9, -0.5], { mask: [1, 0, 1] });
    const opt = createOptimizer(spec);
    for (let s = 0; s < 3; s++) opt.step([p]);
    assert.ok(Object.is(p.value[1], 0), `${JSON.stringify(spec)}: pruned weight is +0, got ${p.value[1]}`);
    assert.ok(p.value[0] < 1 && p.value[2] > -1, `${spec.type}: kept weights moved`);
    for (const [name, lists] of Object.entries(opt.getState().slots)) assert.equal(lists[0][1], 0, `${spec.type}: slot ${name} of the pruned weight`);
  }
});

test('a mask does not change the update of kept weights', () => {
  for (const spec of specs) {
    const masked = param('w', [1, 0.7, -1], [0.5, 9, -0.5], { mask: [1, 0, 1] });
    const plain = param('w', [1, 0.7, -1], [0.5, 9, -0.5]);
    const a = createOptimizer(spec);
    const b = createOptimizer(spec);
    for (let s = 0; s < 3; s++) {
      a.step([masked]);
      b.step([plain]);
    }
    assert.equal(masked.value[0], plain.value[0]);
    assert.equal(masked.value[2], plain.value[2]);
  }
});
