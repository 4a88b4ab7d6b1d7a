/**
 * The PyTorch export against Debian's python3-torch: every classifier preset and the custom layer
 * lists predict in PyTorch as in Locus (to 1e-5); `torchrun --nproc_per_node 2` (gloo on 127.0.0.1)
 * trains one epoch and its checkpoint comes back through `locus import` with the predictions PyTorch
 * gives; damaged packages are refused with a reason; a failed write leaves no temporary behind.
 * The tests that need Python skip, with the reason, where python3 or torch is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { run as exportCmd } from '../../cli/cmd-export.js';
import { run as importCmd } from '../../cli/cmd-import.js';
import { Rng } from '../../core/rng.js';
import { reshape } from '../../core/tensor.js';
import { presetSpec } from '../../models/presets.js';
import { classifierFromFile } from '../classifier.js';
import { readModelFile, writeModelFile } from '../file.js';
import { exportPytorch } from './export.js';
import { importPytorch } from './import.js';
import { batchOf, CLASSIFIER_NETS, classifierFile } from './nets.js';
import { hungAfterSaving, maxAbsDiff, PYTHON, torchMissing, torchOutputs, torchrunArgs } from './testkit.js';
import { sha256 } from './weights.js';
import { writePackage } from './write.js';

const tmp = mkdtempSync(join(tmpdir(), 'locus-pytorch-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
  }
};

test('every classifier preset and custom layer list predicts in PyTorch as in Locus (to 1e-5)', { skip: torchMissing() ?? false }, async () => {
  const jobs = [];
  const want: Float32Array[] = [];
  for (const [i, [, spec, image]] of CLASSIFIER_NETS.entries()) {
    const file = JSON.parse(JSON.stringify(classifierFile(spec, { kind: 'unit' }, {}, image)));
    const dir = join(tmp, `net-${i}`);
    await writePackage(dir, exportPytorch(file).files);
    const x = batchOf(5, image ?? spec.input);
    want.push(classifierFromFile(file).model.predict(reshape(x, [5, ...spec.input]), new Rng(0)).data);
    jobs.push({ dir, input: x.data, shape: [...x.shape] });
  }
  const got = await torchOutputs(tmp, jobs);
  CLASSIFIER_NETS.forEach(([label], i) => {
    assert.deepEqual(got[i].shape, [5, want[i].length / 5], `${label}: output shape`);
    const d = maxAbsDiff(got[i].data, want[i]);
    assert.ok(d < 1e-5, `${label}: PyTorch differs from Locus by ${d}`);
    const k = want[i].length / 5;
    assert.ok(maxAbsDiff(want[i].slice(0, k), want[i].slice(k, 2 * k)) > 1e-3, `${label}: outputs vary between samples`);
  });
});

test('the package: module names are Locus layer paths, weights need no pickle, layouts are PyTorch\'s', () => {
  const file = classifierFile(presetSpec('resnet', [1, 8, 8], 3, { batchNorm: true, depth: 1 })); // resnet: residual blocks with projection shortcuts
  const pkg = exportPytorch(file);
  assert.deepEqual(pkg.files.map((f) => f.name).sort(), ['data.py', 'locus.json', 'model.py', 'train.py', 'weights.bin', 'weights.json']);
  const manifest = JSON.parse(pkg.files.find((f) => f.name === 'weights.json')!.data as string);
  const names = manifest.tensors.map((t: { name: string }) => t.name);
  assert.ok(names.includes('0.weight') && names.includes('1.running_var'), names.join(' '));
  // Block 5 (stride 2): body conv, batchNorm, relu, conv, batchNorm (5.0 to 5.4), then the shortcut's conv 5.5.
  const shortcut = manifest.tensors.find((t: { locus: string }) => t.locus === '5.5.W');
  assert.equal(shortcut?.name, '5.5.weight', 'a shortcut conv keeps its Locus path');
  const dense = manifest.tensors.find((t: { name: string; shape: number[] }) => t.name.endsWith('weight') && t.shape.length === 2);
  assert.deepEqual(dense.shape, [3, 64], 'nn.Linear weight is [out, in]');
  const modelPy = pkg.files.find((f) => f.name === 'model.py')!.data as string;
  assert.ok(!/pickle|torch\.load\(/.test(modelPy), 'no pickle');
  assert.match(modelPy, /class LocusClassifier\(nn\.Sequential\)/);
});

test('torchrun --nproc_per_node 2 (gloo) trains one epoch; the checkpoint imports back with PyTorch\'s predictions', { skip: torchMissing() ?? false }, async () => {
  const spec = presetSpec('lenet5', [1, 12, 12], 2, { batchNorm: true, dropout: 0.2 });
  const settings = { batchSize: 4, optimizer: { type: 'adam', lr: 0.01 }, load: { fit: 'cover' } };
  const modelPath = join(tmp, 'lenet.json');
  await writeModelFile(modelPath, classifierFile(spec, { kind: 'standard', mean: [0.5], std: [0.25] }, settings));
  const pkgDir = join(tmp, 'lenet-pytorch');
  const exported = async () => {
    rmSync(pkgDir, { recursive: true, force: true });
    assert.equal(await quiet(() => exportCmd(['--model', modelPath, '--format', 'pytorch', '--out', pkgDir])), 0);
  };
  await exported();
  const before = readFileSync(join(pkgDir, 'weights.bin'));

  const data = join(tmp, 'images');
  const r = new Rng(1);
  for (const c of ['class 0', 'class 1']) {
    mkdirSync(join(data, c), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const px = Buffer.from(Array.from({ length: 12 * 12 * 3 }, () => Math.floor(r.next() * 256)));
      await sharp(px, { raw: { width: 12, height: 12, channels: 3 } }).png().toFile(join(data, c, `${i}.png`));
    }
  }
  const torchrun = async () => spawnSync(PYTHON, [...(await torchrunArgs(2)), 'train.py', '--data', data, '--epochs', '1'], { cwd: pkgDir, encoding: 'utf8', timeout: 90_000 });
  let res = await torchrun();
  if (hungAfterSaving(res)) {
    // Trained and saved, then did not exit (testkit.ts hungAfterSaving; about one run in six here). Once
    // more from a fresh export.
    console.log(`torchrun hung after saving (${res.signal ?? res.error?.message}); running it once more`);
    await exported();
    res = await torchrun();
  }
  assert.equal(res.status, 0, `torchrun failed (${res.error?.message ?? res.signal ?? 'exit ' + res.status}):\n${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout, /12 images in 2 classes.*2 process\(es\)/);
  assert.ok(!before.equals(readFileSync(join(pkgDir, 'weights.bin'))), 'training changed the weights');

  const imported = join(tmp, 'lenet-after.json');
  assert.equal(await quiet(() => importCmd(['--format', 'pytorch', pkgDir, '--out', imported])), 0);
  const back = classifierFromFile(await readModelFile(imported));
  const last = back.training.history.at(-1)!;
  assert.equal(back.training.history.length, 2);
  assert.equal(last.processes, 2);
  assert.ok(typeof last.trainLoss === 'number');
  const x = batchOf(6, [1, 12, 12], 9);
  const want = back.model.predict(reshape(x, [6, 1, 12, 12]), new Rng(0)).data;
  const [got] = await torchOutputs(tmp, [{ dir: pkgDir, input: x.data, shape: [6, 1, 12, 12] }]);
  const d = maxAbsDiff(got.data, want);
  assert.ok(d < 1e-5, `Locus after import differs from PyTorch's checkpoint by ${d}`);
});

test('import refuses a damaged package with a reason, and a failed write leaves no temporary behind', async () => {
  const dir = join(tmp, 'damaged');
  const file = classifierFile(presetSpec('mlp', [1, 4, 4], 2));
  const pkg = exportPytorch(file);
  const reset = async () => {
    rmSync(dir, { recursive: true, force: true });
    await writePackage(dir, pkg.files);
  };
  await reset();
  const ok = await importPytorch(dir);
  const a = classifierFromFile(JSON.parse(JSON.stringify(file))).model.predict(batchOf(2, [1, 4, 4]), new Rng(0)).data;
  const b = classifierFromFile(JSON.parse(JSON.stringify(ok))).model.predict(batchOf(2, [1, 4, 4]), new Rng(0)).data;
  assert.equal(maxAbsDiff(a, b), 0, 'export then import is exact');

  const manifestPath = join(dir, 'weights.json');
  const edit = async (f: (m: { tensors: { name: string; shape: number[]; offset: number }[]; [k: string]: unknown }) => void) => {
    await reset();
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    f(m);
    writeFileSync(manifestPath, JSON.stringify(m));
  };
  await edit((m) => m.tensors.pop());
  await assert.rejects(importPytorch(dir), /weights\.json lacks tensor 5\.bias/);
  await edit((m) => (m.tensors[0].shape = [16, 256]));
  await assert.rejects(importPytorch(dir), /tensor 1\.weight has shape \[16x256\], the architecture needs \[256x16\]/);
  await edit((m) => m.tensors.push({ name: 'extra.weight', shape: [0], offset: 0 }));
  await assert.rejects(importPytorch(dir), /tensors the architecture does not: extra\.weight/);
  await edit((m) => (m.tensors[1].offset = 1 << 30));
  await assert.rejects(importPytorch(dir), /runs past the end/);
  await edit((m) => (m.format = 'something else'));
  await assert.rejects(importPytorch(dir), /format is "something else"/);
  await reset();
  const bin = readFileSync(join(dir, 'weights.bin'));
  bin.writeFloatLE(Number.NaN, 0);
  writeFileSync(join(dir, 'weights.bin'), bin);
  await assert.rejects(importPytorch(dir), /does not match the SHA-256/);
  const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
  writeFileSync(manifestPath, JSON.stringify({ ...m, sha256: sha256(bin) }));
  await assert.rejects(importPytorch(dir), /tensor 1\.weight holds a value that is not finite \(NaN\) at index 0/);
  rmSync(join(dir, 'locus.json'));
  await assert.rejects(importPytorch(dir), /locus\.json in .* is missing/);

  // train.py --out of another model, given as --weights: said so.
  await reset();
  const otherDir = join(tmp, 'other-model');
  await writePackage(otherDir, exportPytorch(classifierFile(presetSpec('lenet5', [1, 12, 12], 2))).files);
  await assert.rejects(importPytorch(dir, otherDir), /the weights in .*other-model do not fit the model in .*damaged \(another model's checkpoint\?\): weights\.json lacks tensor 1\.weight/);

  // A rename that fails: the earlier weights.json stays, and no temporary file is left in the folder.
  await reset();
  const earlier = readFileSync(manifestPath, 'utf8');
  const other = exportPytorch(classifierFile(presetSpec('mlp', [1, 4, 4], 2, { depth: 1, batchNorm: true })));
  await assert.rejects(writePackage(dir, other.files, { rename: () => Promise.reject(new Error('disk full')) }), /disk full/);
  assert.equal(readFileSync(manifestPath, 'utf8'), earlier);
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.')), []);
  // A write that fails on the package's last file (the disk full by then): no file of the earlier
  // package was replaced, since every file is on disk before the first rename.
  const before = new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]));
  let syncs = 0;
  const failLast = { sync: (fh: FileHandle) => (++syncs === other.files.length ? Promise.reject(new Error('disk full')) : fh.sync()) };
  await assert.rejects(writePackage(dir, other.files, failLast), /disk full/);
  assert.equal(syncs, other.files.length);
  assert.deepEqual(new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))])), before);
  await assert.rejects(writePackage(join(dir, 'model.py'), pkg.files), /is a file; the export writes a folder/);
  assert.ok(existsSync(join(dir, 'model.py')));
});
