import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import type { Param } from '../layers/layer.js';
import { createOptimizer, type Optimizer, type OptimizerSpec } from './index.js';
import { param } from './testkit.js';

const specs: OptimizerSpec[] = [
  { type: 'sgd', lr: 0.05 },
  { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
  { type: 'rmsprop', lr: 0.01, weightDecay: 1e-2, decayMode: 'decoupled' },
  { type: 'adam', lr: 0.01 },
  { type: 'adam', lr: 0.01, biasCorrection: false, weightDecay: 1e-2, decayMode: 'l2' },
  { type: 'adam', lr: 0.01, weightDecay: 1e-2, decayMode: 'decoupled' },
];

function model(): Param[] {
  const r = new Rng(7);
  const w = Array.from({ length: 12 }, () => r.normal());
  return [param('w', w, new Array(12).fill(0)), param('b', [0.1, -0.2, 0.3], [0, 0, 0], { decay: false, mask: [1, 0, 1] })];
}

/** Gradients of a noisy quadratic: g = w - 0.5 + noise, noise from a seeded stream shared by both runs. */
function train(opt: Optimizer, ps: Param[], rng: Rng, steps: number): void {
  for (let s = 0; s < steps; s++) {
    for (const p of ps) for (let j = 0; j < p.value.length; j++) p.grad[j] = p.value[j] - 0.5 + 0.3 * rng.normal();
    opt.step(ps);
  }
}

const bits = (ps: Param[]) => ps.map((p) => Buffer.from(p.value.buffer).toString('hex'));

test('state saved after 5 steps and restored in a new optimizer continues bit-identically', () => {
  for (const spec of specs) {
    const straight = model();
    const rngA = new Rng(1);
    train(createOptimizer(spec), straight, rngA, 10);

    const resumed = model();
    const rngB = new Rng(1);
    const first = createOptimizer(spec);
    train(first, resumed, rngB, 5);
    const saved = JSON.parse(JSON.stringify(first.getState()));
    const second = createOptimizer(spec);
    second.setState(saved);
    train(second, resumed, rngB, 5);

    assert.deepEqual(bits(resumed), bits(straight), JSON.stringify(spec));
    assert.deepEqual(second.getState(), (() => {
      // the state itself also matches the uninterrupted run's
      const again = model();
      const o = createOptimizer(spec);
      train(o, again, new Rng(1), 10);
      return o.getState();
    })());
  }
});

test('setState refuses a state of another type, other slots, or a bad step count', () => {
  const adam = createOptimizer({ type: 'adam' });
  assert.throws(() => adam.setState({ type: 'sgd', t: 0, slots: {} }), /for "sgd", this optimizer is "adam"/);
  assert.throws(() => adam.setState({ type: 'adam', t: 1, slots: { m: [[0]] } }), /slots are \[m\]/);
  assert.throws(() => adam.setState({ type: 'adam', t: -1, slots: { m: [], v: [] } }), /step count/);
  assert.throws(() => adam.setState({ type: 'adam', t: 2, slots: { m: [], v: [] } }), /no slot values/);
  assert.throws(() => adam.setState({ type: 'adam', t: 1, slots: { m: [[Number.NaN]], v: [[0]] } }), /not a finite float32/);
  assert.throws(() => adam.setState({ type: 'adam', t: 1, slots: { m: [[0.1]], v: [[0]] } }), /not a finite float32/);
});

test('a restored state must match the params it is stepped with', () => {
  const opt = createOptimizer({ type: 'adam' });
  opt.setState({ type: 'adam', t: 1, slots: { m: [[0, 0]], v: [[0, 0]] } });
  assert.throws(() => opt.step([param('w', [1, 2, 3], [0, 0, 0])]), /slot m\[0\] has 2 values but param "w" has 3/);
  assert.throws(() => opt.step([param('a', [1, 2], [0, 0]), param('b', [1], [0])]), /holds 1 params but step\(\) got 2/);
});
