import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
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

test('2-D GAN gradient arrows: each point\'s d(G loss)/d(point) matches a central finite difference, both losses', () => {
  for (const nonSaturating of [true, false]) {
    const t = new ToyGanTrainer({ toy: 'moons', seed: 3, nonSaturating, shown: 16, points: 100 });
    for (let i = 0; i < 50; i++) t.stepOnce();
    const pts = t.generated();
    const grad = t.pointGradient(pts);
    assert.equal(grad.length, pts.length);
    const gBefore = t.gan.discriminator.params().map((p) => new Float32Array(p.grad));
    const loss = (x: number, y: number): number => {
      const d = t.gan.judge(tensor([1, 2], new Float32Array([x, y])), new Rng(0))[0];
      return nonSaturating ? -Math.log(d) : Math.log(1 - d);
    };
    // D is piecewise linear (leaky ReLU) and the generator's points tend to sit on its kinks, where
    // backpropagation gives one side's slope: a coordinate passes if it matches the central, forward or
    // backward difference.
    const h = 1e-3;
    const off: string[] = [];
    let scale = 0;
    for (let i = 0; i < 16; i++) {
      const [x, y] = [pts[2 * i], pts[2 * i + 1]];
      const l0 = loss(x, y);
      for (const [c, lp, lm] of [
        [0, loss(x + h, y), loss(x - h, y)],
        [1, loss(x, y + h), loss(x, y - h)],
      ]) {
        const g = grad[2 * i + c];
        const diffs = [(lp - lm) / (2 * h), (lp - l0) / h, (l0 - lm) / h];
        scale = Math.max(scale, Math.abs(diffs[0]));
        if (Math.min(...diffs.map((d) => Math.abs(d - g))) > 1e-3 + 0.01 * Math.abs(g)) off.push(`point ${i}.${c}: ${g} vs ${diffs.join(', ')}`);
      }
    }
    assert.ok(scale > 1e-3, `the gradient is not trivially zero (largest ${scale})`);
    assert.deepEqual(off, [], `nonSaturating ${nonSaturating}`);
    t.gan.discriminator.params().forEach((p, i) => assert.deepEqual(p.grad, gBefore[i], "D's grads are left as they were"));
    const f = t.frame();
    assert.deepEqual(f.gradient, t.pointGradient(f.generated), 'the frame carries the gradient at its generated points');
  }
});

test('2-D GAN slowed by a delay sends a frame at every step', async () => {
  const t = new ToyGanTrainer({ toy: 'blobs', seed: 1, steps: 4, every: 10, resolution: 4, shown: 8, points: 40 });
  t.control.setDelay(5);
  const steps: number[] = [];
  await t.run((e) => e.type === 'frame' && steps.push(e.step));
  assert.deepEqual(steps, [0, 1, 2, 3, 4]);
});
