import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { makeSeries, seriesSpec, type SeriesSet } from '../data/series.js';
import '../layers/index.js';
import { sequenceSpec, type CellName } from '../models/sequence.js';
import { Sequential } from '../models/sequential.js';
import { SequenceTrainer, type SequenceEvent, type SequenceTrainSettings } from './sequence.js';
import { evaluateSequences } from './sequence-eval.js';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function setup(cell: CellName, train: SeriesSet, units: number, settings: Partial<SequenceTrainSettings> = {}) {
  const model = new Sequential(sequenceSpec({ cell, steps: train.steps, features: train.features, outputs: train.outputs, units }), new Rng(1));
  const s: SequenceTrainSettings = { epochs: 6, batchSize: 32, seed: 1, optimizer: { type: 'adam', lr: 0.02 }, clipNorm: 1, gates: { probe: 0, sample: null }, ...settings };
  return { model, trainer: new SequenceTrainer({ model, source: train, train: all(train.n), val: new Int32Array(0), settings: s }) };
}

test('long memory: LSTM and GRU keep a marker across 19 noisy steps that a simple RNN cannot, at the same budget', async () => {
  // 2 classes, the code at step 0, then noise of std 1.5 on the code channels; 8 units, 6 epochs of 1024.
  const spec = seriesSpec('memory', { steps: 20, noise: 1.5 });
  const train = makeSeries(spec, 1024, new Rng(1));
  const test_ = makeSeries(spec, 400, new Rng(1001));
  const acc: Record<string, number> = {};
  for (const cell of ['rnn', 'lstm', 'gru'] as CellName[]) {
    const { model, trainer } = setup(cell, train, 8);
    const done = await trainer.run();
    assert.equal(done.reason, 'completed');
    acc[cell] = evaluateSequences(model, test_, all(test_.n)).accuracy!;
  }
  assert.ok(acc.rnn < 0.65, `simple RNN near chance: ${JSON.stringify(acc)}`);
  assert.ok(acc.lstm > 0.9, `LSTM remembers: ${JSON.stringify(acc)}`);
  assert.ok(acc.gru > 0.9, `GRU remembers: ${JSON.stringify(acc)}`);
});

test('events: batches, epochs with validation, gate traces, done; the same seed gives bit-identical weights', async () => {
  const set = makeSeries(seriesSpec('sines', { steps: 12 }), 96, new Rng(3));
  const run = async () => {
    const model = new Sequential(sequenceSpec({ cell: 'lstm', steps: 12, features: 1, outputs: 3, units: 4 }), new Rng(9));
    const tr = new SequenceTrainer({
      model,
      source: set,
      train: all(64),
      val: Int32Array.from({ length: 32 }, (_, i) => 64 + i),
      settings: { epochs: 2, batchSize: 16, seed: 9, optimizer: { type: 'adam', lr: 0.01 }, gates: { probe: 8, sample: 2 } },
    });
    const events: SequenceEvent[] = [];
    await tr.run((e) => events.push(e));
    return { model, events, tr };
  };
  const a = await run();
  const types = a.events.map((e) => e.type);
  assert.deepEqual(types, [...Array(4).fill('batch'), 'epoch', 'gates', ...Array(4).fill('batch'), 'epoch', 'gates', 'done']);
  const ep = a.events.find((e) => e.type === 'epoch')!;
  assert.ok(ep.type === 'epoch' && ep.valAcc !== null && ep.trainAcc !== null && ep.valLoss! > 0);
  const g = a.events.find((e) => e.type === 'gates')!;
  assert.ok(g.type === 'gates');
  assert.equal(g.traces.length, 1);
  assert.deepEqual(g.traces[0].names, ['input', 'forget', 'cell', 'output', 'c', 'h']);
  assert.equal(g.traces[0].means[1].length, 12);
  assert.equal(g.traces[0].sample!.index, 2);
  assert.equal(g.traces[0].sample!.matrices[0].length, 12 * 4);
  const b = await run();
  assert.deepEqual(b.model.params().map((p) => Array.from(p.value)), a.model.params().map((p) => Array.from(p.value)));
});

test('pause, single steps and stop through RunControl', async () => {
  const set = makeSeries(seriesSpec('memory', { steps: 5 }), 64, new Rng(2));
  const { trainer } = setup('gru', set, 3, { epochs: 3, batchSize: 8 });
  const batches: number[] = [];
  let twoSeen: () => void = () => {};
  const two = new Promise<void>((r) => (twoSeen = r));
  const ticks = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };
  trainer.control.pause();
  const p = trainer.run((e) => {
    if (e.type === 'batch') batches.push(e.batch);
    if (batches.length === 2) twoSeen();
  });
  await ticks(10);
  assert.equal(batches.length, 0, 'paused before the first batch');
  trainer.control.step(2);
  await two;
  await ticks(10);
  assert.deepEqual(batches, [1, 2], 'two steps, then paused again');
  trainer.control.stop();
  const done = await p;
  assert.equal(done.reason, 'stopped');
  assert.equal(trainer.history.length, 0);
});

test('regression: next value of a noisy sine, and the adding problem, beat predicting the mean', async () => {
  for (const [name, epochs] of [['next', 6], ['adding', 6]] as const) {
    const spec = seriesSpec(name, { steps: name === 'adding' ? 10 : 16 });
    const train = makeSeries(spec, 512, new Rng(4));
    const test_ = makeSeries(spec, 200, new Rng(5));
    const { model, trainer } = setup('gru', train, 8, { epochs, optimizer: { type: 'adam', lr: 0.01 } });
    await trainer.run();
    const ev = evaluateSequences(model, test_, all(test_.n));
    assert.equal(ev.accuracy, null);
    const t = test_.targets!;
    const mean = t.reduce((a, v) => a + v, 0) / t.length;
    const variance = t.reduce((a, v) => a + (v - mean) ** 2, 0) / t.length;
    assert.ok(ev.loss < 0.5 * variance, `${name}: mse ${ev.loss} vs variance ${variance}`);
  }
});

test('a model that does not fit the data is refused with the reason', () => {
  const set = makeSeries(seriesSpec('memory', { steps: 5 }), 8, new Rng(2));
  const model = new Sequential(sequenceSpec({ cell: 'lstm', steps: 6, features: 3, outputs: 2, units: 2 }), new Rng(1));
  const settings = { epochs: 1, batchSize: 4, seed: 1, optimizer: { type: 'adam' as const } };
  assert.throws(() => new SequenceTrainer({ model, source: set, train: all(8), val: new Int32Array(0), settings }), /reads sequences of \[6x3\] but the data are 5 steps of 3 features/);
});
