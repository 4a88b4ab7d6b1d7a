/** `locus gan --resume` and `locus seq --resume`: training continues from a saved model, its epochs first; wrong files and options are refused. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { raw, writeImage } from '../data/testkit.js';
import { ganFromFile } from '../io/gan.js';
import { readModelFile } from '../io/index.js';
import { sequenceFromFile } from '../io/sequence.js';
import { run as gan } from './cmd-gan.js';
import { run as seq } from './cmd-seq.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-cli-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Only the command's JSON lines are kept off stdout: the test runner's own reports of the tests before
// (written asynchronously) must still get through.
const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((s: unknown, ...rest: unknown[]) => (typeof s === 'string' && s.startsWith('{"') ? true : (write as (...a: unknown[]) => boolean).call(process.stdout, s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = () => true;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
    process.stderr.write = err;
  }
};

test('locus gan --resume continues a saved GAN: its latent size, networks and Adam states; its epochs first', async () => {
  const data = join(dir, 'bars');
  for (let i = 0; i < 12; i++) await writeImage(join(data, `b${i}.png`), raw(8, 8, 1, (x) => (x === i % 8 ? 255 : 0)), 8, 8, 1, (s) => s.png());
  const first = join(dir, 'g1.json');
  assert.equal(await quiet(() => gan(['--data', data, '--size', '8', '--epochs', '1', '--latent', '4', '--width', '2', '--batch', '6', '--no-cache', '--json', '--out', first])), 0);
  const a = ganFromFile(await readModelFile(first));
  const second = join(dir, 'g2.json');
  // No --size, --latent or --width: they are the file's.
  assert.equal(await quiet(() => gan(['--data', data, '--resume', first, '--epochs', '2', '--batch', '6', '--no-cache', '--json', '--out', second])), 0);
  const b = ganFromFile(await readModelFile(second));
  assert.equal(b.gan.latent, 4);
  assert.deepEqual(b.gan.generator.spec(), a.gan.generator.spec());
  assert.deepEqual(b.training.history.map((h) => h.epoch), [1, 2, 3]);
  assert.deepEqual(b.training.history[0], a.training.history[0]);
  assert.equal(b.optimizers!.generator.getState().t, (a.optimizers!.generator.getState().t as number) * 3, 'Adam counts on');
  await assert.rejects(gan(['--data', data, '--resume', first, '--size', '16', '--out', join(dir, 'x.json')]), /--resume: the GAN makes 8x8 images/);
});

test('locus seq --resume continues a saved sequence model on its task; other tasks, architecture options and kinds are refused', async () => {
  const first = join(dir, 's1.json');
  const base = ['--n', '96', '--json'];
  assert.equal(await quiet(() => seq(['--task', 'memory', '--cell', 'gru', '--units', '4', '--steps', '6', '--epochs', '1', ...base, '--out', first])), 0);
  const a = sequenceFromFile(await readModelFile(first));
  const second = join(dir, 's2.json');
  assert.equal(await quiet(() => seq(['--resume', first, '--epochs', '2', ...base, '--out', second])), 0);
  const b = sequenceFromFile(await readModelFile(second));
  assert.deepEqual(b.model.spec(), a.model.spec());
  assert.deepEqual(b.data, a.data);
  assert.deepEqual(b.training.history.map((h) => h.epoch), [1, 2, 3]);
  assert.equal(b.training.settings.cell, 'gru');
  assert.equal(b.optimizer!.getState().t, (a.optimizer!.getState().t as number) * 3);
  await assert.rejects(seq(['--resume', first, '--task', 'sines', '--out', join(dir, 'x.json')]), /trained on the "memory" task, not "sines"/);
  await assert.rejects(seq(['--resume', first, '--units', '8', '--out', join(dir, 'x.json')]), /--units is the saved model's with --resume/);
  const g = join(dir, 'g1.json');
  await assert.rejects(seq(['--resume', g, '--out', join(dir, 'x.json')]), /is a "gan" model; locus seq continues a "sequence" model/);
});
