/**
 * The Models view beyond classifiers (engine/session/model-files.ts through the models.* handlers): a
 * GAN or sequence file opened beside the current classifier and described; TensorFlow.js exports of
 * either (and of the classifier) that TensorFlow.js loads and that compute what Locus computes, with
 * the overwrite refusal; a dropped image's bytes classified exactly as the same file on disk; and
 * continuing a sequence model and a GAN from their files.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { Rng } from '../../core/rng.js';
import { tensor } from '../../core/tensor.js';
import { classifierToFile } from '../../io/classifier.js';
import { ganFromFile, ganToFile } from '../../io/gan.js';
import { readModelFile, writeModelFile } from '../../io/index.js';
import { sequenceFromFile } from '../../io/sequence.js';
import { folderHandler, maxAbsDiff, tf, tfPredict } from '../../io/tfjs-testkit.js';
import '../../layers/index.js';
import { Gan } from '../../models/gan.js';
import { dcganSpecs } from '../../models/gan-presets.js';
import { Sequential } from '../../models/sequential.js';
import { EVENTS, LabError, MAX_IMAGE_BYTES, METHODS, type DataSummary, type EngineEvent, type Payload } from '../../protocol/contract.js';
import type { SeqConfig } from '../../protocol/sequence.js';
import { modelStore } from '../../session/current-model.js';
import { openedStore, readToContinue } from '../../session/model-files.js';
import type { Context } from '../server.js';
import { workspace } from '../workspace.js';
import { exportExternal, importModel, predict } from './models.js';
import { ganHandlers } from './gan.js';
import { sequenceHandlers } from './sequence.js';

const dir = await mkdtemp(join(tmpdir(), 'locus-models-files-'));
after(() => rm(dir, { recursive: true, force: true }));

const events: { event: EngineEvent; payload: unknown }[] = [];
let waiters: (() => void)[] = [];
const ctx: Context = {
  emit(event, payload) {
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

/** A small classifier of 8x8 greyscale images into 3 classes, saved. */
async function classifierFile(): Promise<string> {
  const model = new Sequential({ input: [1, 8, 8], layers: [{ type: 'flatten' }, { type: 'dense', units: 5 }, { type: 'relu' }, { type: 'dense', units: 3 }] }, new Rng(7));
  const path = join(dir, 'classifier.locus.json');
  await writeModelFile(path, classifierToFile({ model, classes: ['a', 'b', 'c'], input: { channels: 1, height: 8, width: 8 }, normalization: { kind: 'unit' }, training: { seed: 7, settings: {}, history: [{ epoch: 1, trainLoss: 1, valAcc: 0.5 }] } }));
  return path;
}

/** A GAN making 8x8 greyscale images, saved without training (the file's contents matter, not its quality). */
async function ganFile(): Promise<string> {
  const gan = new Gan(dcganSpecs({ channels: 1, size: 8, latent: 6, width: 3 }), new Rng(21));
  const path = join(dir, 'gan.locus.json');
  await writeModelFile(path, ganToFile({ gan, normalization: { kind: 'symmetric' }, training: { seed: 21, settings: { epochs: 2, batchSize: 16, width: 3 }, history: [{ epoch: 1, dLoss: 1.3, gLoss: 0.8 }, { epoch: 2, dLoss: 1.2, gLoss: 0.9 }] } }));
  return path;
}

const memory: SeqConfig = { task: 'memory', cell: 'lstm', units: 4, layers: 1, epochs: 2, batchSize: 16, lr: 0.02, clipNorm: 1, seed: 3, series: { n: 128, steps: 6 }, probe: 4 };

/** A sequence run trained and exported through the handlers: the file's path. */
async function sequenceFile(name: string, cfg: SeqConfig = memory): Promise<{ path: string; runId: string }> {
  const { runId } = await sequenceHandlers['sequence.start'](cfg, ctx);
  const done = await until('sequence.done', (d) => d.runId === runId);
  assert.equal(done.reason, 'completed', done.message);
  const path = join(dir, name);
  await sequenceHandlers['sequence.export']({ path });
  return { path, runId };
}

test('a GAN or sequence file opens beside the current classifier, described in words; a damaged one is refused with the reason', async () => {
  const cls = await importModel(await classifierFile(), ctx);
  assert.equal(cls.kind, 'classifier');
  const gan = await importModel(await ganFile(), ctx);
  assert.equal(gan.kind, 'gan');
  assert.deepEqual(gan.input, { channels: 1, height: 8, width: 8 });
  assert.match(gan.about?.what ?? '', /^a GAN making 8×8 greyscale images from 6 latent values: a generator of [\d,]+ and a discriminator of [\d,]+ parameters$/);
  assert.match(gan.about?.data ?? '', /8×8 greyscale images scaled to \[-1, 1\]; 2 epochs in batches of 16, seed 21/);
  const loaded = ganFromFile(await readModelFile(join(dir, 'gan.locus.json')));
  const count = (n: Sequential) => n.params().reduce((a, p) => a + p.value.length, 0);
  assert.equal(gan.params, count(loaded.gan.generator) + count(loaded.gan.discriminator));
  assert.equal(gan.layers.length, loaded.gan.generator.layers.length);
  assert.equal(gan.about?.discriminator?.length, loaded.gan.discriminator.layers.length);
  assert.equal(gan.epochs, 2);
  assert.equal(gan.hasOptimizer, false);
  assert.equal(modelStore.get()?.classes.join(), 'a,b,c', 'the classifier stays the current model');
  assert.equal(openedStore.get()?.info.kind, 'gan');

  const { path: seqPath } = await sequenceFile('memory.locus.json');
  const seq = await importModel(seqPath, ctx);
  assert.equal(seq.kind, 'sequence');
  assert.equal(seq.about?.task, 'memory');
  assert.deepEqual(seq.input, { channels: 1, height: 6, width: 3 }, '6 steps of 3 features (2 classes + the marker)');
  assert.deepEqual(seq.classes.length, 2);
  assert.match(seq.about?.what ?? '', /^a sequence model \(LSTM\) that classifies into 2 classes from 6 steps of 3 features$/);
  assert.match(seq.about?.data ?? '', /generated "memory" series of 6 steps .*128 sequences; seed 3/);
  assert.equal(seq.epochs, 2);
  assert.equal(seq.history.length, 2);
  assert.equal(seq.hasOptimizer, true);

  // A tensor cut short: refused with the tensor named; the opened model is still the last good one.
  const bad = JSON.parse(await readFile(join(dir, 'gan.locus.json'), 'utf8'));
  const [name, t] = Object.entries(bad.model.generator.params as Record<string, { data: string }>)[0];
  t.data = t.data.slice(0, 8);
  await writeFile(join(dir, 'bad-gan.locus.json'), JSON.stringify(bad));
  await assert.rejects(importModel(join(dir, 'bad-gan.locus.json'), ctx), (e: LabError) => e.message.includes('bad-gan.locus.json') && e.message.includes(name));
  assert.equal(openedStore.get()?.info.kind, 'sequence');
});

test('TensorFlow.js export from the Models view: the opened GAN generator, the sequence model and the classifier load in TensorFlow.js and compute what Locus computes', async () => {
  await importModel(join(dir, 'classifier.locus.json'), ctx);
  // The classifier.
  const cOut = join(dir, 'classifier-tfjs');
  const c = await exportExternal(cOut, 'tfjs', false, 'current');
  assert.equal(c.format, 'tfjs');
  assert.equal(c.files, 2);
  const cm = await tf.loadLayersModel(folderHandler(cOut));
  const loadedC = modelStore.get()!.model;
  const x = tensor([2, 1, 8, 8], Float32Array.from({ length: 128 }, (_, i) => Math.sin(i)));
  assert.ok(maxAbsDiff(tfPredict(cm, x).data, loadedC.predict(x, new Rng(0)).data) < 1e-4);
  const meta = JSON.parse(await readFile(join(cOut, 'model.json'), 'utf8'));
  assert.equal(meta.format, 'layers-model');
  assert.equal(meta.userDefinedMetadata.locus.kind, 'classifier');

  // The GAN's generator: latent codes in, images out.
  await importModel(join(dir, 'gan.locus.json'), ctx);
  const gOut = join(dir, 'gan-tfjs');
  await exportExternal(gOut, 'tfjs', false, 'opened');
  const gm = await tf.loadLayersModel(folderHandler(gOut));
  const g = ganFromFile(await readModelFile(join(dir, 'gan.locus.json')));
  const z = g.gan.sampleLatent(3, new Rng(4));
  const ours = g.gan.generate(z, new Rng(0));
  const theirs = gm.predict(tf.tensor(z.data, [...z.shape])) as import('@tensorflow/tfjs').Tensor;
  assert.deepEqual(theirs.shape, [3, 8, 8, 1], 'NHWC images');
  const nhwc = await theirs.data();
  let worst = 0;
  for (let i = 0; i < 3 * 64; i++) worst = Math.max(worst, Math.abs(nhwc[i] - ours.data[i]));
  assert.ok(worst < 1e-4, `generator differs by ${worst}`);
  assert.equal(JSON.parse(await readFile(join(gOut, 'model.json'), 'utf8')).userDefinedMetadata.locus.kind, 'gan-generator');

  // The sequence model.
  await importModel(join(dir, 'memory.locus.json'), ctx);
  const sOut = join(dir, 'seq-tfjs');
  await exportExternal(sOut, 'tfjs', false, 'opened');
  const sm = await tf.loadLayersModel(folderHandler(sOut));
  const s = sequenceFromFile(await readModelFile(join(dir, 'memory.locus.json')));
  const xs = tensor([2, 6, 3], Float32Array.from({ length: 36 }, (_, i) => Math.cos(i)));
  assert.ok(maxAbsDiff(tfPredict(sm, xs).data, s.model.predict(xs, new Rng(0)).data) < 1e-4);

  // An earlier Locus export is replaced; a folder with other files is not, unless the user confirms.
  await exportExternal(sOut, 'tfjs', false, 'opened');
  const other = join(dir, 'project');
  await mkdir(other);
  await writeFile(join(other, 'notes.txt'), 'mine');
  await assert.rejects(exportExternal(other, 'tfjs', false, 'opened'), (e: LabError) => e.code === 'exists' && /not replaced/.test(e.message));
  assert.equal(await readFile(join(other, 'notes.txt'), 'utf8'), 'mine');
  await exportExternal(other, 'tfjs', true, 'opened');
  await tf.loadLayersModel(folderHandler(other));
  // A file where a folder goes: refused with the reason.
  await assert.rejects(exportExternal(join(other, 'notes.txt'), 'tfjs', true, 'opened'), /is a file; the TensorFlow.js export writes a folder/);
});

test('a dropped image arrives as bytes: classified exactly as the same file on disk; what is not an image is refused with the reason', async () => {
  await importModel(join(dir, 'classifier.locus.json'), ctx);
  const png = join(dir, 'shoe.png');
  const raw = Buffer.from(Array.from({ length: 20 * 14 * 3 }, (_, i) => (i * 37) % 256));
  await sharp(raw, { raw: { width: 20, height: 14, channels: 3 } }).png().toFile(png);
  const byPath = await predict(png, undefined);
  const byBytes = await predict(undefined, undefined, { bytes: new Uint8Array(await readFile(png)), name: 'shoe.png' });
  assert.deepEqual(byBytes.image.pixels, byPath.image.pixels, 'the same decoding, resizing and grey conversion');
  assert.deepEqual(byBytes.top, byPath.top);
  assert.equal(byBytes.top.length, 3);
  assert.ok(Math.abs(byBytes.top.reduce((a, t) => a + t.probability, 0) - 1) < 1e-5);
  await assert.rejects(predict(undefined, undefined, { bytes: new TextEncoder().encode('hello, not a picture'), name: 'notes.png' }), (e: LabError) => e.code === 'invalid' && /notes\.png: not an image: text file \(despite the \.png name\)/.test(e.message));
  await assert.rejects(predict(undefined, undefined, { bytes: new Uint8Array(0), name: 'empty.png' }), /empty file/);
  const cut = new Uint8Array(await readFile(png)).slice(0, 60);
  await assert.rejects(predict(undefined, undefined, { bytes: cut, name: 'cut.png' }), /cut\.png: corrupt or truncated PNG/);
  await assert.rejects(predict(png, undefined, { bytes: cut, name: 'x' }), /give one of/);
  // The contract bounds the bytes before they reach the engine.
  const check = (p: unknown) => METHODS['models.predict'].params.check(p);
  assert.equal(check({ bytes: new Uint8Array(10), name: 'a.png' }), null);
  assert.match(check({ bytes: new Uint8Array(MAX_IMAGE_BYTES + 1) }) ?? '', /longer than/);
  assert.match(check({ bytes: 'aGVsbG8=' }) ?? '', /Uint8Array/);
});

test('continue training a sequence model from its file: its weights and optimizer go on, its epochs come first; a file of another task or kind is refused', async () => {
  const fresh = await sequenceFile('fresh.locus.json', { ...memory, epochs: 1, seed: 9 });
  const first = sequenceFromFile(await readModelFile(fresh.path));
  const { runId } = await sequenceHandlers['sequence.start']({ ...memory, epochs: 2, seed: 9, model: fresh.path }, ctx);
  const firstEpoch = await until('sequence.epoch', (e) => e.runId === runId);
  const done = await until('sequence.done', (d) => d.runId === runId);
  assert.equal(done.reason, 'completed', done.message);
  const out = join(dir, 'continued.locus.json');
  await sequenceHandlers['sequence.export']({ path: out });
  const cont = sequenceFromFile(await readModelFile(out));
  assert.equal(cont.training.history.length, 3, '1 epoch from the file and 2 from this run');
  assert.deepEqual(cont.training.history.map((h) => h.epoch), [1, 2, 3]);
  assert.deepEqual(cont.training.history[0], first.training.history[0]);
  assert.equal(cont.training.settings.continuedEpochs, 1);
  assert.equal(cont.optimizer!.getState().t, (first.optimizer!.getState().t as number) * 3, 'Adam counts on from the saved state');
  // It started from the file's weights, not new ones: a new network's first epoch of the same data is worse.
  const { runId: newId } = await sequenceHandlers['sequence.start']({ ...memory, epochs: 1, seed: 9 }, ctx);
  const newEpoch = await until('sequence.epoch', (e) => e.runId === newId);
  await until('sequence.done', (d) => d.runId === newId);
  assert.ok(firstEpoch.metrics.trainLoss! < newEpoch.metrics.trainLoss!, `${firstEpoch.metrics.trainLoss} < ${newEpoch.metrics.trainLoss}`);

  await assert.rejects(sequenceHandlers['sequence.start']({ ...memory, task: 'sines', model: fresh.path }, ctx), /trained on "memory" series; continue it on that task/);
  await assert.rejects(readToContinue(join(dir, 'gan.locus.json'), 'sequence'), (e: LabError) => e.code === 'invalid' && /this is a "gan" model; only a "sequence" model continues here/.test(e.message));
  await assert.rejects(readToContinue(join(dir, 'nothing.json'), 'sequence'), /cannot continue training from it: .*nothing\.json/);
});

test('continue training a GAN from its file on the loaded folder: the file\'s networks train on; a folder of another size is refused', async () => {
  const S = 8;
  const n = 24;
  const rng = new Rng(2);
  const set = { n, channels: 1, height: S, width: S, pixels: Uint8Array.from({ length: n * S * S }, () => Math.floor(rng.next() * 256)), labels: new Int32Array(n), classes: ['a'], paths: [] as string[] };
  workspace.set({ result: { root: '/x', set, skipped: [], counts: [n], unlabeled: 0, cacheHits: 0, cache: { file: null, written: false } }, split: { train: new Int32Array(0), val: new Int32Array(0) }, summary: {} as DataSummary });
  const path = join(dir, 'gan.locus.json');
  const before = ganFromFile(await readModelFile(path));
  const base = { seed: 1, batchSize: 8, lrG: 2e-4, lrD: 2e-4 };
  const { runId } = await ganHandlers['gan.start']({ mode: 'image', ...base, epochs: 1, model: path, gridSize: 4 }, ctx);
  const done = await until('gan.done', (d) => d.runId === runId);
  assert.equal(done.reason, 'completed', done.message);
  const out = join(dir, 'gan-continued.locus.json');
  await ganHandlers['gan.export']({ path: out });
  const after = ganFromFile(await readModelFile(out));
  assert.equal(after.gan.latent, 6, 'the latent size is the file\'s, not the form\'s default');
  assert.deepEqual(after.training.history.map((h) => h.epoch), [1, 2, 3]);
  assert.equal(after.training.history[0].dLoss, 1.3);
  // The generator was the file's: its architecture (width 3) and weights moved from the file's by training.
  assert.deepEqual(after.gan.generator.spec(), before.gan.generator.spec());
  assert.notDeepEqual(after.gan.generator.params()[0].value, before.gan.generator.params()[0].value);
  const fresh = new Gan(dcganSpecs({ channels: 1, size: 8, latent: 6, width: 3 }), new Rng(1));
  assert.notDeepEqual(after.gan.generator.params()[0].value, fresh.generator.params()[0].value);

  const big = { ...set, height: 12, width: 12, pixels: new Uint8Array(n * 144) };
  workspace.set({ result: { root: '/x', set: big, skipped: [], counts: [n], unlabeled: 0, cacheHits: 0, cache: { file: null, written: false } }, split: { train: new Int32Array(0), val: new Int32Array(0) }, summary: {} as DataSummary });
  await assert.rejects(ganHandlers['gan.start']({ mode: 'image', ...base, epochs: 1, model: path }, ctx), /the GAN makes 8x8 greyscale images; load the folder at that size/);
  await assert.rejects(ganHandlers['gan.start']({ mode: 'image', ...base, epochs: 1, model: join(dir, 'memory.locus.json') }, ctx), /this is a "sequence" model; only a "gan" model continues here/);
});
