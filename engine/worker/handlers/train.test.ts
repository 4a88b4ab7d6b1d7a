/**
 * The train.* and models.* handlers on a small generated image set held in the workspace: a run to the
 * end with its events, pause and single steps, export / import round trip, refusals, inspection.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../../core/rng.js';
import type { ImageSet } from '../../data/folder.js';
import type { DataSummary, EngineEvent, Payload, TrainConfig } from '../../protocol/contract.js';
import type { Context } from '../server.js';
import { workspace } from '../workspace.js';
import { runLabel } from '../../protocol/runs.js';
import { evaluateModel, exportModel, importModel, predict } from './models.js';
import { describe } from './train.js';
import { inspectImage } from './train-inspect.js';

const startRun = (cfg: TrainConfig, c: Context) => workspace.classifiers.start(cfg, workspace.runData(), c);
const controlRun = (action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined) => workspace.classifiers.control(action, steps);
const runStatus = () => workspace.classifiers.status();
const pruneRun = (fraction: number, units: boolean) => workspace.classifiers.prune(fraction, units);

type Ev = { event: EngineEvent; payload: unknown };
const events: Ev[] = [];
let waiters: (() => void)[] = [];
const ctx: Context = {
  emit(event, payload) {
    events.push({ event, payload });
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  },
};
async function until<E extends EngineEvent>(event: E, pred: (p: Payload<E>) => boolean = () => true): Promise<Payload<E>> {
  for (;;) {
    const hit = events.find((e) => e.event === event && pred(e.payload as Payload<E>));
    if (hit) return hit.payload as Payload<E>;
    await new Promise<void>((r) => waiters.push(r));
  }
}
const of = <E extends EngineEvent>(event: E, runId: string): Payload<E>[] =>
  events.filter((e) => e.event === event && (e.payload as { runId?: string }).runId === runId).map((e) => e.payload as Payload<E>);

const S = 12;
let dir = '';

/** Two classes told apart by which half of a 12x12 image is bright, plus noise. */
function makeSet(n: number): ImageSet {
  const rng = new Rng(3);
  const pixels = new Uint8Array(n * S * S);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    labels[k] = k % 2;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const lit = (x < S / 2) === (labels[k] === 0);
        pixels[k * S * S + y * S + x] = Math.min(255, (lit ? 170 : 40) + Math.floor(rng.next() * 60));
      }
    }
  }
  return { n, channels: 1, height: S, width: S, pixels, labels, classes: ['left', 'right'], paths: Array.from({ length: n }, (_, k) => `/x/${labels[k] ? 'right' : 'left'}/${k}.png`) };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-train-'));
  const set = makeSet(48);
  const val = Int32Array.from({ length: 12 }, (_, i) => i * 4);
  const train = Int32Array.from({ length: 48 }, (_, i) => i).filter((i) => i % 4 !== 0);
  const summary = { root: '/x', name: 'x', n: 48, split: { valFraction: 0.25 } } as unknown as DataSummary;
  workspace.set({ result: { root: '/x', set, skipped: [], counts: [24, 24], unlabeled: 0, cacheHits: 0, cache: { file: null, written: false } }, split: { train, val }, summary });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base: TrainConfig = {
  architecture: { preset: 'mlp' },
  optimizer: { type: 'adam', lr: 0.01 },
  epochs: 3,
  batchSize: 8,
  seed: 5,
};

test('describe: lenet5 layers with output shapes and parameter counts for the loaded folder', () => {
  const d = describe({ preset: 'lenet5' });
  assert.deepEqual(d.input, [1, S, S]);
  assert.deepEqual(d.layers[0].outputShape, [6, S, S]);
  assert.equal(d.layers[0].params, 6 * 25 + 6);
  assert.deepEqual(d.layers.at(-1)?.outputShape, [2]);
  assert.equal(d.params, d.layers.reduce((a, l) => a + l.params, 0));
  assert.ok(d.presets.includes('mlp'));
  assert.throws(() => describe({ layers: [{ type: 'flatten' }, { type: 'dense', units: 3 }] }), /2 classes/);
  assert.throws(() => describe({ layers: [{ type: 'nope' }] }), /unknown layer type "nope"/);
});

test('a run streams batches, per-layer gradient norms and epochs, then ends with a confusion matrix', async () => {
  const { runId, train, val } = startRun(base, ctx);
  assert.deepEqual([train, val], [36, 12]);
  const done = await until('train.done', (p) => p.runId === runId);
  assert.equal(done.reason, 'completed');
  const epochs = of('train.epoch', runId).map((e) => e.metrics);
  assert.deepEqual(epochs.map((m) => m.epoch), [1, 2, 3]);
  assert.ok(epochs[2].trainAcc! > 0.9, `train accuracy ${epochs[2].trainAcc}`);
  const layers = of('train.layers', runId);
  assert.ok(layers.length >= 3);
  assert.deepEqual(layers[0].layers, ['2 dense', '4 dense', '6 dense']);
  for (const l of layers) assert.ok(l.gradNorm.length === 3 && l.gradNorm.every((g) => g >= 0 && Number.isFinite(g)), JSON.stringify(l));
  assert.ok(layers[0].gradNorm.every((g) => g > 0), "the first batches have gradients in every layer");
  assert.ok(layers[0].updateRatio.every((u) => u > 0 && u < 1), `update ratios ${layers[0].updateRatio.join(', ')}`);
  assert.ok(layers[0].activations.some((a) => a.name === '3 relu' && a.dead !== null));
  const total = done.confusion!.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, 12);
  assert.equal(done.confusion![0][0] + done.confusion![1][1], Math.round(epochs[2].valAcc! * 12));
  // One source for the figures: the done event, the registry and the confusion matrix agree.
  assert.equal(done.figures.valAcc, (done.confusion![0][0] + done.confusion![1][1]) / 12);
  assert.equal(workspace.runs.get(runId).summary.figures.valAcc, done.figures.valAcc);
  assert.equal(runStatus()?.state, 'stopped');
  assert.ok(events.some((e) => e.event === 'models.changed'));
});

test('a paused run runs exactly the steps asked for, emits every stepped batch, and stops', async () => {
  const { runId } = startRun({ ...base, paused: true }, ctx);
  assert.throws(() => startRun(base, ctx), /in progress/);
  controlRun('step', 2);
  await until('train.batch', (p) => p.runId === runId && p.step === 2);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(of('train.batch', runId).map((b) => b.step), [1, 2]);
  controlRun('stop', undefined);
  const done = await until('train.done', (p) => p.runId === runId);
  assert.equal(done.reason, 'stopped');
});

test('export, import and predict give the same probabilities; continuing keeps the epoch count going', async () => {
  startRun(base, ctx);
  const done = await until('train.done', (p) => p.runId === runStatus()!.runId);
  assert.equal(done.reason, 'completed');
  const file = join(dir, 'm.json');
  const { bytes } = await exportModel(file, ctx);
  assert.ok(bytes > 1000);
  const before = await predict(undefined, 5);
  const info = await importModel(file, ctx);
  assert.equal(info.source, 'imported');
  assert.equal(info.epochs, 3);
  assert.equal(info.hasOptimizer, true);
  const after = await predict(undefined, 5);
  assert.deepEqual(after.top, before.top);
  assert.equal(after.label, 1);
  const ev = evaluateModel('val');
  assert.equal(ev.n, 12);
  const { runId } = startRun({ ...base, epochs: 1, resume: true }, ctx);
  await until('train.done', (p) => p.runId === runId);
  assert.deepEqual(of('train.epoch', runId).map((e) => e.metrics.epoch), [4]);
});

test('a tampered file is refused with the reason; a failed export leaves the earlier file whole', async () => {
  const file = join(dir, 'keep.json');
  await exportModel(file, ctx);
  const good = await readFile(file, 'utf8');
  const json = JSON.parse(good) as { model: { classes: string[] } };
  json.model.classes = ['left', 'left'];
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify(json));
  await assert.rejects(importModel(bad, ctx), (e: Error) => e.message.includes('bad.json') && e.message.includes('class "left" is listed twice'));
  await assert.rejects(exportModel(join(dir, 'missing-folder', 'x.json'), ctx), /cannot write the file/);
  assert.equal(await readFile(file, 'utf8'), good);
});

test('inspect: first-layer kernels and feature maps of a CNN for one image', async () => {
  const { runId } = startRun({ ...base, architecture: { preset: 'lenet5' }, epochs: 1 }, ctx);
  await until('train.done', (p) => p.runId === runId);
  const r = inspectImage(3);
  assert.deepEqual([r.filters?.count, r.filters?.channels, r.filters?.height], [6, 1, 5]);
  const relu = r.maps.find((m) => m.layer === '2 relu');
  assert.ok(relu, `maps at ${r.maps.map((m) => m.layer).join(', ')}`);
  assert.deepEqual([relu.maps.count, relu.maps.height, relu.maps.width], [6, S, S]);
  assert.ok(relu.maps.data.every((v) => v >= 0), 'maps after the ReLU are never negative');
  assert.equal(r.image.label, 1);
  assert.ok(Math.abs(r.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test('prune after a run: the share asked for is pruned and accuracy is reported before and after', async () => {
  const id = runStatus()!.runId;
  const r = await pruneRun(0.5, false);
  assert.equal(r.mode, 'edges');
  assert.ok(Math.abs(r.pruned / r.total - 0.5) < 0.01, `${r.pruned} of ${r.total}`);
  assert.ok(r.accuracyBefore !== null && r.accuracyAfter !== null);
  // The run's figures and confusion matrix are the pruned network's from now on.
  assert.equal(r.figures.valAcc, r.accuracyAfter);
  const diag = r.confusion![0][0] + r.confusion![1][1];
  assert.equal(diag, Math.round(r.accuracyAfter! * 12));
  const saved = workspace.runs.get(id);
  assert.equal(saved.summary.figures.valAcc, r.accuracyAfter);
  assert.deepEqual(saved.confusion, r.confusion);
  // Undo gives back the weights, the figures and the confusion matrix of before.
  assert.equal(r.undoable, 1);
  const u = await workspace.classifiers.unprune();
  assert.equal(u.figures.valAcc, r.accuracyBefore);
  assert.equal(workspace.runs.get(id).summary.figures.valAcc, r.accuracyBefore);
  assert.equal(evaluateModel('val').accuracy, r.accuracyBefore);
  assert.equal(u.undoable, 0);
  await assert.rejects(workspace.classifiers.unprune(), /no pruning to undo/);
});

test('a diverging run ends with the engine message: where it broke and a lower learning rate', async () => {
  const { runId } = startRun({ ...base, optimizer: { type: 'sgd', lr: 10 }, epochs: 5 }, ctx);
  const done = await until('train.done', (p) => p.runId === runId);
  assert.equal(done.reason, 'diverged', done.message);
  assert.match(done.message, /NaN or infinite/);
  assert.match(done.message, /try a lower learning rate \(now 10, e\.g\. 1\)/);
  assert.equal(done.confusion, null);
});

test('grow the trained model: the same accuracy, more parameters; continuing trains the grown network; undo puts the old one back', async () => {
  const { runId } = startRun({ ...base, epochs: 1 }, ctx);
  await until('train.done', (p) => p.runId === runId);
  const g = workspace.classifiers.grow({ layer: 2, units: 8 }, workspace.runData(), ctx);
  assert.equal(g.params.after - g.params.before, 8 * (S * S + 1) + 8 * 128, 'eight units: their incoming weights and biases, and their outgoing weights');
  assert.equal(g.accuracyAfter, g.accuracyBefore, 'growth does not change what the network computes');
  assert.equal(g.layers[1].outputShape[0], 256 + 8);
  assert.throws(() => workspace.classifiers.grow({ layer: 6, units: 2 }, workspace.runData(), ctx), /output layer/);
  assert.throws(() => workspace.classifiers.grow({ layer: 2 }, workspace.runData(), ctx), /needs the layer and how many units/);
  // Continuing trains the grown network with a new optimizer; its run's label says what it is.
  const cont = startRun({ ...base, epochs: 1, resume: true }, ctx);
  assert.equal(cont.params, g.params.after);
  await until('train.done', (p) => p.runId === cont.runId);
  assert.match(workspace.runs.get(cont.runId).summary.config.architecture ? JSON.stringify(workspace.runs.get(cont.runId).summary.config.architecture) : '', /"units":264/);
  assert.equal(workspace.runs.get(cont.runId).summary.parent, runId);
  // Undo brings back the model from before the growth.
  const u = workspace.classifiers.ungrow(ctx);
  assert.equal(u.params, g.params.before);
  assert.equal(u.undoable, 0);
  assert.throws(() => workspace.classifiers.ungrow(ctx), /no growth to undo/);
});

test('hints: a run with virtual examples (augment or penalty) trains, and its label says so', async () => {
  for (const mode of ['augment', 'penalty'] as const) {
    const { runId } = startRun({ ...base, epochs: 1, hints: { mode, weight: 0.5 } }, ctx);
    const done = await until('train.done', (p) => p.runId === runId);
    assert.equal(done.reason, 'completed', done.message);
    const s = workspace.runs.get(runId).summary;
    assert.deepEqual(s.config.hints, { mode, weight: 0.5 });
    assert.match(runLabel('classifier', s.config), new RegExp(`hints ${mode}`));
  }
});

test('train.describe on a 2-D toy set: a 2x1x1 input and the set\'s classes, no folder needed', () => {
  const d = describe({ preset: 'mlp', toyClasses: 3 });
  assert.deepEqual(d.input, [2, 1, 1]);
  assert.deepEqual(d.layers.at(-1)?.outputShape, [3]);
  assert.throws(() => describe({ preset: 'lenet5', toyClasses: 2 }), /pixels|small|size|at least/i);
});
