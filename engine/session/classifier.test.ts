import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import '../layers/index.js';
import { UNIT } from '../data/normalize.js';
import { presetSpec } from '../models/presets.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { assertAllClose } from '../testing/numeric.js';
import { ClassifierTrainer, type TrainEvent, type TrainSettings } from './classifier.js';
import { range, toySet } from './testkit.js';

const mlpSpec = (layers = presetSpec('mlp', [1, 8, 8], 2).layers): SequentialSpec => ({ input: [1, 8, 8], layers });
const base: TrainSettings = { epochs: 3, batchSize: 8, seed: 3, optimizer: { type: 'sgd', lr: 0.05 } };

function trainer(settings: Partial<TrainSettings>, spec = mlpSpec(), set = toySet(16), train = range(0, 24), val = range(24, 32)) {
  const model = new Sequential(spec, new Rng(5));
  return { model, t: new ClassifierTrainer({ model, set, train, val, normalization: UNIT, settings: { ...base, ...settings } }) };
}

describe('ClassifierTrainer', () => {
  it('learns the toy set and reports a confusion matrix at the end', async () => {
    const { t } = trainer({ epochs: 8, optimizer: { type: 'adam', lr: 0.01 } });
    const done = await t.run();
    assert.equal(done.reason, 'completed');
    assert.ok(t.history.at(-1)!.valAcc! >= 0.9, `val acc ${t.history.at(-1)!.valAcc}`);
    assert.equal(done.confusion!.flat().reduce((a, b) => a + b, 0), 8);
  });

  it('early stopping restores exactly the weights and BatchNorm statistics of the best epoch', async () => {
    // Validation images are copies of training images with the other label: the better the fit, the
    // worse the validation loss, so it stops early.
    const set = toySet(16);
    const flipped = { ...set, n: 40, pixels: new Uint8Array(40 * 64), labels: new Int32Array(40), paths: [...set.paths, ...set.paths.slice(0, 8)] };
    flipped.pixels.set(set.pixels);
    flipped.pixels.set(set.pixels.subarray(0, 8 * 64), 32 * 64);
    flipped.labels.set(set.labels);
    for (let i = 0; i < 8; i++) flipped.labels[32 + i] = 1 - set.labels[i];
    const spec = mlpSpec([{ type: 'flatten' }, { type: 'dense', units: 16 }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'dense', units: 2 }]);
    const { model, t } = trainer({ epochs: 30, optimizer: { type: 'adam', lr: 0.01 }, earlyStopping: { patience: 2, restoreBest: true } }, spec, flipped, range(0, 32), range(32, 40));
    const snapshots: Float32Array[][] = [];
    const done = await t.run((e) => {
      if (e.type === 'epoch') snapshots.push([...model.params(), ...model.buffers()].map((p) => new Float32Array(p.value)));
    });
    assert.equal(done.reason, 'early-stopped');
    const best = done.bestEpoch!;
    assert.ok(best < t.history.length, `best ${best} of ${t.history.length} epochs`);
    const losses = t.history.map((h) => h.valLoss!);
    assert.equal(Math.min(...losses), losses[best - 1]);
    const now = [...model.params(), ...model.buffers()].map((p) => p.value);
    now.forEach((v, i) => assert.deepEqual(v, snapshots[best - 1][i], `tensor ${i} is the best epoch's`));
    assert.notDeepEqual(now[0], snapshots.at(-1)![0], 'and not the last epoch\'s');
  });

  it('a huge learning rate is detected as divergence that names the layer', async () => {
    const { t } = trainer({ optimizer: { type: 'sgd', lr: 1e12 } }, presetSpec('lenet5', [1, 12, 12], 2, { activation: 'relu' }), toySet(16, 2, 12));
    const done = await t.run();
    assert.equal(done.reason, 'diverged');
    assert.match(done.message, /layer \d+(\.\d+)? \(\w+\)/);
    assert.match(done.message, /try a lower learning rate \(now 1000000000000/);
    assert.equal(done.confusion, null);
  });

  it('pause, single steps and a learning rate changed while paused (used by the next step)', async () => {
    const { model, t } = trainer({ epochs: 1, optimizer: { type: 'sgd', lr: 0.05 } });
    t.control.pause();
    const steps: { step: number; lr: number }[] = [];
    const run = t.run((e) => {
      if (e.type === 'batch') steps.push({ step: e.step, lr: e.lr });
    });
    const wait = async (n: number) => {
      for (let i = 0; i < 500 && steps.length < n; i++) await new Promise((r) => setTimeout(r, 2));
    };
    const w = () => new Float32Array(model.params()[0].value);
    t.setLr(0);
    const w0 = w();
    t.control.step();
    await wait(1);
    assert.deepEqual(w(), w0, 'lr 0: the step leaves the weights alone');
    t.setLr(0.1);
    t.control.step();
    await wait(2);
    assert.notDeepEqual(w(), w0, 'the new lr took effect at the next step');
    assert.deepEqual(steps, [
      { step: 1, lr: 0 },
      { step: 2, lr: 0.1 },
    ]);
    assert.equal(t.control.state, 'paused');
    t.control.resume();
    const done = await run;
    assert.equal(done.reason, 'completed');
    assert.equal(t.step, 3);
    assert.throws(() => t.setLr(Number.NaN), /learning rate/);
  });

  it('stop ends the run between steps', async () => {
    const { t } = trainer({ epochs: 5 });
    const done = await t.run((e) => {
      if (e.type === 'batch' && e.step === 4) t.control.stop();
    });
    assert.equal(done.reason, 'stopped');
    assert.equal(t.step, 4);
  });

  it('telemetry comes at the end of each epoch, every N steps and on request', async () => {
    const { t } = trainer({ epochs: 2, telemetryEvery: 2 });
    const at: number[] = [];
    let last: Extract<TrainEvent, { type: 'telemetry' }> | null = null;
    await t.run((e) => {
      if (e.type === 'telemetry') {
        at.push(e.step);
        last = e;
      }
      if (e.type === 'batch' && e.step === 4) t.requestTelemetry();
    });
    // 3 batches an epoch: epoch ends at 3 and 6, every 2 at 2, 4, 6, requested after step 4 -> 5.
    assert.deepEqual(at, [2, 3, 4, 5, 6]);
    const tel = last!;
    assert.deepEqual(tel.layers, ['2 dense', '4 dense', '6 dense']);
    assert.equal(tel.gradNorm.length, 3);
    assert.ok(tel.updateRatio.every((r) => r > 0 && r < 1));
    assert.equal(tel.activations.length, 6);
    assert.equal(tel.activations[2].name, '3 relu');
    assert.ok(tel.activations[2].dead !== null && tel.activations[1].dead === null);
    assert.ok(JSON.stringify(tel).length > 0);
  });

  it('hints: penalty with weight 0 trains like no hints; augment and penalty change the result', async () => {
    const weights = async (s: Partial<TrainSettings>) => {
      const { model, t } = trainer({ epochs: 2, ...s });
      await t.run();
      return model.params()[0].value;
    };
    const plain = await weights({});
    const zero = await weights({ hints: { mode: 'penalty', weight: 0 } });
    assertAllClose(zero, plain, { rtol: 1e-4, atol: 1e-6 }, 'penalty 0 vs plain');
    const pen = await weights({ hints: { mode: 'penalty', weight: 1 } });
    const aug = await weights({ hints: { mode: 'augment', augment: { shift: 1, rotate: 5 } } });
    assert.notDeepEqual(pen, plain);
    assert.notDeepEqual(aug, plain);
    assert.deepEqual(await weights({ hints: { mode: 'augment' } }), await weights({ hints: { mode: 'augment' } }), 'seeded');
    assert.throws(() => trainer({ hints: { mode: 'bogus' as 'augment' } }), /mode must be/);
  });

  it('refuses a model whose outputs do not cover the classes', () => {
    assert.throws(() => trainer({}, mlpSpec([{ type: 'flatten' }, { type: 'dense', units: 1 }])), /1 outputs but the training images have 2 classes/);
  });
});
