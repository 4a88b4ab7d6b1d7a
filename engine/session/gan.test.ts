import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/folder.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { GanTrainer, type GanEvent } from './gan.js';

/** n 8x8 gray images: a bright vertical bar at a random column on black. */
function barSet(n: number): ImageSet {
  const rng = new Rng(9);
  const pixels = new Uint8Array(n * 64);
  for (let i = 0; i < n; i++) {
    const col = rng.int(8);
    for (let y = 0; y < 8; y++) pixels[i * 64 + y * 8 + col] = 255;
  }
  return { n, channels: 1, height: 8, width: 8, pixels, labels: new Int32Array(n).fill(-1), classes: [], paths: [] };
}

const smallGan = (seed = 1) => new Gan(dcganSpecs({ channels: 1, size: 8, latent: 8, width: 4 }), new Rng(seed));

test('GAN session: step, samples, epoch and done events; sample grids are uint8 from fixed codes', async () => {
  const set = barSet(40);
  const trainer = new GanTrainer({
    gan: smallGan(),
    set,
    normalization: { kind: 'symmetric' },
    settings: { epochs: 2, batchSize: 16, sampleEvery: 2, gridSize: 9 },
  });
  assert.equal(trainer.stepsPerEpoch, 3);
  const events: GanEvent[] = [];
  const done = await trainer.run((e) => events.push(e));
  assert.equal(done.reason, 'completed');
  assert.equal(done.step, 6);
  const kinds = events.map((e) => e.type);
  assert.equal(kinds.filter((k) => k === 'step').length, 6);
  assert.equal(kinds.filter((k) => k === 'epoch').length, 2);
  // Every 2 steps (3) plus after each epoch (2).
  const grids = events.filter((e): e is Extract<GanEvent, { type: 'samples' }> => e.type === 'samples');
  assert.equal(grids.length, 5);
  for (const g of grids) {
    assert.ok(g.pixels instanceof Uint8Array);
    assert.equal(g.pixels.length, 9 * 64);
    assert.deepEqual([g.n, g.channels, g.height, g.width], [9, 1, 8, 8]);
  }
  assert.notDeepEqual(grids[0].pixels, grids[grids.length - 1].pixels, 'training changes the samples');
  const step = events.find((e) => e.type === 'step') as Extract<GanEvent, { type: 'step' }>;
  assert.ok(step.dReal > 0 && step.dReal < 1 && step.dFake > 0 && step.dFake < 1 && Number.isFinite(step.dLoss) && Number.isFinite(step.gLoss));
  assert.equal(trainer.history.length, 2);
  assert.equal(kinds[kinds.length - 1], 'done');
});

test('GAN session: the same seed gives bit-identical weights', async () => {
  const weights = async () => {
    const gan = smallGan(3);
    await new GanTrainer({ gan, set: barSet(24), normalization: { kind: 'symmetric' }, settings: { epochs: 1, batchSize: 8, seed: 5 } }).run();
    return [...gan.generator.params(), ...gan.discriminator.params()].map((p) => Array.from(p.value));
  };
  assert.deepEqual(await weights(), await weights());
});

test('GAN session: pause, single steps, stop', async () => {
  const trainer = new GanTrainer({ gan: smallGan(), set: barSet(64), normalization: { kind: 'symmetric' }, settings: { epochs: 5, batchSize: 8 } });
  trainer.control.pause();
  const steps: number[] = [];
  let second = () => {};
  const twoSteps = new Promise<void>((r) => (second = r));
  const run = trainer.run((e) => {
    if (e.type === 'step') steps.push(e.step);
    if (steps.length === 2) second();
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(steps, [], 'paused before the first step');
  trainer.control.step(2);
  await twoSteps;
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(steps, [1, 2], 'paused again after two steps');
  trainer.control.stop();
  const done = await run;
  assert.equal(done.reason, 'stopped');
  assert.equal(trainer.step, 2);
});

test('GAN session: a NaN weight stops the run with a clear message', async () => {
  const gan = smallGan();
  gan.generator.params().at(-1)!.value[0] = Number.NaN; // the output layer's bias: every sample is NaN
  const done = await new GanTrainer({ gan, set: barSet(16), normalization: { kind: 'symmetric' }, settings: { epochs: 1, batchSize: 8 } }).run();
  assert.equal(done.reason, 'diverged');
  assert.match(done.message, /training diverged at step 1: the discriminator's loss is NaN\. Try lower learning rates \(now D 0\.0005 and G 0\.002/);
});

test('GAN session: images of another size are refused', () => {
  assert.throws(
    () => new GanTrainer({ gan: new Gan(dcganSpecs({ channels: 1, size: 28, latent: 8, width: 2 }), new Rng(1)), set: barSet(4), normalization: { kind: 'symmetric' } }),
    /makes 1x28x28 samples but the images are 1x8x8/,
  );
});
