/**
 * The gan.* handlers: the 2-D toy GAN streams frames and can be stepped; an image GAN streams changing
 * sample grids and exports to a gan model file that reads back with the same generator.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../core/rng.js';
import { ganFromFile } from '../../io/gan.js';
import { latentGrid, toPixels } from '../../models/gan-latent.js';
import type { DataSummary, EngineEvent, Payload } from '../../protocol/contract.js';
import type { Context } from '../server.js';
import { workspace } from '../workspace.js';
import { GanRuns } from '../../session/gan-run.js';
import { RunRegistry } from '../../session/runs.js';
import type { GanConfig } from '../../protocol/gan.js';

const startGan = (cfg: GanConfig, c: Context) => workspace.gans.start(cfg, workspace.data?.result.set ?? null, c);
const controlGan = (action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined, c: Context) => workspace.gans.control(action, steps, c);
const exportGan = (path: string) => workspace.gans.export(path);
import { importModel } from './models.js';

const events: { event: EngineEvent; payload: unknown }[] = [];
let waiters: (() => void)[] = [];
const ctx: Context = {
  emit(event, payload) {
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

const base = { seed: 3, batchSize: 16, lrG: 1e-3, lrD: 1e-3 };

test('toy GAN: paused start sends the first frame, steps one at a time, then runs to the end', async () => {
  const { runId } = startGan({ mode: 'toy', ...base, toy: 'rings', steps: 40, paused: true }, ctx);
  assert.throws(() => startGan({ mode: 'toy', ...base, toy: 'rings', steps: 5 }, ctx), /in progress/);
  const first = await until('gan.frame', (f) => f.runId === runId);
  assert.equal(first.step, 0);
  assert.equal(first.dLoss, null);
  assert.equal(first.real.length, 512 * 2);
  assert.equal(first.surface.prob.length, 32 * 32);
  controlGan('step', 1, ctx);
  const one = await until('gan.frame', (f) => f.runId === runId && f.step === 1);
  assert.ok(one.dLoss !== null && one.dLoss > 0);
  assert.notDeepEqual(one.generated, first.generated, 'one step moves the generated cloud');
  controlGan('resume', undefined, ctx);
  const done = await until('gan.done', (d) => d.runId === runId);
  assert.equal(done.reason, 'completed');
  assert.equal(of('gan.frame', runId).at(-1)?.step, 40);
});

test('image GAN on the loaded folder: a grid before training, new grids as it trains, epochs, stop', async () => {
  const S = 12;
  const n = 32;
  const rng = new Rng(1);
  const pixels = Uint8Array.from({ length: n * S * S }, () => Math.floor(rng.next() * 256));
  const set = { n, channels: 1, height: S, width: S, pixels, labels: new Int32Array(n), classes: ['a'], paths: [] as string[] };
  workspace.set({ result: { root: '/x', set, skipped: [], counts: [n], unlabeled: 0, cacheHits: 0, cache: { file: null, written: false } }, split: { train: new Int32Array(0), val: new Int32Array(0) }, summary: {} as DataSummary });
  const { runId, stepsPerEpoch } = startGan({ mode: 'image', ...base, epochs: 2, latent: 8, width: 4, sampleEvery: 1, gridSize: 4 }, ctx);
  assert.equal(stepsPerEpoch, 2);
  const done = await until('gan.done', (d) => d.runId === runId);
  assert.equal(done.reason, 'completed');
  const grids = of('gan.samples', runId);
  assert.equal(grids[0].step, 0);
  assert.equal(grids[0].pixels.length, 4 * S * S);
  assert.ok(grids.length >= 5, `${grids.length} grids`);
  assert.notDeepEqual(grids.at(-1)?.pixels, grids[0].pixels, 'training changes the samples of the fixed codes');
  assert.deepEqual(of('gan.epoch', runId).map((e) => e.epoch), [1, 2]);
  const { runId: second } = startGan({ mode: 'image', ...base, epochs: 50, latent: 8, width: 4, paused: true }, ctx);
  controlGan('stop', undefined, ctx);
  assert.equal((await until('gan.done', (d) => d.runId === second)).reason, 'stopped');
});

test('image GAN export: two steps, the file reads back with the same generator and Adam states; a failed export keeps the file', async () => {
  const { runId } = startGan({ mode: 'image', ...base, seed: 5, epochs: 3, latent: 8, width: 4, sampleEvery: 1, gridSize: 4, paused: true }, ctx);
  controlGan('step', 2, ctx);
  const grid = await until('gan.samples', (g) => g.runId === runId && g.step === 2);
  const dir = await mkdtemp(join(tmpdir(), 'locus-gan-'));
  try {
    const path = join(dir, 'gan.json');
    const out = await exportGan(path);
    assert.equal(out.path, path);
    const text = await readFile(path, 'utf8');
    assert.equal(out.bytes, Buffer.byteLength(text));
    const loaded = ganFromFile(JSON.parse(text));
    assert.deepEqual(loaded.input, { channels: 1, height: 12, width: 12 });
    assert.equal(loaded.gan.latent, 8);
    assert.equal(loaded.training.seed, 5);
    assert.equal(loaded.training.history.length, 1, 'two steps of 16 over 32 images: one epoch');
    // The grid the run drew after step 2 is the loaded generator's output for the same latent codes.
    const z = latentGrid(8, 4, 5);
    assert.deepEqual(toPixels(loaded.gan.generate(z, new Rng(0)), loaded.normalization), grid.pixels);
    assert.ok(loaded.optimizers, 'optimizer states are saved so training can resume');
    assert.equal(loaded.optimizers.generator.getState().t, 2);
    assert.equal(loaded.optimizers.discriminator.getState().t, 2);

    // The Models view opens it beside the current classifier, saying what it is.
    const opened = await importModel(path, ctx);
    assert.equal(opened.kind, 'gan');
    assert.match(opened.about?.what ?? '', /^a GAN making 12×12 greyscale images from 8 latent values/);
    assert.equal(opened.epochs, 1);
    assert.equal(opened.hasOptimizer, true);

    controlGan('step', 1, ctx);
    await until('gan.samples', (g) => g.runId === runId && g.step === 3);
    await assert.rejects(exportGan(join(dir, 'missing-folder', 'gan.json')), /cannot write the file/);
    assert.equal(await readFile(path, 'utf8'), text, 'the earlier file is untouched');
    controlGan('stop', undefined, ctx);
    await until('gan.done', (d) => d.runId === runId);
    await exportGan(path);
    const later = await readFile(path, 'utf8');
    assert.notEqual(later, text, 'a finished run still exports, with its later weights');

    // A toy run after it does not take the image GAN away: it still exports, unchanged.
    const { runId: toy } = startGan({ mode: 'toy', ...base, toy: 'moons', steps: 2 }, ctx);
    await until('gan.done', (d) => d.runId === toy);
    await exportGan(path);
    const model = (text: string) => (JSON.parse(text) as { model: unknown }).model;
    assert.deepEqual(model(await readFile(path, 'utf8')), model(later), 'the same image GAN (only the export time differs)');
    const exported = await readFile(path, 'utf8');
    // Both runs are in the registry; the image GAN's model is saved with its run.
    const image = workspace.runs.get(runId);
    assert.equal(image.summary.kind, 'gan');
    assert.equal(image.summary.hasModel, true);
    assert.equal((await workspace.runs.model(runId)).kind, 'gan');
    assert.equal(workspace.runs.get(toy).summary.hasModel, false);
    assert.ok(workspace.runs.get(toy).history.length >= 1);

    // With only a toy run there is nothing to export, and the refusal says why; the file stays.
    const alone = new GanRuns(new RunRegistry({ dir: null, origin: 'app' }));
    const t = alone.start({ mode: 'toy', ...base, toy: 'moons', steps: 2 }, null, ctx);
    await until('gan.done', (d) => d.runId === t.runId);
    await assert.rejects(alone.export(path), /2-D toy GAN is not a model-file kind/);
    assert.equal(await readFile(path, 'utf8'), exported);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
