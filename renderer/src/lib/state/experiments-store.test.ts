/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
/**
 * The Experiments view's store against a stand-in engine: the list and the links from settings, a run
 * named by the client before it starts (so its first events are its own), variants arriving one by
 * one, the finding at the end, a run picked up after a reload, a refused start, the reasons a run
 * cannot start, and an export that asks before replacing a file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabError } from '../../../../engine/protocol/contract.js';
import type { ExperimentInfo, ExperimentResults, VariantResult } from '../../../../engine/protocol/experiments.js';
import { ExperimentsStore } from './experiments.svelte.js';
import { fakeApi, settle } from './fake-api.js';



const info = (id: string, over: Partial<ExperimentInfo> = {}): ExperimentInfo => ({
  id,
  title: `The ${id}`,
  idea: 'an idea',
  kind: 'classifier',
  explanation: 'Look at this.',
  variants: ['a', 'b'],
  data: 'the bundled sample',
  folder: 'optional',
  settings: [],
  metrics: ['valAcc'],
  builtin: true,
  ...over,
});

const variant = (name: string, valAcc: number): VariantResult => ({
  name,
  change: `optimizer: ${name}`,
  runId: null,
  config: {},
  history: [{ epoch: 1, valAcc }],
  traces: [],
  pictures: [],
  figures: { valAcc },
  outcome: { reason: 'completed', message: 'done' },
  seconds: 1,
});

const LIST = [info('optimizers', { settings: ['train.optimizer'] }), info('vanishing-gradients', { settings: ['train.activation', 'train.architecture'] }), info('dead-relu', { settings: ['train.activation'] }), info('art-vigilance', { folder: 'no', kind: 'cluster', settings: ['cluster.art'] })];

test('the list, the first experiment chosen by default, and the experiments behind a setting', async () => {
  const { api } = fakeApi({ 'experiments.list': () => ({ experiments: LIST }), 'experiments.results': () => ({ results: null }) });
  const s = new ExperimentsStore(api);
  await settle();
  assert.equal(s.loaded, true);
  assert.deepEqual(
    s.list.map((e) => e.id),
    ['optimizers', 'vanishing-gradients', 'dead-relu', 'art-vigilance'],
  );
  assert.equal(s.selectedId, 'optimizers');
  assert.deepEqual(
    s.forSetting('train.activation').map((e) => e.id),
    ['vanishing-gradients', 'dead-relu'],
  );
  assert.deepEqual(s.forSetting('gan.loss'), []);
  s.select('dead-relu');
  assert.equal(s.selected?.id, 'dead-relu');
});

test('a run: named before it starts, its progress, variants one by one, the finding at the end', async () => {
  let started: { runId: string; id?: string; data?: string } | null = null;
  const { api, emit, calls } = fakeApi({
    'experiments.list': () => ({ experiments: LIST }),
    'experiments.results': (p) => ((p as { runId?: string }).runId ? { results: null } : { results: null }),
    'experiments.start': (p) => {
      started = p as typeof started;
      // An early event, before the start's answer: it must already count for this run.
      emit('experiment.progress', { runId: started!.runId, variant: 0, variants: 2, name: 'a', fraction: 0, message: 'loading the data' });
      return { runId: started!.runId, variants: 2, info: LIST[0] };
    },
    'experiments.cancel': () => ({ cancelled: true }),
  });
  const s = new ExperimentsStore(api);
  await settle();
  assert.equal(s.whyNot(s.selected, false), null);
  assert.equal(await s.start(), true);
  assert.ok(started);
  const runId = (started as { runId: string }).runId;
  assert.equal((started as { id?: string }).id, 'optimizers');
  assert.equal((started as { data?: string }).data, 'default');
  assert.equal(s.running, true);
  assert.match(s.whyNot(s.selected, false) ?? '', /An experiment is running/);
  let run = s.runOf('optimizers');
  assert.equal(run?.state, 'running');
  assert.equal(run?.progress?.message, 'loading the data');

  emit('experiment.progress', { runId, variant: 0, variants: 2, name: 'a', fraction: 0.25, message: 'a: epoch 1/2' });
  emit('experiment.variant', { runId, index: 0, result: variant('a', 0.5) });
  run = s.runOf('optimizers');
  assert.equal(run?.progress?.fraction, 0.25);
  assert.deepEqual(
    run?.variants.map((v) => v.name),
    ['a'],
  );
  // Another run's events are not this one's.
  emit('experiment.variant', { runId: 'other', index: 1, result: variant('x', 0.1) });
  assert.equal(s.runOf('optimizers')?.variants.length, 1);

  await s.cancel();
  assert.deepEqual(calls.at(-1), { method: 'experiments.cancel', params: { runId } });
  emit('experiment.variant', { runId, index: 1, result: variant('b', 0.7) });
  emit('experiment.done', { runId, state: 'completed', message: '2 variants in 3 s', finding: 'validation accuracy: a 50.0%, b 70.0%' });
  run = s.runOf('optimizers');
  assert.equal(run?.state, 'completed');
  assert.equal(run?.finding, 'validation accuracy: a 50.0%, b 70.0%');
  assert.equal(run?.progress?.fraction, 1);
  assert.equal(s.running, false);
});

test('on the open folder where the experiment allows it; the reasons a run cannot start', async () => {
  const params: unknown[] = [];
  const { api } = fakeApi({
    'experiments.list': () => ({ experiments: LIST }),
    'experiments.results': () => ({ results: null }),
    'experiments.start': (p) => {
      params.push(p);
      return { runId: (p as { runId: string }).runId, variants: 2, info: LIST[0] };
    },
  });
  const s = new ExperimentsStore(api);
  await settle();
  s.onFolder = true;
  assert.match(s.whyNot(s.selected, false) ?? '', /No folder is open/);
  assert.equal(s.whyNot(s.selected, true), null);
  assert.match(s.whyNot(info('x', { folder: 'required' }), false) ?? '', /open one in Data/);
  assert.equal(s.whyNot(info('x', { folder: 'no' }), false), null, 'an experiment on its own data ignores the folder choice');
  assert.equal(s.whyNot(null, true), 'Choose an experiment');
  await s.start();
  assert.equal((params[0] as { data: string }).data, 'folder');
});

test('a refused start says why and leaves nothing running', async () => {
  const { api } = fakeApi({
    'experiments.list': () => ({ experiments: LIST }),
    'experiments.results': () => ({ results: null }),
    'experiments.start': () => {
      throw new LabError({ message: 'an experiment is running: cancel it or wait for it to end', code: 'unavailable' });
    },
  });
  const s = new ExperimentsStore(api);
  await settle();
  assert.equal(await s.start(), false);
  assert.equal(s.running, false);
  assert.match(s.error ?? '', /an experiment is running/);
  assert.equal(s.runOf('optimizers')?.state, 'failed');
});

const results = (over: Partial<ExperimentResults> = {}): ExperimentResults => ({
  format: 'locus-experiment-results',
  version: 1,
  runId: 'exp-1',
  experiment: { curves: ['trainLoss', 'valAcc'] },
  info: LIST[3],
  locus: '1.0.0',
  seed: 1,
  data: 'the bundled sample',
  started: '2026-01-01T00:00:00Z',
  seconds: 3,
  state: 'running',
  message: 'running',
  variants: [variant('a', 0.4)],
  finding: '',
  ...over,
});

test('after a reload the latest experiment run is picked up, running or ended, and chosen', async () => {
  const { api, emit } = fakeApi({ 'experiments.list': () => ({ experiments: LIST }), 'experiments.results': () => ({ results: results() }) });
  const s = new ExperimentsStore(api);
  await settle();
  assert.equal(s.selectedId, 'art-vigilance');
  const run = s.runOf('art-vigilance');
  assert.equal(run?.state, 'running');
  assert.equal(run?.variants.length, 1);
  assert.deepEqual(run?.curves, ['trainLoss', 'valAcc']);
  assert.equal(run?.progress?.fraction, 0.5);
  assert.equal(s.running, true);
  emit('experiment.done', { runId: 'exp-1', state: 'cancelled', message: 'cancelled after 1 of 2 variants', finding: 'purity: a 40.0%' });
  assert.equal(s.running, false);
  assert.equal(s.runOf('art-vigilance')?.state, 'cancelled');
});

test('events of a run this page did not start are picked up from the engine', async () => {
  let asked = 0;
  const { api, emit } = fakeApi({
    'experiments.list': () => ({ experiments: LIST }),
    'experiments.results': (p) => {
      if ((p as { runId?: string }).runId) asked++;
      return { results: (p as { runId?: string }).runId ? results({ runId: 'exp-2' }) : null };
    },
  });
  const s = new ExperimentsStore(api);
  await settle();
  emit('experiment.progress', { runId: 'exp-2', variant: 1, variants: 2, name: 'b', fraction: 0.6, message: 'b: pass 1' });
  emit('experiment.progress', { runId: 'exp-2', variant: 1, variants: 2, name: 'b', fraction: 0.6, message: 'b: pass 1' });
  await settle();
  assert.equal(asked, 1, 'asked once while the first read is under way');
  assert.equal(s.runOf('art-vigilance')?.runId, 'exp-2');
  assert.equal(s.running, true);
});

test('a run of an experiment the page does not list (a file opened before a reload) joins the list and runs again from its content', async () => {
  const mine = info('my-runs', { builtin: false, title: 'My runs' });
  const starts: unknown[] = [];
  const { api } = fakeApi({
    'experiments.list': () => ({ experiments: LIST }),
    'experiments.results': () => ({ results: results({ info: mine, experiment: { id: 'my-runs' }, state: 'completed' }) }),
    'experiments.start': (p) => {
      starts.push(p);
      return { runId: (p as { runId: string }).runId, variants: 2, info: mine };
    },
  });
  const s = new ExperimentsStore(api);
  await settle();
  assert.equal(s.selected?.title, 'My runs');
  assert.equal(s.fileOf('my-runs'), null);
  await s.start();
  assert.deepEqual((starts[0] as { file: unknown }).file, { id: 'my-runs' });
});

test('an export onto an existing file asks first; replacing it sends overwrite', async () => {
  const exports: unknown[] = [];
  const { api } = fakeApi({
    'experiments.list': () => ({ experiments: LIST }),
    'experiments.results': () => ({ results: results({ state: 'completed' }) }),
    'experiments.export': (p) => {
      exports.push(p);
      if (!(p as { overwrite?: boolean }).overwrite) throw new LabError({ message: '/tmp/r.html exists: replace it?', code: 'exists' });
      return { path: '/tmp/r.html', bytes: 5000 };
    },
  });
  const s = new ExperimentsStore(api);
  await settle();
  assert.equal(await s.export('html', ' /tmp/r.html '), false);
  assert.deepEqual(s.pendingOverwrite, { format: 'html', path: '/tmp/r.html' });
  assert.match(s.outcome?.text ?? '', /exists/);
  assert.equal(await s.export('html', '/tmp/r.html', true), true);
  assert.equal(s.pendingOverwrite, null);
  assert.equal(s.outcome?.text, 'Saved the report to /tmp/r.html (5 KB).');
  assert.deepEqual(exports[1], { runId: 'exp-1', format: 'html', path: '/tmp/r.html', overwrite: true });
});

test('an opened file joins the list, is chosen, and runs with its content', async () => {
  const fileInfo = info('my-runs', { builtin: false, title: 'My runs' });
  const content = { format: 'locus-experiment', id: 'my-runs', curves: ['valAcc'] };
  const starts: unknown[] = [];
  const { api } = fakeApi({
    'experiments.list': () => ({ experiments: LIST }),
    'experiments.results': () => ({ results: null }),
    'experiments.open': () => ({ info: fileInfo, experiment: content }),
    'experiments.start': (p) => {
      starts.push(p);
      return { runId: (p as { runId: string }).runId, variants: 2, info: fileInfo };
    },
  });
  const s = new ExperimentsStore(api);
  await settle();
  assert.equal(await s.open('/tmp/my-runs.json'), true);
  assert.equal(s.openOutcome?.text, 'Opened /tmp/my-runs.json: My runs, 2 variants.');
  assert.equal(s.selectedId, 'my-runs');
  assert.equal(s.fileOf('my-runs'), '/tmp/my-runs.json');
  assert.equal(s.list.length, 5);
  await s.start();
  assert.deepEqual((starts[0] as { file: unknown }).file, content);
  assert.equal((starts[0] as { id?: string }).id, undefined);
  assert.deepEqual(s.runOf('my-runs')?.curves, ['valAcc']);
});
