/**
 * The run registry and its workspace folder: a finished run is saved and read back by a new registry
 * (a reload, an engine restart, the CLI), renamed and removed; a run over the disk budget is kept in
 * memory with the reason; a damaged run folder is reported and left alone; an interrupted run is
 * listed as stopped.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { classifierToFile } from '../io/index.js';
import '../layers/index.js';
import { classifierModel } from '../models/presets.js';
import { distinctLabels, labelParts, runLabel } from '../protocol/runs.js';
import { RunRegistry } from './runs.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-runs-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function modelFile() {
  const model = classifierModel('mlp', [1, 4, 4], 2, { activation: 'relu' }, new Rng(1));
  return classifierToFile({ model, classes: ['a', 'b'], input: { channels: 1, height: 4, width: 4 }, normalization: { kind: 'standard', mean: [0.5], std: [0.25] }, training: { seed: 1, settings: {}, history: [] } });
}

const cfg = { architecture: { preset: 'mlp', activation: 'relu' }, optimizer: { type: 'adam', lr: 0.001 }, epochs: 2, batchSize: 8, seed: 1 };

test('a finished run is saved with its model and read back by another registry on the same folder', async () => {
  const ws = join(dir, 'a');
  const changes: string[] = [];
  const reg = new RunRegistry({ dir: ws, origin: 'app', events: { changed: (r) => changes.push(`${r.state}${r.saved ? ' saved' : ''}`) } });
  await reg.load();
  const s = reg.create('classifier', cfg, { id: 'run-1' });
  assert.equal(s.state, 'running');
  reg.addEpoch('run-1', { epoch: 1, trainLoss: 0.9, valAcc: 0.5 });
  reg.addEpoch('run-1', { epoch: 2, trainLoss: 0.5, valAcc: 0.75 });
  const done = await reg.finish('run-1', { outcome: { reason: 'completed', message: 'trained 2 epochs' }, figures: { valAcc: 0.75 }, confusion: [[3, 1], [0, 4]], classes: ['a', 'b'], model: modelFile() });
  assert.equal(done.saved, true);
  assert.ok(done.bytes > 1000, `${done.bytes} bytes`);
  assert.deepEqual(changes.slice(-2), ['done', 'done saved']);
  assert.deepEqual((await readdir(join(ws, 'run-1'))).sort(), ['model.json', 'run.json']);

  const again = new RunRegistry({ dir: ws, origin: 'cli' });
  await again.load();
  const [r] = again.list();
  assert.equal(r.id, 'run-1');
  assert.equal(r.origin, 'app');
  assert.equal(r.epochs, 2);
  assert.deepEqual(r.figures, { valAcc: 0.75 });
  assert.deepEqual(again.get('run-1').history.map((h) => h.valAcc), [0.5, 0.75]);
  assert.deepEqual(again.get('run-1').confusion, [[3, 1], [0, 4]]);
  const m = await again.model('run-1');
  assert.equal(m.kind, 'classifier');
  assert.equal(again.disk().bytes, r.bytes);

  await again.rename('run-1', '  relu baseline ');
  await again.idle();
  const third = new RunRegistry({ dir: ws, origin: 'app' });
  await third.load();
  assert.equal(third.list()[0].name, 'relu baseline');
  assert.equal(await third.remove('run-1'), true);
  assert.deepEqual(await readdir(ws), []);
  await assert.rejects(third.model('run-1'), /there is no run "run-1"/);
});

test('a running run cannot be removed; a run over the budget stays in memory and says why', async () => {
  const ws = join(dir, 'b');
  const reg = new RunRegistry({ dir: ws, origin: 'app', limit: 2000 });
  await reg.load();
  reg.create('classifier', cfg, { id: 'big' });
  await assert.rejects(reg.remove('big'), /stop it before removing it/);
  const done = await reg.finish('big', { outcome: { reason: 'completed', message: 'ok' }, model: modelFile() });
  assert.equal(done.saved, false);
  assert.match(done.unsaved ?? '', /would go over its 0\.0 MB limit .*remove runs to make room/);
  assert.equal((await reg.model('big')).kind, 'classifier', 'the model is still in memory');
  await assert.rejects(readdir(join(ws, 'big')));
});

test('a damaged run folder is reported and left alone; a run saved while running is listed as interrupted', async () => {
  const ws = join(dir, 'c');
  await mkdir(join(ws, 'broken'), { recursive: true });
  await writeFile(join(ws, 'broken', 'run.json'), '\u0000\u0001 not json');
  await mkdir(join(ws, 'other'), { recursive: true });
  await writeFile(join(ws, 'other', 'run.json'), JSON.stringify({ run: { id: 'x' } }));
  const reg = new RunRegistry({ dir: ws, origin: 'app' });
  reg.create('classifier', cfg, { id: 'live' });
  await reg.finish('live', { outcome: { reason: 'completed', message: 'ok' } });
  // Make it look as if the engine stopped mid-run.
  const file = join(ws, 'live', 'run.json');
  const rec = JSON.parse(await readFile(file, 'utf8'));
  rec.run.state = 'running';
  rec.run.outcome = null;
  await writeFile(file, JSON.stringify(rec));
  const again = new RunRegistry({ dir: ws, origin: 'app' });
  await again.load();
  assert.deepEqual(again.list().map((r) => r.id), ['live']);
  assert.deepEqual(again.list()[0].outcome, { reason: 'stopped', message: 'interrupted: Locus stopped while it ran' });
  assert.deepEqual(again.unreadable.map((u) => u.id).sort(), ['broken', 'other']);
  assert.equal(again.unreadable.find((u) => u.id === 'broken')?.reason, 'run.json is not JSON');
  assert.ok((await readdir(ws)).includes('broken'), 'nothing is deleted');
});

test('labels say what differs: activation alone tells two runs apart, the learning rate as of now', () => {
  const a = { kind: 'classifier' as const, name: '', config: { ...cfg, architecture: { preset: 'mlp', activation: 'sigmoid' } } };
  const b = { kind: 'classifier' as const, name: '', config: { ...cfg, architecture: { preset: 'mlp', activation: 'leakyRelu' } } };
  assert.deepEqual(distinctLabels([a, b]), ['sigmoid', 'leakyRelu']);
  assert.equal(runLabel('classifier', a.config), 'mlp · sigmoid · Adam 0.001 · batch 8 · seed 1');
  const c = { ...b, config: { ...b.config, optimizer: { type: 'adam', lr: 2.5e-4 } } };
  assert.deepEqual(distinctLabels([b, c]), ['Adam 0.001', 'Adam 2.5e-4']);
  assert.deepEqual(distinctLabels([a, a, { ...a, name: 'mine' }]), ['mlp · sigmoid', 'mlp · sigmoid #2', 'mine']);
  assert.ok(labelParts('classifier', { ...cfg, optimizer: { type: 'adam', lr: 0.001, biasCorrection: false } }).some((p) => p.text === 'no bias correction'));
});
