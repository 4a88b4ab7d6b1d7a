import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../core/rng.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { GanStepper } from '../models/gan-step.js';
import { createOptimizer } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { ganFromFile, ganToFile, type GanFile } from './gan.js';
import { parseModel, readModelFile, writeModelFile } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-gan-io-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
const adam = () => createOptimizer({ type: 'adam', lr: 2e-4, beta1: 0.5 });

/** Steps with data and noise from `seed`, so two copies can be stepped identically. */
function train(gan: Gan, optD: Optimizer, optG: Optimizer, seed: number, steps: number): void {
  const stepper = new GanStepper(gan, optD, optG, 4);
  const rng = new Rng(seed);
  for (let s = 0; s < steps; s++) {
    const r = stepper.step((out) => {
      for (let i = 0; i < 4 * gan.sampleSize; i++) out[i] = rng.uniform(-1, 1);
      return 4;
    }, rng);
    assert.equal(r.problem, null);
  }
}

function trained() {
  const gan = new Gan(dcganSpecs({ channels: 1, size: 8, latent: 6, width: 3 }), new Rng(21));
  const optD = adam();
  const optG = adam();
  train(gan, optD, optG, 1, 3);
  return { gan, optD, optG };
}

function file(withOptimizers = true): GanFile {
  const { gan, optD, optG } = trained();
  return ganToFile({
    gan,
    normalization: { kind: 'symmetric' },
    training: { seed: 21, settings: { epochs: 1, dSteps: 1 }, history: [{ epoch: 1, dLoss: 1.2, gLoss: Number.NaN }] },
    ...(withOptimizers ? { optimizers: { generator: optG, discriminator: optD } } : {}),
  });
}

test('gan round trip: identical weights, statistics and samples; training continues exactly', async () => {
  const { gan, optD, optG } = trained();
  const f = ganToFile({ gan, normalization: { kind: 'symmetric' }, training: { seed: 21, settings: { dSteps: 1 }, history: [{ epoch: 1, dLoss: 1.2, gLoss: Number.NaN }] }, optimizers: { generator: optG, discriminator: optD } });
  const path = join(dir, 'g.locus.json');
  await writeModelFile(path, f);
  const loaded = ganFromFile(await readModelFile(path));
  const all = (g: Gan) => [...g.generator.params(), ...g.discriminator.params(), ...g.generator.buffers(), ...g.discriminator.buffers()].map((p) => bits(p.value));
  assert.deepEqual(all(loaded.gan), all(gan));
  assert.ok(gan.generator.buffers().some((b) => b.value.some((v) => v !== 0 && v !== 1)), 'batchNorm statistics were trained');
  const z = gan.sampleLatent(3, new Rng(4));
  assert.equal(bits(loaded.gan.generate(z, new Rng(0)).data), bits(gan.generate(z, new Rng(0)).data));
  assert.deepEqual(loaded.input, { channels: 1, height: 8, width: 8 });
  assert.deepEqual(loaded.normalization, { kind: 'symmetric' });
  assert.deepEqual(loaded.training.history, [{ epoch: 1, dLoss: 1.2, gLoss: null }]);
  assert.equal(loaded.gan.latent, 6);
  assert.ok(loaded.optimizers);
  train(gan, optD, optG, 2, 2);
  train(loaded.gan, loaded.optimizers.discriminator, loaded.optimizers.generator, 2, 2);
  assert.deepEqual(all(loaded.gan), all(gan), 'resumed training is bit-identical');
});

test('gan file without optimizer state loads with optimizers null', () => {
  const loaded = ganFromFile(parseModel(JSON.stringify(file(false))));
  assert.equal(loaded.optimizers, null);
});

test('gan import refuses damaged files with the reason', () => {
  const refuse = (edit: (f: GanFile) => void, why: RegExp) => {
    const f = structuredClone(file());
    edit(f);
    assert.throws(() => parseModel(JSON.stringify(f)), why);
  };
  refuse((f) => delete f.model.generator.params['0.W'], /generator: params tensor "0.W" is missing/);
  refuse((f) => (f.model.discriminator.params['0.W'].shape = [1, 2, 3]), /discriminator params tensor "0.W": data has/);
  refuse((f) => (f.model.latent = 7), /generator: input \[6\] does not take latent codes of 7 values/);
  refuse((f) => (f.model.input.width = 9), /discriminator: input \[1x8x8\] does not fit images of \[1x8x9\]/);
  refuse((f) => delete f.model.discriminator.optimizer, /optimizer state is saved for one network but not the other/);
  refuse((f) => ((f.model as unknown as Record<string, unknown>).extra = 1), /model/);
  refuse((f) => (f.model.generator.architecture.layers[0] = { type: 'noSuchLayer' }), /generator|architecture/);
  refuse((f) => {
    const t = f.model.generator.params['0.W'];
    const b = Buffer.from(t.data, 'base64');
    b.writeFloatLE(Number.POSITIVE_INFINITY, 0);
    t.data = b.toString('base64');
  }, /generator: params tensor "0.W": value 0 is Infinity/);
});
