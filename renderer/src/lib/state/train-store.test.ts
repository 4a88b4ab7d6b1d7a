/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
/**
 * The Train view's store (compiled from its runes like the app's) against a stand-in engine: the run
 * registry's runs are listed and labelled by what differs, a run is named by the client before it
 * starts so its early events are its own, a refused start keeps the last run, and invalid forms are
 * refused in words before anything is sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../../../engine/protocol/runs.js';
import { TrainStore } from './train.svelte.js';
import { fakeApi } from './fake-api.js';


const summary = (id: string, activation: string, createdAt: string, extra: Partial<RunSummary> = {}): RunSummary => ({
  id,
  kind: 'classifier',
  name: '',
  state: 'done',
  outcome: { reason: 'completed', message: 'trained 1 epoch' },
  config: { architecture: { preset: 'mlp', activation }, optimizer: { type: 'adam', lr: 0.001 }, epochs: 1, batchSize: 32, seed: 1 },
  epochs: 1,
  figures: { valAcc: 0.5 },
  createdAt,
  updatedAt: createdAt,
  origin: 'app',
  parent: null,
  saved: true,
  unsaved: null,
  bytes: 10,
  hasModel: true,
  ...extra,
});

const tick = () => new Promise((r) => setTimeout(r, 0));

test('the registry runs (through the Train store) are listed newest first and labelled by what differs; events keep the list current', async () => {
  const { api, emit } = fakeApi({
    'runs.list': () => ({ runs: [summary('b', 'sigmoid', '2026-01-02'), summary('a', 'relu', '2026-01-01')], disk: { dir: '/w', bytes: 20, limit: 100 } }),
    'train.status': () => ({ run: null }),
  });
  const s = new TrainStore(api).registry;
  await tick();
  assert.deepEqual(s.runs.map((r) => r.id), ['b', 'a']);
  assert.deepEqual([...s.labels.values()], ['sigmoid', 'relu']);
  assert.equal(s.disk?.bytes, 20);
  emit('runs.changed', summary('c', 'tanh', '2026-01-03', { name: 'mine' }));
  assert.deepEqual(s.runs.map((r) => r.id), ['c', 'b', 'a']);
  assert.equal(s.labels.get('c'), 'mine');
  emit('runs.removed', { id: 'b' });
  assert.deepEqual(s.runs.map((r) => r.id), ['c', 'a']);
  assert.equal(s.shown('a'), true);
  s.toggleShown('a');
  assert.equal(s.shown('a'), false);
});

test('a start names its run: events before the reply are kept, a refused start keeps the last run', async () => {
  let started: { runId?: string } = {};
  let refuse = false;
  const { api, emit } = fakeApi({
    'runs.list': () => ({ runs: [], disk: { dir: '', bytes: 0, limit: 1 } }),
    'train.status': () => ({ run: null }),
    'train.start': (p) => {
      started = p as { runId?: string };
      if (refuse) throw new Error('the engine says no');
      // The engine's first events may overtake its reply.
      emit('train.batch', { runId: started.runId!, epoch: 1, batch: 1, batches: 2, step: 1, loss: 2.5, gradNorm: 1 });
      emit('train.batch', { runId: 'someone-else', epoch: 1, batch: 1, batches: 2, step: 1, loss: 9, gradNorm: 1 });
      return { runId: started.runId!, params: 10, train: 8, val: 2 };
    },
  });
  const s = new TrainStore(api);
  await tick();
  s.form.epochs = 1;
  await s.start();
  assert.match(started.runId ?? '', /^\d{14}-[0-9a-z]{6}$/, 'the client named the run');
  assert.equal(s.run?.id, started.runId);
  assert.deepEqual(s.run?.batches.map((b) => b.y), [2.5], "only this run's early event is its own");
  const first = s.run;
  refuse = true;
  await s.start();
  assert.equal(s.error, 'the engine says no');
  assert.equal(s.run, first, 'the last run (and its charts) stays');
});

test('an invalid form is refused in words, every field at once, and nothing is sent', async () => {
  const { api, calls } = fakeApi({ 'runs.list': () => ({ runs: [], disk: { dir: '', bytes: 0, limit: 1 } }), 'train.status': () => ({ run: null }) });
  const s = new TrainStore(api);
  await tick();
  s.form.lr = -1;
  s.form.batchSize = 0;
  assert.deepEqual(s.formErrors.map((e) => e.field), ['lr', 'batchSize']);
  await s.start();
  assert.match(s.error ?? '', /Learning rate must be more than 0.*; Batch must be at least 1/);
  assert.equal(calls.filter((c) => c.method === 'train.start').length, 0);
});
