import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { ganToFile } from '../io/gan.js';
import { sequenceToFile } from '../io/sequence.js';
import { classifierToFile, writeModelFile } from '../io/index.js';
import { batch, folderHandler, maxAbsDiff, tf, tfPredict } from '../io/tfjs-testkit.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { sequenceSpec } from '../models/sequence.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { run } from './cmd-export.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-cli-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function modelFile(name: string, spec: SequentialSpec): Promise<string> {
  const path = join(dir, name);
  const model = new Sequential(spec, new Rng(1));
  const [channels, height, width] = spec.input;
  const classes = ['a', 'b'];
  await writeModelFile(path, classifierToFile({ model, classes, input: { channels, height, width }, normalization: { kind: 'unit' }, training: { seed: 1, settings: {}, history: [] } }));
  return path;
}

const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
  }
};

test('locus export writes the folder and the single-file variants, and refuses what TensorFlow.js cannot express', async () => {
  const good = await modelFile('good.json', { input: [1, 6, 6], layers: [{ type: 'conv2d', filters: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }] });
  assert.equal(await quiet(() => run(['--model', good, '--out', join(dir, 'out')])), 0);
  assert.ok(existsSync(join(dir, 'out', 'model.json')) && existsSync(join(dir, 'out', 'group1-shard1of1.bin')));
  assert.equal(await quiet(() => run(['--model', good, '--format', 'tfjs-json', '--out', join(dir, 'm.tfjs.json'), '--probabilities'])), 0);
  const single = JSON.parse(readFileSync(join(dir, 'm.tfjs.json'), 'utf8'));
  assert.equal(single.userDefinedMetadata.locus.output, 'probabilities');
  assert.equal(typeof single.weightDataBase64, 'string');
  const bad = await modelFile('bad.json', { input: [1, 8, 8], layers: [{ type: 'conv2d', stride: 2, dilation: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }] });
  await assert.rejects(run(['--model', bad, '--out', join(dir, 'bad')]), /cannot export .*bad\.json to TensorFlow\.js: layer 0 \(conv2d\)/);
  assert.ok(!existsSync(join(dir, 'bad')));
  await assert.rejects(run(['--model', good, '--out', good]), /is a file; the tfjs format writes a folder/);
  await assert.rejects(run(['--model', good, '--out', join(dir, 'x'), '--format', 'keras']), /--format must be one of tfjs, tfjs-json, pytorch, onnx/);
  await assert.rejects(run(['--model', good, '--out', good, '--format', 'pytorch']), /good\.json: .*good\.json is a file; the PyTorch export writes a folder/);
  await assert.rejects(run(['--model', good, '--out', dir, '--format', 'onnx']), /is a folder; the ONNX export writes one file/);
  await assert.rejects(run(['--model', good, '--out', join(dir, 'p'), '--format', 'pytorch', '--probabilities']), /--probabilities is for the TensorFlow\.js and ONNX formats/);
});

test("locus export of a gan file writes its generator, which TensorFlow.js runs like Locus", async () => {
  const gan = new Gan(dcganSpecs({ channels: 3, size: 8, latent: 4, width: 2 }), new Rng(2));
  const r = new Rng(6);
  for (const p of gan.generator.params()) for (let i = 0; i < p.value.length; i++) p.value[i] += 0.05 * r.normal();
  const path = join(dir, 'gan.json');
  await writeModelFile(path, ganToFile({ gan, normalization: { kind: 'symmetric' }, training: { seed: 2, settings: {}, history: [] } }));
  assert.equal(await quiet(() => run(['--model', path, '--out', join(dir, 'gen')])), 0);
  const tfm = await tf.loadLayersModel(folderHandler(join(dir, 'gen')));
  assert.equal((tfm.getUserDefinedMetadata() as { locus: { kind: string } }).locus.kind, 'gan-generator');
  const z = batch(3, [4]);
  const d = maxAbsDiff(tfPredict(tfm, z).data, gan.generate(z, new Rng(0)).data);
  assert.ok(d < 1e-4, `differs by ${d}`);
  tfm.dispose();
  await assert.rejects(run(['--model', path, '--out', join(dir, 'gen2'), '--probabilities']), /--probabilities is for classifiers/);
});

test('locus export of a sequence model (LSTM over image rows) writes a model TensorFlow.js runs like Locus', async () => {
  const model = new Sequential(sequenceSpec({ cell: 'lstm', steps: 4, features: 6, outputs: 2, units: 3 }), new Rng(1));
  const r = new Rng(8);
  for (const p of model.params()) for (let i = 0; i < p.value.length; i++) p.value[i] += 0.1 * r.normal();
  const path = join(dir, 'seq.json');
  const data = { source: 'rows' as const, image: { channels: 3, height: 4, width: 2 }, normalization: { kind: 'unit' as const } };
  await writeModelFile(path, sequenceToFile({ model, data, task: 'classify', classes: ['a', 'b'], training: { seed: 1, settings: {}, history: [] } }));
  assert.equal(await quiet(() => run(['--model', path, '--out', join(dir, 'seq')])), 0);
  const tfm = await tf.loadLayersModel(folderHandler(join(dir, 'seq')));
  const meta = (tfm.getUserDefinedMetadata() as { locus: { kind: string; data: unknown } }).locus;
  assert.equal(meta.kind, 'sequence');
  assert.deepEqual(meta.data, data);
  const x = batch(3, [4, 6]);
  const d = maxAbsDiff(tfPredict(tfm, x).data, model.predict(x, new Rng(0)).data);
  assert.ok(d < 1e-4, `differs by ${d}`);
  tfm.dispose();
});
