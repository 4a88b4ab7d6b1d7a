/**
 * The PyTorch export of sequence models (every cell) and GANs (generator and discriminator): the same
 * outputs in PyTorch as in Locus (to 1e-5); train.py continues training both kinds (the GAN under
 * torchrun with 2 processes, the sequence model alone) and the checkpoints import back with the
 * predictions PyTorch gives. Skips with the reason where python3 or torch is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { Rng } from '../../core/rng.js';
import { ganFromFile } from '../gan.js';
import { checkModelFile } from '../parse.js';
import { sequenceFromFile } from '../sequence.js';
import { exportPytorch } from './export.js';
import { importPytorch } from './import.js';
import { batchOf, ganFile, SEQUENCE_NETS, sequenceFile } from './nets.js';
import { hungAfterSaving, maxAbsDiff, PYTHON, torchMissing, torchOutputs, torchrunArgs, type TorchJob } from './testkit.js';
import { writePackage } from './write.js';

const tmp = mkdtempSync(join(tmpdir(), 'locus-pytorch-kinds-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const skip = torchMissing() ?? false;

test('sequence models of every cell and a DCGAN (both networks) predict in PyTorch as in Locus (to 1e-5)', { skip }, async () => {
  const jobs: TorchJob[] = [];
  const want: { label: string; data: Float32Array }[] = [];
  for (const [i, [label, spec]] of SEQUENCE_NETS.entries()) {
    const file = JSON.parse(JSON.stringify(sequenceFile(spec)));
    const dir = join(tmp, `seq-${i}`);
    await writePackage(dir, exportPytorch(file).files);
    const x = batchOf(5, spec.input);
    want.push({ label, data: sequenceFromFile(file).model.predict(x, new Rng(0)).data });
    jobs.push({ dir, input: x.data, shape: [...x.shape], cls: 'LocusSequence' });
  }
  const gf = JSON.parse(JSON.stringify(ganFile()));
  const gdir = join(tmp, 'gan');
  await writePackage(gdir, exportPytorch(gf).files);
  const { gan } = ganFromFile(gf);
  const z = gan.sampleLatent(3, new Rng(5));
  const images = gan.generate(z, new Rng(0));
  want.push({ label: 'DCGAN generator', data: images.data }, { label: 'DCGAN discriminator', data: gan.discriminator.predict(images, new Rng(0)).data });
  jobs.push({ dir: gdir, input: z.data, shape: [...z.shape], cls: 'LocusGan.generator' }, { dir: gdir, input: images.data, shape: [...images.shape], cls: 'LocusGan.discriminator' });
  const got = await torchOutputs(tmp, jobs);
  want.forEach((w, i) => {
    const d = maxAbsDiff(got[i].data, w.data);
    assert.ok(d < 1e-5, `${w.label}: PyTorch differs from Locus by ${d}`);
  });
});

/**
 * Run train.py in a package (one process, or under torchrun's arguments) and return its output. `again`
 * (torchrun runs): when the run saved its checkpoint and then hung (testkit.ts hungAfterSaving), it
 * writes the package afresh and the run goes once more.
 */
async function train(dir: string, args: string[], torchrun: string[] = [], again?: () => Promise<unknown>): Promise<string> {
  const run = () => spawnSync(PYTHON, [...torchrun, 'train.py', ...args], { cwd: dir, encoding: 'utf8', timeout: 150_000 });
  let r = run();
  if (again && hungAfterSaving(r)) {
    console.log(`torchrun hung after saving (${r.signal ?? r.error?.message}); running it once more`);
    await again();
    r = run();
  }
  assert.equal(r.status, 0, `train.py failed (${r.error?.message ?? r.signal ?? r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('train.py continues a GAN (both networks, torchrun with 2 processes); the checkpoint imports back and generates what PyTorch generates', { skip }, async () => {
  // GAN: a few gray 28x28 images in nested folders (every image counts as real).
  const gdir = join(tmp, 'gan-train');
  const gf = ganFile();
  await writePackage(gdir, exportPytorch(gf).files);
  const images = join(tmp, 'gan-images');
  const r = new Rng(2);
  for (const sub of ['a', 'b/c']) {
    mkdirSync(join(images, sub), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const px = Buffer.from(Array.from({ length: 30 * 30 }, () => Math.floor(r.next() * 256)));
      await sharp(px, { raw: { width: 30, height: 30, channels: 1 } }).png().toFile(join(images, sub, `${i}.png`));
    }
  }
  const before = readFileSync(join(gdir, 'weights.bin'));
  const out = await train(gdir, ['--data', images, '--epochs', '1', '--batch', '2'], await torchrunArgs(2), () => writePackage(gdir, exportPytorch(gf).files));
  assert.match(out, /8 images, 0 files skipped; 2 process\(es\).*"dLoss"/s);
  assert.ok(!before.equals(readFileSync(join(gdir, 'weights.bin'))));
  const gback = await importPytorch(gdir);
  checkModelFile(JSON.parse(JSON.stringify(gback)));
  const loaded = ganFromFile(JSON.parse(JSON.stringify(gback)));
  assert.equal(loaded.training.history.length, 1);
  assert.equal(typeof loaded.training.history[0].dLoss, 'number');
  const z = loaded.gan.sampleLatent(2, new Rng(9));
  const [g] = await torchOutputs(tmp, [{ dir: gdir, input: z.data, shape: [...z.shape], cls: 'LocusGan.generator' }]);
  assert.ok(maxAbsDiff(g.data, loaded.gan.generate(z, new Rng(0)).data) < 1e-5, 'the imported generator makes what PyTorch makes');
});

test('train.py continues a sequence model (one process) on the generated series the package carries; it imports back and predicts as PyTorch does', { skip }, async () => {
  const sdir = join(tmp, 'seq-train');
  const spec = SEQUENCE_NETS[1][1]; // GRU, two stacked: its biases split in two in PyTorch and join again
  await writePackage(sdir, exportPytorch(sequenceFile(spec)).files);
  assert.match(await train(sdir, ['--epochs', '1', '--batch', '64']), /2000 sequences.*"trainAcc"/s);
  const sback = sequenceFromFile(JSON.parse(JSON.stringify(await importPytorch(sdir))));
  assert.equal(sback.training.history.length, 1);
  const x = batchOf(4, spec.input, 3);
  const [s] = await torchOutputs(tmp, [{ dir: sdir, input: x.data, shape: [...x.shape], cls: 'LocusSequence' }]);
  assert.ok(maxAbsDiff(s.data, sback.model.predict(x, new Rng(0)).data) < 1e-5, 'the imported sequence model predicts as PyTorch does');
});
