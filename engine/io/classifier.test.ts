import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { batch, CLASSES, INPUT, sampleFile, SPEC, train, trained } from './fixture.js';
import { classifierFromFile, classifierToFile, namedTensors, parseModel, readModelFile, writeModelFile } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-io-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('tensor names follow the layer path, in the order of Sequential.params() and buffers()', () => {
  const { model } = trained(0);
  const { params, buffers } = namedTensors(model.layers);
  assert.deepEqual(params.map((p) => p.name), ['0.weight', '0.bias', '1.gamma', '2.0.weight', '2.0.bias', '2.1.weight', '2.1.bias']);
  assert.deepEqual(buffers.map((b) => b.name), ['1.runningMean']);
  assert.deepEqual(params.map((p) => p.item), model.params(), 'same objects, same order');
  assert.deepEqual(buffers.map((b) => b.item), model.buffers());
});

test('export, write, read, import: identical weights, buffers and predictions (bit for bit)', async () => {
  const { model, opt } = trained();
  const file = classifierToFile({
    model,
    classes: CLASSES,
    input: INPUT,
    normalization: { kind: 'unit' },
    training: { seed: 11, settings: { epochs: 1 }, history: [{ epoch: 1, trainLoss: 0.5 }] },
    optimizer: opt,
  });
  const path = join(dir, 'round.locus.json');
  await writeModelFile(path, file);
  const loaded = classifierFromFile(await readModelFile(path));

  const x = batch(99);
  assert.equal(bits(loaded.model.predict(x, new Rng(0)).data), bits(model.predict(x, new Rng(0)).data));
  assert.deepEqual(loaded.model.params().map((p) => bits(p.value)), model.params().map((p) => bits(p.value)));
  assert.deepEqual(loaded.model.buffers().map((b) => bits(b.value)), model.buffers().map((b) => bits(b.value)));
  assert.ok(loaded.model.buffers()[0].value.some((v) => v !== 0), 'the running mean was trained, not zero');
  assert.deepEqual(loaded.model.spec(), model.spec());
  assert.deepEqual(loaded.classes, CLASSES);
  assert.deepEqual(loaded.input, INPUT);
  assert.deepEqual(loaded.normalization, { kind: 'unit' });
  assert.deepEqual(loaded.training, { seed: 11, settings: { epochs: 1 }, history: [{ epoch: 1, trainLoss: 0.5 }] });
  assert.equal(loaded.createdAt, file.createdAt);
});

test('the file records the envelope, the metadata and JSON-safe training history', () => {
  const f = sampleFile();
  assert.equal(f.format, 'locus-model');
  assert.equal(f.version, 1);
  assert.equal(f.kind, 'classifier');
  assert.match(f.locusVersion, /^\d+\.\d+\.\d+/);
  assert.equal(f.createdAt, '2025-01-31T12:00:00.000Z');
  assert.deepEqual(f.model.architecture, { input: [1, 2, 3], layers: [{ type: 'testAffine', units: 5 }, { type: 'testShift', momentum: 0.9 }, { type: 'testPair', units: 3 }] });
  assert.deepEqual(Object.keys(f.model.params), ['0.weight', '0.bias', '1.gamma', '2.0.weight', '2.0.bias', '2.1.weight', '2.1.bias']);
  assert.deepEqual(f.model.params['0.bias'].shape, [5]);
  assert.equal(f.model.params['0.bias'].data.length, 28, '5 floats = 20 bytes = 28 base64 characters');
  assert.deepEqual(f.model.training.settings, { epochs: 3, batchSize: 4, optimizer: { type: 'adam', lr: 0.01 } }, 'undefined dropped');
  assert.deepEqual(f.model.training.history[1], { epoch: 2, trainLoss: 1.25, valLoss: null }, 'NaN metric saved as null');
  assert.equal(f.model.optimizer?.t, 3);
  assert.deepEqual(Object.keys(f.model.optimizer!.slots).sort(), ['m', 'v']);
  // Text round trip through the checks.
  assert.deepEqual(parseModel(JSON.stringify(f)), f);
});

test('the tensor encoding is little-endian float32 in base64, documented and exact', () => {
  const f = sampleFile();
  const t = f.model.params['1.gamma'];
  const bytes = Buffer.from(t.data, 'base64');
  const { model } = trained();
  const gamma = model.params()[2].value;
  for (let i = 0; i < gamma.length; i++) assert.equal(bytes.readFloatLE(i * 4), gamma[i]);
});

test('a run resumed from the file continues exactly like the uninterrupted run', async () => {
  const straight = trained(3);
  train(straight.model, straight.opt, straight.rng, 4);

  const first = trained(3);
  const path = join(dir, 'resume.locus.json');
  await writeModelFile(path, classifierToFile({ model: first.model, classes: CLASSES, input: INPUT, normalization: { kind: 'unit' }, training: { seed: 11, settings: {}, history: [] }, optimizer: first.opt }));
  const loaded = classifierFromFile(await readModelFile(path));
  assert.ok(loaded.optimizer);
  assert.equal(loaded.optimizer.lr, 0.01);
  // The data stream (the trainer's own rng) is resumed by the trainer; here it continues from first.rng.
  train(loaded.model, loaded.optimizer, first.rng, 4);
  assert.deepEqual(loaded.model.params().map((p) => bits(p.value)), straight.model.params().map((p) => bits(p.value)));
  assert.deepEqual(loaded.model.buffers().map((p) => bits(p.value)), straight.model.buffers().map((p) => bits(p.value)));
  assert.deepEqual(loaded.optimizer.getState(), straight.opt.getState());
});

test('pruning masks are saved and restored; pruned weights stay 0 when training resumes', async () => {
  const { model, opt, rng } = trained(2);
  const w = model.params()[0];
  const mask = new Uint8Array(w.value.length).fill(1);
  for (let j = 0; j < mask.length; j += 3) {
    mask[j] = 0;
    w.value[j] = 0;
  }
  w.mask = mask;
  const path = join(dir, 'masked.locus.json');
  await writeModelFile(path, classifierToFile({ model, classes: CLASSES, input: INPUT, normalization: { kind: 'unit' }, training: { seed: 11, settings: {}, history: [] }, optimizer: opt }));
  const loaded = classifierFromFile(await readModelFile(path));
  const lw = loaded.model.params()[0];
  assert.deepEqual(lw.mask, mask);
  train(loaded.model, loaded.optimizer!, rng, 3);
  for (let j = 0; j < mask.length; j += 3) assert.ok(Object.is(lw.value[j], 0));
  assert.equal(loaded.model.params()[1].mask, undefined, 'unmasked params get no mask');
});

test('a file without optimizer state loads with optimizer null; one never stepped restores t = 0', () => {
  assert.equal(classifierFromFile(sampleFile(false)).optimizer, null);
  const { model } = trained(0);
  const f = classifierToFile({
    model, classes: CLASSES, input: INPUT, normalization: { kind: 'unit' }, training: { seed: 1, settings: {}, history: [] },
    optimizer: trained(0).opt,
  });
  assert.deepEqual(f.model.optimizer?.slots, { m: {}, v: {} });
  assert.equal(classifierFromFile(parseModel(JSON.stringify(f))).optimizer?.getState().t, 0);
});

test('export refuses what JSON cannot hold in the training settings', () => {
  const { model } = trained(0);
  const base = { model, classes: CLASSES, input: INPUT, normalization: { kind: 'unit' } as const };
  assert.throws(() => classifierToFile({ ...base, training: { seed: 1, settings: { lr: Infinity }, history: [] } }), /training.settings.lr is Infinity/);
  assert.throws(() => classifierToFile({ ...base, training: { seed: 1, settings: { f: () => 1 }, history: [] } }), /is a function/);
  assert.throws(() => classifierToFile({ ...base, training: { seed: 1, settings: { a: new Float32Array(2) }, history: [] } }), /Float32Array, not a plain object/);
  assert.throws(() => classifierToFile({ ...base, training: { seed: 1, settings: {}, history: [{ loss: 1 }] } }), /needs an integer epoch/);
});

test('SPEC is what the fixture builds', () => {
  assert.equal(SPEC.layers.length, 3);
});
