import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { toySet } from '../data/toy.js';
import { energyDistance, slicedWasserstein } from '../models/gan-metrics.js';
import { ToyGanTrainer, type ToyGanEvent } from './gan-toy.js';

test('energy distance and sliced Wasserstein: 0 for the same points, larger for shifted ones, hand-worked 1-D case', () => {
  const a = toySet('moons', 200, new Rng(1)).x;
  assert.equal(energyDistance(a, a), 0);
  const shifted = a.map((v, i) => (i % 2 === 0 ? v + 1 : v));
  assert.ok(energyDistance(a, shifted) > 0.5);
  // 1-D: x = {0}, y = {2}: 2*2 - 0 - 0 = 4; W1 = 2.
  assert.equal(energyDistance(new Float32Array([0]), new Float32Array([2]), 1), 4);
  assert.ok(Math.abs(slicedWasserstein(new Float32Array([0, 1]), new Float32Array([2, 3]), 1, 4) - 2) < 1e-12);
  assert.ok(slicedWasserstein(a, shifted) > 0.3 && slicedWasserstein(a, a) === 0);
});

test('2-D GAN on moons: the generated cloud gets markedly closer to the real one (energy distance, fixed seed)', () => {
  const t = new ToyGanTrainer({ toy: 'moons', seed: 1 });
  const before = t.distance();
  // GAN training oscillates, so judge the mean over the last few hundred steps, not one snapshot.
  const late: number[] = [];
  for (let i = 1; i <= 1200; i++) {
    assert.equal(t.stepOnce().problem, null);
    if (i >= 1000 && i % 100 === 0) late.push(t.distance());
  }
  const after = late.reduce((a, b) => a + b, 0) / late.length;
  assert.ok(after < 0.3 * before, `energy distance ${before.toFixed(4)} -> ${late.map((d) => d.toFixed(4)).join(', ')}`);
});

test('2-D GAN frames: generated and real clouds and the decision surface; stop ends the run', async () => {
  const t = new ToyGanTrainer({ toy: 'rings', seed: 2, steps: 30, every: 10, resolution: 8, shown: 50, points: 100 });
  const events: ToyGanEvent[] = [];
  const done = await t.run((e) => events.push(e));
  assert.equal(done.reason, 'completed');
  const frames = events.filter((e): e is Extract<ToyGanEvent, { type: 'frame' }> => e.type === 'frame');
  assert.deepEqual(frames.map((f) => f.step), [0, 10, 20, 30]);
  const f = frames[3];
  assert.equal(f.generated.length, 100);
  assert.equal(f.real.length, 200);
  assert.equal(f.surface.prob.length, 64);
  assert.ok(f.surface.prob.every((p) => p > 0 && p < 1));
  assert.ok(f.dReal > 0 && f.dReal < 1 && Number.isFinite(f.gLoss));
  const s = new ToyGanTrainer({ steps: 1000 });
  s.control.stop();
  assert.equal((await s.run()).reason, 'stopped');
  assert.throws(() => new ToyGanTrainer({ steps: 0 }), /steps must be a positive integer/);
});
