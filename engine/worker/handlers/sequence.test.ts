/** The sequence.* handlers: contract checks, a tiny run's epoch and gate events, stepping, stopping, sample choice and export. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../core/rng.js';
import { tensor } from '../../core/tensor.js';
import { sequenceFromFile } from '../../io/sequence.js';
import { EVENTS, METHODS, type DataSummary, type EngineEvent, type Payload } from '../../protocol/contract.js';
import type { SeqConfig } from '../../protocol/sequence.js';
import { makeSeries, seriesSpec } from '../../data/series.js';
import { splitIndices } from '../../data/split.js';
import { sequenceSpec } from '../../models/sequence.js';
import { Sequential } from '../../models/sequential.js';
import { gateTraces, SequenceTrainer } from '../../session/sequence.js';
import type { Context } from '../server.js';
import { workspace } from '../workspace.js';

const folder = () => (workspace.data ? { set: workspace.data.result.set, split: workspace.data.split } : null);
const startSequence = (cfg: SeqConfig, c: Context) => workspace.sequences.start(cfg, folder(), c);
const controlSequence = (action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined, c: Context) => workspace.sequences.control(action, steps, c);
const sampleSequence = (index: number) => workspace.sequences.sample(index);
const exportSequence = (path: string) => workspace.sequences.export(path);
const sequenceRun = () => workspace.sequences.current;

const events: { event: EngineEvent; payload: unknown }[] = [];
let waiters: (() => void)[] = [];
const ctx: Context = {
  emit(event, payload) {
    // Every event must pass the contract's guard, as the shell checks it.
    const bad = EVENTS[event].payload.check(payload);
    assert.equal(bad, null, `${event}: ${bad}`);
    events.push({ event, payload });
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  },
};
async function until<E extends EngineEvent>(event: E, pred: (p: Payload<E>) => boolean): Promise<Payload<E>> {
  for (;;) {
    const hit = events.find((e) => e.event === event && pred(e.payload as Payload<E>));
    if (hit) return hit.payload as Payload<E>;
    await new Promise<void>((r) => waiters.push(r));
  }
}
const of = <E extends EngineEvent>(event: E, runId: string): Payload<E>[] =>
  events.filter((e) => e.event === event && (e.payload as { runId: string }).runId === runId).map((e) => e.payload as Payload<E>);

const memory: SeqConfig = { task: 'memory', cell: 'lstm', units: 4, layers: 1, epochs: 2, batchSize: 16, lr: 0.01, clipNorm: 1, seed: 3, series: { n: 64, steps: 6 }, probe: 8 };

test('contract: sequence.start params are checked', () => {
  const check = (x: unknown) => METHODS['sequence.start'].params.check(x);
  assert.equal(check(memory), null);
  assert.match(check({ ...memory, cell: 'transformer' }) ?? '', /cell/);
  assert.match(check({ ...memory, units: 0 }) ?? '', /units/);
  assert.match(check({ ...memory, series: { n: 64, colour: 1 } }) ?? '', /colour/);
  assert.match(check({ ...memory, lr: Number.NaN }) ?? '', /lr/);
  assert.match(METHODS['sequence.sample'].params.check({ index: -1 }) ?? '', /index/);
});

test('a tiny LSTM on the memory task: gates before training and after each epoch, another sample, export', async () => {
  const started = startSequence(memory, ctx);
  assert.equal(METHODS['sequence.start'].result.check(started), null);
  const { runId } = started;
  assert.deepEqual([started.steps, started.features, started.outputs, started.kind], [6, 3, 2, 'classify']);
  assert.deepEqual([started.train + started.val, started.probe, started.batches], [64, 6, Math.ceil(started.train / 16)]);
  assert.throws(() => startSequence(memory, ctx), /in progress/);
  const done = await until('sequence.done', (d) => d.runId === runId);
  assert.equal(done.reason, 'completed');
  assert.equal(done.epochs, 2);
  assert.deepEqual(of('sequence.epoch', runId).map((e) => e.metrics.epoch), [1, 2]);
  const gates = of('sequence.gates', runId);
  assert.deepEqual(gates.map((g) => g.epoch).filter((e, i, a) => a.indexOf(e) === i), [0, 1, 2]);
  const first = gates[0];
  assert.equal(first.step, 0);
  const [t] = first.traces;
  assert.deepEqual(t.names, ['input', 'forget', 'cell', 'output', 'c', 'h']);
  assert.deepEqual([t.layer, t.steps, t.units], ['1 lstm', 6, 4]);
  assert.equal(t.matrices[1].length, 6 * 4);
  assert.equal(first.input.length, 6 * 3);
  assert.equal(first.input[first.label], 1, 'the marker code at step 0');
  assert.equal(first.input[2], 1, 'the flag at step 0');
  assert.ok(Math.abs(first.output[0] + first.output[1] - 1) < 1e-5, 'class probabilities');
  assert.notDeepEqual(gates.at(-1)!.traces[0].means[1], first.traces[0].means[1], 'training moves the forget gate');

  // The handler's traces agree with the trainer's own gateTraces on the same probe batch.
  const r = sequenceRun()!;
  const other = sampleSequence(3);
  assert.equal(other.sample, 3);
  assert.notDeepEqual(other.input, first.input);
  const ref = gateTraces(r.model, r.data.source, r.probe, r.probe.length, 3)[0];
  ref.means.forEach((m, k) => m.forEach((v, s) => assert.ok(Math.abs(other.traces[0].means[k][s] - v) < 1e-6)));
  assert.deepEqual(Array.from(other.traces[0].matrices[4]), Array.from(Float32Array.from(ref.sample!.matrices[4])));
  assert.throws(() => sampleSequence(6), /not in the probe set/);

  // The same seed and settings from code (as locus seq builds them) give bit-identical weights.
  const set = makeSeries(seriesSpec('memory', { steps: 6 }), 64, new Rng(3));
  const split = splitIndices(64, 0.1, new Rng(3 ^ 0x51), set.labels!);
  const model = new Sequential(sequenceSpec({ cell: 'lstm', steps: 6, features: 3, outputs: 2, units: 4, layers: 1 }), new Rng(3));
  const trainer = new SequenceTrainer({ model, source: set, ...split, settings: { epochs: 2, batchSize: 16, seed: 3, optimizer: { type: 'adam', lr: 0.01 }, clipNorm: 1 } });
  await trainer.run();
  model.params().forEach((p, k) => assert.deepEqual(p.value, r.model.params()[k].value, p.name));

  const dir = await mkdtemp(join(tmpdir(), 'locus-seq-'));
  try {
    const out = await exportSequence(join(dir, 'memory.json'));
    assert.ok(out.bytes > 500);
    const loaded = sequenceFromFile(JSON.parse(await readFile(out.path, 'utf8')));
    assert.equal(loaded.training.history.length, 2);
    assert.deepEqual(loaded.classes, ['marker 0', 'marker 1']);
    const x = tensor([1, 6, 3], other.input);
    assert.deepEqual(loaded.model.predict(x, new Rng(0)).data, r.model.predict(x, new Rng(0)).data);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('paused start: a step sends one batch and its gates; stop ends the run', async () => {
  const { runId } = startSequence({ ...memory, cell: 'gru', epochs: 20, paused: true }, ctx);
  const zero = await until('sequence.gates', (g) => g.runId === runId);
  assert.equal(zero.step, 0);
  assert.deepEqual(zero.traces[0].names, ['reset', 'update', 'new', 'h']);
  assert.deepEqual(controlSequence('step', 1, ctx), { state: 'paused' });
  const b = await until('sequence.batch', (e) => e.runId === runId);
  assert.deepEqual([b.epoch, b.batch, b.step], [1, 1, 1]);
  const g = await until('sequence.gates', (e) => e.runId === runId && e.step === 1);
  assert.notDeepEqual(g.traces[0].matrices[1], zero.traces[0].matrices[1], 'one step changes the update gate');
  assert.equal(of('sequence.batch', runId).length, 1, 'paused: nothing more runs');
  controlSequence('stop', undefined, ctx);
  const done = await until('sequence.done', (d) => d.runId === runId);
  assert.equal(done.reason, 'stopped');
  assert.deepEqual(of('sequence.state', runId).map((s) => s.state), ['paused', 'paused', 'stopped', 'stopped']);
  assert.throws(() => controlSequence('resume', undefined, ctx), /no sequence run/);
});

test('time-delay network: the tanh outputs over time; adding problem is a regression', async () => {
  const { runId, kind, classes } = startSequence({ ...memory, task: 'adding', cell: 'tdnn', layers: 2, kernel: 3, epochs: 1, series: { n: 32, steps: 10 } }, ctx);
  assert.deepEqual([kind, classes], ['regress', []]);
  await until('sequence.done', (d) => d.runId === runId);
  const g = of('sequence.gates', runId).at(-1)!;
  assert.deepEqual(g.traces.map((t) => [t.layer, t.names[0], t.steps, t.units]), [['1 conv1d', 'tanh', 8, 4], ['3 conv1d', 'tanh', 4, 4]]);
  assert.equal(g.label, -1);
  assert.ok(g.target !== null && g.target > 0 && g.target < 2);
  assert.equal(g.output.length, 1);
});

test('image rows need a loaded folder; with one, 12 steps of 12 features', async () => {
  workspace.set(null);
  assert.throws(() => startSequence({ ...memory, task: 'rows' }, ctx), /no folder is loaded/);
  const S = 12;
  const n = 24;
  const rng = new Rng(1);
  const pixels = Uint8Array.from({ length: n * S * S }, () => Math.floor(rng.next() * 256));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const set = { n, channels: 1, height: S, width: S, pixels, labels, classes: ['a', 'b'], paths: [] as string[] };
  const split = { train: Int32Array.from({ length: 18 }, (_, i) => i), val: Int32Array.from({ length: 6 }, (_, i) => 18 + i) };
  workspace.set({ result: { root: '/x', set, skipped: [], counts: [12, 12], unlabeled: 0, cacheHits: 0, cache: { file: null, written: false } }, split, summary: {} as DataSummary });
  const r = startSequence({ ...memory, task: 'rows', cell: 'rnn', epochs: 1 }, ctx);
  assert.deepEqual([r.steps, r.features, r.train, r.val, r.probe, r.classes], [12, 12, 18, 6, 6, ['a', 'b']]);
  const done = await until('sequence.done', (d) => d.runId === r.runId);
  assert.equal(done.reason, 'completed');
  const g = of('sequence.gates', r.runId).at(-1)!;
  assert.deepEqual(g.traces[0].names, ['h']);
  assert.equal(g.label, labels[18]);
  workspace.set(null);
});
