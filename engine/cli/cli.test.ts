/**
 * The classifier commands end to end, in-process: usage errors (exit 2), failures (exit 1, one line),
 * `locus data` on the bundled sample and a messy folder, and train -> eval -> predict -> info on real
 * Fashion-MNIST images (skipped, saying why, where Debian's dataset-fashion-mnist is not installed).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeFashionFolder } from '../../scripts/fashion-folder.js';
import { findSampleDir } from '../data/sample.js';
import { DEBIAN_FASHION_MNIST } from '../data/idx.js';
import { raw, writeImage } from '../data/testkit.js';
import { last, locus } from './testkit.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('no command prints the usage with exit code 2; an unknown command too', async () => {
  const r = await locus();
  assert.equal(r.code, 2);
  assert.match(r.stdout, /usage: locus <command>/);
  const u = await locus('frobnicate');
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown command "frobnicate"/);
});

test('usage errors name the option and show the command usage, exit code 2', async () => {
  const missing = await locus('train', '--out', join(dir, 'x.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--data is required/);
  assert.match(missing.stderr, /locus train --data DIR --out MODEL.json/);
  const bad = await locus('train', '--data', dir, '--out', join(dir, 'x.json'), '--epochs', 'many');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--epochs must be a number, got "many"/);
  const unknown = await locus('data', dir, '--colour');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /colour/);
});

test('failures are one line with exit code 1, no stack trace', async () => {
  const r = await locus('data', join(dir, 'does-not-exist'));
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('locus data --json on the bundled sample: 10 classes of 60, nothing skipped', async () => {
  const sample = findSampleDir();
  assert.ok(sample, 'the bundled sample is in assets/sample');
  const r = await locus('data', sample, '--json', '--no-cache');
  assert.equal(r.code, 0, r.stderr);
  const d = last(r);
  assert.equal(d.loaded, 600);
  assert.equal(d.classes.length, 10);
  assert.ok(d.classes.every((c: { count: number }) => c.count === 60));
  assert.deepEqual(d.skipped, []);
  assert.deepEqual(d.size, { width: 28, height: 28, channels: 1 });
});

test('locus data lists every file it could not use with the reason', async () => {
  const root = join(dir, 'messy');
  for (let i = 0; i < 3; i++) {
    await writeImage(join(root, 'a', `a${i}.png`), raw(8, 8, 1, () => 40 * i), 8, 8, 1, (s) => s.png());
    await writeImage(join(root, 'b', `b${i}.png`), raw(8, 8, 1, () => 250 - 40 * i), 8, 8, 1, (s) => s.png());
  }
  await writeFile(join(root, 'a', 'notes.txt'), 'not a picture\n');
  await writeFile(join(root, 'b', 'empty.png'), '');
  const png = await readFile(join(root, 'a', 'a1.png'));
  await writeFile(join(root, 'b', 'cut.png'), png.subarray(0, png.length >> 1));
  const r = await locus('data', root, '--no-cache');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /6 images loaded/);
  assert.match(r.stdout, /3 files skipped/);
  for (const name of ['notes.txt', 'empty.png', 'cut.png']) assert.match(r.stdout, new RegExp(`${name}: \\S`));
});

const haveFashion = existsSync(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'));

test(
  'train -> eval -> predict -> info on real Fashion-MNIST images; a tampered model is refused',
  { skip: haveFashion ? false : `Debian's dataset-fashion-mnist is not installed (${DEBIAN_FASHION_MNIST})` },
  async () => {
    const train = join(dir, 'fm-train');
    const unseen = join(dir, 'fm-test');
    await writeFashionFolder(train, 'train', 60);
    await writeFashionFolder(unseen, 'test', 20);
    const model = join(dir, 'mlp.json');
    const t = await locus('train', '--data', train, '--model', 'mlp', '--epochs', '3', '--seed', '3', '--no-cache', '--out', model, '--json');
    assert.equal(t.code, 0, t.stderr);
    const epochs = t.json.filter((e) => e.event === 'epoch');
    assert.equal(epochs.length, 3);
    assert.ok(epochs[2].trainLoss < epochs[0].trainLoss, 'the training loss falls');
    assert.equal(last(t).event, 'done');

    const e = await locus('eval', '--model', model, '--data', unseen, '--no-cache', '--json');
    assert.equal(e.code, 0, e.stderr);
    const ev = last(e);
    assert.equal(ev.n, 200);
    // 600 images, 3 epochs: far above the 10% of guessing (about 70% measured).
    assert.ok(ev.accuracy > 0.55, `accuracy ${ev.accuracy}`);
    assert.equal(ev.confusion.length, 10);
    assert.equal(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0), 200);

    const human = await locus('eval', '--model', model, '--data', unseen, '--no-cache');
    assert.match(human.stdout, /accuracy \d+\.\d\d% on 200 images/);
    assert.match(human.stdout, /Ankle_boot/);

    const file = join(unseen, 'Trouser', (await import('node:fs')).readdirSync(join(unseen, 'Trouser'))[0]);
    const p = await locus('predict', '--model', model, file, join(dir, 'nope.png'), '--json');
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.json.length, 2);
    assert.ok(typeof p.json[0].class === 'string' && p.json[0].probability > 0 && p.json[0].probability <= 1);
    assert.equal(p.json[1].error, 'no such file');

    const i = await locus('info', model, '--json');
    assert.equal(i.code, 0, i.stderr);
    assert.equal(last(i).classes.length, 10);
    assert.equal(last(i).parameters, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);

    // Tampered: a future format version, and a weight tensor cut short.
    const text = await readFile(model, 'utf8');
    const future = join(dir, 'future.json');
    await writeFile(future, text.replace(/"version": ?1,/, '"version": 99,'));
    const f = await locus('info', future);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /newer Locus/);
    assert.equal(f.stderr.trim().split('\n').length, 1);
    const json = JSON.parse(text);
    const firstParam = Object.keys(json.model.params)[0];
    json.model.params[firstParam].data = json.model.params[firstParam].data.slice(0, 40);
    const cut = join(dir, 'cut.json');
    await writeFile(cut, JSON.stringify(json));
    const c = await locus('eval', '--model', cut, '--data', unseen);
    assert.equal(c.code, 1);
    assert.match(c.stderr, new RegExp(firstParam.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  },
);

test('locus train --model rbf --seeds: labelled seed images become the first units, then fine-tuning', async () => {
  const root = join(dir, 'bars');
  const seeds = join(dir, 'bar-seeds');
  const bar = (horizontal: boolean, p: number) => raw(8, 8, 1, (x, y) => ((horizontal ? y : x) === p ? 255 : 10));
  for (let i = 0; i < 16; i++) {
    await writeImage(join(root, 'horizontal', `h${i}.png`), bar(true, i % 8), 8, 8, 1, (s) => s.png());
    await writeImage(join(root, 'vertical', `v${i}.png`), bar(false, i % 8), 8, 8, 1, (s) => s.png());
  }
  for (const p of [2, 5]) {
    await writeImage(join(seeds, 'horizontal', `h${p}.png`), bar(true, p), 8, 8, 1, (s) => s.png());
    await writeImage(join(seeds, 'vertical', `v${p}.png`), bar(false, p), 8, 8, 1, (s) => s.png());
  }
  const out = join(dir, 'rbf-seeded.json');
  const r = await locus('train', '--model', 'rbf', '--data', root, '--seeds', seeds, '--size', '8', '--val', '0', '--no-cache', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const epochs = r.json.filter((e) => e.event === 'epoch');
  assert.equal(epochs[0].epoch, 0, 'the seed rules alone are scored first');
  assert.equal(epochs[0].seedUnits, 4);
  assert.ok(epochs[epochs.length - 1].trainAcc >= epochs[0].trainAcc);
  const info = await locus('info', out, '--json');
  assert.equal(info.code, 0, info.stderr);
  const strange = join(dir, 'strange-seeds');
  await writeImage(join(strange, 'diagonal', 'd.png'), raw(8, 8, 1, (x, y) => (x === y ? 255 : 10)), 8, 8, 1, (s) => s.png());
  await writeImage(join(strange, 'horizontal', 'h.png'), bar(true, 3), 8, 8, 1, (s) => s.png());
  const bad = await locus('train', '--model', 'rbf', '--data', root, '--seeds', strange, '--size', '8', '--no-cache', '--out', out);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /seed folders with no class of the same name/);
});
