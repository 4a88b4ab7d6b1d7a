import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { raw, writeImage } from '../data/testkit.js';
import { ganFromFile } from '../io/gan.js';
import { readModelFile } from '../io/index.js';
import { run as gan } from './cmd-gan.js';
import { run as sample } from './cmd-sample.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-cli-gan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
  }
};

test('locus gan trains and saves a gan model; locus sample writes a PNG grid of the right size', async () => {
  const data = join(dir, 'bars');
  for (let i = 0; i < 12; i++) {
    await writeImage(join(data, `b${i}.png`), raw(8, 8, 1, (x) => (x === i % 8 ? 255 : 0)), 8, 8, 1, (s) => s.png());
  }
  const model = join(dir, 'g.json');
  const grid = join(dir, 'progress.png');
  const args = ['--data', data, '--size', '8', '--epochs', '2', '--latent', '4', '--width', '2', '--batch', '6', '--no-cache', '--json'];
  assert.equal(await quiet(() => gan([...args, '--out', model, '--grid', grid])), 0);
  const loaded = ganFromFile(await readModelFile(model));
  assert.deepEqual(loaded.gan.sampleShape, [1, 8, 8]);
  assert.equal(loaded.gan.latent, 4);
  assert.equal(loaded.training.history.length, 2);
  assert.ok(loaded.optimizers);
  assert.ok(existsSync(grid));
  const png = join(dir, 'grid.png');
  assert.equal(await quiet(() => sample(['--model', model, '--n', '6', '--cols', '3', '--scale', '2', '--out', png, '--json'])), 0);
  const meta = await sharp(png).metadata();
  // 3 columns and 2 rows of 16-pixel images with 2-pixel gaps around and between them.
  assert.deepEqual([meta.width, meta.height, meta.format], [3 * 16 + 4 * 2, 2 * 16 + 3 * 2, 'png']);
  const again = join(dir, 'grid2.png');
  await quiet(() => sample(['--model', model, '--n', '6', '--cols', '3', '--scale', '2', '--out', again, '--json']));
  const [a, b] = await Promise.all([sharp(png).raw().toBuffer(), sharp(again).raw().toBuffer()]);
  assert.ok(a.equals(b), 'the same seed gives the same samples');
  const lerp = join(dir, 'lerp.png');
  assert.equal(await quiet(() => sample(['--model', model, '--n', '10', '--interpolate', '5', '--scale', '1', '--out', lerp, '--json'])), 0);
  const m2 = await sharp(lerp).metadata();
  assert.deepEqual([m2.width, m2.height], [5 * 8 + 6 * 2, 2 * 8 + 3 * 2]);
  await assert.rejects(sample(['--model', join(dir, 'none.json'), '--out', png]), /none\.json/);
  await assert.rejects(gan([...args, '--out', model, '--size', '30']), /image size 30 does not halve/);
});
