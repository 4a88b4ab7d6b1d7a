/**
 * The ONNX export, run by onnxruntime-web (WebAssembly backend) under Node: every classifier preset
 * and custom layer list, sequence models of every cell and a DCGAN generator give Locus's outputs to
 * 1e-5; Debian's python3-onnx checker (full check, with shape inference) accepts every file where it
 * is installed; the protobuf writer's encodings; `locus export --format onnx` end to end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run as exportCmd } from '../../cli/cmd-export.js';
import { Rng } from '../../core/rng.js';
import { reshape } from '../../core/tensor.js';
import { presetSpec } from '../../models/presets.js';
import { classifierFromFile } from '../classifier.js';
import { writeModelFile } from '../file.js';
import { ganFromFile } from '../gan.js';
import { sequenceFromFile } from '../sequence.js';
import { batchOf, CLASSIFIER_NETS, classifierFile, ganFile, SEQUENCE_NETS, sequenceFile } from '../pytorch/nets.js';
import { writeBytesAtomic } from '../pytorch/write.js';
import { exportOnnx, ONNX_OPSET } from './export.js';
import { attribute, varint } from './proto.js';
import { onnxCheck, onnxCheckerMissing, ortRun } from './testkit.js';

const tmp = mkdtempSync(join(tmpdir(), 'locus-onnx-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const written: string[] = [];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function assertSame(bytes: Uint8Array, x: { data: Float32Array; shape: readonly number[] }, want: Float32Array, wantShape: number[], label: string) {
  const path = join(tmp, `${written.length}.onnx`);
  writeFileSync(path, bytes);
  written.push(path);
  const got = await ortRun(bytes, x.data, x.shape);
  assert.deepEqual(got.shape, wantShape, `${label}: output shape`);
  const d = maxAbsDiff(got.data, want);
  assert.ok(d < 1e-5, `${label}: onnxruntime differs from Locus by ${d}`);
  const k = want.length / wantShape[0];
  assert.ok(maxAbsDiff(want.slice(0, k), want.slice(k, 2 * k)) > 1e-3, `${label}: outputs vary between samples`);
}

for (const [label, spec, image] of CLASSIFIER_NETS) {
  test(`onnxruntime runs the ONNX export of a classifier (${label}) as Locus does`, async () => {
    const file = JSON.parse(JSON.stringify(classifierFile(spec, { kind: 'unit' }, {}, image)));
    const e = exportOnnx(file);
    const x = batchOf(5, image ?? spec.input);
    const want = classifierFromFile(file).model.predict(reshape(x, [5, ...spec.input]), new Rng(0)).data;
    assert.deepEqual(e.input.shape, ['batch', ...(image ?? spec.input)]);
    await assertSame(e.bytes, x, want, [5, want.length / 5], label);
  });
}

for (const [label, spec] of SEQUENCE_NETS) {
  test(`onnxruntime runs the ONNX export of a sequence model (${label}) as Locus does`, async () => {
    const file = JSON.parse(JSON.stringify(sequenceFile(spec)));
    const e = exportOnnx(file);
    const x = batchOf(5, spec.input);
    const want = sequenceFromFile(file).model.predict(x, new Rng(0)).data;
    await assertSame(e.bytes, x, want, [5, 3], label);
  });
}

test('onnxruntime runs the ONNX export of a DCGAN generator as Locus does', async () => {
  const file = JSON.parse(JSON.stringify(ganFile()));
  const e = exportOnnx(file);
  assert.equal(e.metadata.kind, 'gan-generator');
  assert.equal(e.metadata.postprocess, 'p = (x + 1) * 127.5');
  const g = ganFromFile(file);
  const z = g.gan.sampleLatent(3, new Rng(5));
  await assertSame(e.bytes, z, g.gan.generate(z, new Rng(0)).data, [3, 1, 28, 28], 'DCGAN generator');
});

test('python3-onnx\'s checker (full check) accepts every exported file', { skip: onnxCheckerMissing() ?? false }, () => {
  assert.ok(written.length >= CLASSIFIER_NETS.length + SEQUENCE_NETS.length, 'the export tests ran first');
  const r = onnxCheck(written);
  assert.ok(r.ok, r.message);
});

test('the protobuf writer: varints (negative int64 as 10 bytes), attributes', () => {
  assert.deepEqual([...varint(1)], [1]);
  assert.deepEqual([...varint(300)], [0xac, 0x02]);
  assert.deepEqual([...varint(-1)], [255, 255, 255, 255, 255, 255, 255, 255, 255, 1]);
  // AttributeProto {name: "axis", i: -1, type: INT}
  assert.deepEqual([...attribute('axis', { i: -1 })], [0x0a, 4, 0x61, 0x78, 0x69, 0x73, 0x18, ...varint(-1), 0xa0, 0x01, 2]);
});

test('locus export --format onnx writes one file atomically; the metadata names classes, normalization and fit', async () => {
  const modelPath = join(tmp, 'lenet.json');
  await writeModelFile(modelPath, classifierFile(presetSpec('lenet5', [1, 12, 12], 2), { kind: 'standard', mean: [0.5], std: [0.25] }, { load: { fit: 'contain' } }));
  const out = join(tmp, 'lenet.onnx');
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    assert.equal(await exportCmd(['--model', modelPath, '--format', 'onnx', '--out', out, '--probabilities']), 0);
  } finally {
    process.stdout.write = write;
  }
  const bytes = new Uint8Array(readFileSync(out));
  const e = exportOnnx(JSON.parse(readFileSync(modelPath, 'utf8')), { probabilities: true });
  assert.deepEqual(bytes, e.bytes);
  assert.equal(e.output.name, 'probabilities');
  assert.deepEqual(e.metadata.classes, ['class 0', 'class 1']);
  assert.match(String(e.metadata.preprocess), /mean = \[0\.5\]/);
  assert.equal(e.metadata.fit, 'contain', 'how images of another shape are fitted to the input');
  assert.equal(exportOnnx(JSON.parse(JSON.stringify(classifierFile(presetSpec('mlp', [1, 4, 4], 2))))).metadata.fit, 'cover', 'the default when the file records none');
  const x = batchOf(2, [1, 12, 12]);
  const p = await ortRun(bytes, x.data, x.shape);
  assert.ok(Math.abs(p.data[0] + p.data[1] - 1) < 1e-6, 'probabilities sum to 1');
  assert.equal(ONNX_OPSET, 17);

  const failing = join(tmp, 'failing.onnx');
  await assert.rejects(writeBytesAtomic(failing, bytes, { rename: () => Promise.reject(new Error('disk full')) }), /disk full/);
  assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('.')), [], 'no temporary left behind');
  await assert.rejects(exportCmd(['--model', join(tmp, 'missing.json'), '--format', 'onnx', '--out', failing]), /missing\.json/);
});
