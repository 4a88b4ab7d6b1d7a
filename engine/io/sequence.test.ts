import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { makeSeries, seriesSpec } from '../data/series.js';
import { sequenceSpec, type CellName } from '../models/sequence.js';
import { Sequential } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';
import { SequenceTrainer } from '../session/sequence.js';
import { parseModel, readModelFile, writeModelFile } from './index.js';
import { sequenceFromFile, sequenceToFile, type SequenceFile } from './sequence.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-seq-io-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

async function trainedFile(cell: CellName, name: 'memory' | 'next'): Promise<{ file: SequenceFile; model: Sequential }> {
  const spec = seriesSpec(name, { steps: 6 });
  const set = makeSeries(spec, 24, new Rng(2));
  const model = new Sequential(sequenceSpec({ cell, steps: set.steps, features: set.features, outputs: set.outputs, units: 3, layers: 2 }), new Rng(5));
  const optimizer = createOptimizer({ type: 'adam', lr: 0.01 });
  const settings = { epochs: 2, batchSize: 8, seed: 5, optimizer: { type: 'adam' as const, lr: 0.01 }, clipNorm: 1, gates: { probe: 0, sample: null } };
  const tr = new SequenceTrainer({ model, source: set, train: Int32Array.from({ length: 24 }, (_, i) => i), val: new Int32Array(0), settings, optimizer });
  await tr.run();
  const file = sequenceToFile({
    model,
    data: { source: 'series', series: spec },
    task: set.task,
    classes: set.classes,
    training: { seed: 5, settings, history: tr.history },
    optimizer,
  });
  return { file, model };
}

for (const cell of ['rnn', 'lstm', 'gru', 'tdnn'] as CellName[]) {
  test(`${cell}: write, read, import give the same weights, optimizer state and predictions, bit for bit`, async () => {
    const { file, model } = await trainedFile(cell, cell === 'gru' ? 'next' : 'memory');
    const path = join(dir, `${cell}.locus.json`);
    await writeModelFile(path, file);
    const loaded = sequenceFromFile(await readModelFile(path));
    const x = tensor([3, ...model.inputShape], Array.from({ length: 3 * model.inputShape[0] * model.inputShape[1] }, (_, i) => Math.sin(i)));
    assert.equal(bits(loaded.model.predict(x, new Rng(0)).data), bits(model.predict(x, new Rng(0)).data));
    assert.deepEqual(loaded.model.params().map((p) => bits(p.value)), model.params().map((p) => bits(p.value)));
    assert.deepEqual(loaded.model.spec(), model.spec());
    assert.deepEqual(loaded.data, file.model.data);
    assert.equal(loaded.task, cell === 'gru' ? 'regress' : 'classify');
    assert.ok(loaded.optimizer, 'optimizer state restored');
    assert.equal(loaded.optimizer.getState().t, 6);
    assert.equal(loaded.training.history.length, 2);
  });
}

test('image rows: the architecture input must be [height, width x channels]', async () => {
  const model = new Sequential(sequenceSpec({ cell: 'lstm', steps: 4, features: 6, outputs: 2, units: 2 }), new Rng(1));
  const init = { model, task: 'classify' as const, classes: ['a', 'b'], training: { seed: 1, settings: {}, history: [] } };
  const ok = sequenceToFile({ ...init, data: { source: 'rows', image: { channels: 3, height: 4, width: 2 }, normalization: { kind: 'unit' } } });
  assert.deepEqual(sequenceFromFile(parseModel(JSON.stringify(ok))).data, ok.model.data);
  assert.throws(
    () => sequenceToFile({ ...init, data: { source: 'rows', image: { channels: 1, height: 4, width: 4 }, normalization: { kind: 'unit' } } }),
    /input \[4x6\] does not fit the data's sequences of \[4x4\]/,
  );
});

test('tampered files are refused with a reason', async () => {
  const { file } = await trainedFile('lstm', 'memory');
  const text = JSON.stringify(file);
  const bad = (mutate: (m: Record<string, unknown>) => void, re: RegExp) => {
    const f = JSON.parse(text);
    mutate(f.model);
    assert.throws(() => parseModel(JSON.stringify(f)), re);
  };
  bad((m) => ((m.data as { series: { name: string } }).series.name = 'chaos'), /series/);
  bad((m) => (m.task = 'regress'), /"memory" is a classify task/);
  bad((m) => (m.classes = ['marker 0']), /1 class names for 2 outputs/);
  bad((m) => ((m.data as { series: { steps: number } }).series.steps = 7), /does not fit the data's sequences/);
  bad((m) => delete (m.params as Record<string, unknown>)['0.Wh'], /"0.Wh" is missing/);
  bad((m) => ((m.architecture as { layers: { forgetBias?: number }[] }).layers[0].forgetBias = 1e9), /larger than/);
  bad((m) => (m.extra = 1), /extra|additional|unexpected/i);
});
