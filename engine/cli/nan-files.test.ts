/**
 * Files that would make NaN (a std of 1e-300, one weight of 3.4e38) never reach a result: predict and
 * eval fail with exit code 1 and the import's reason, and print no NaN.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { Rng } from '../core/rng.js';
import { classifierToFile, encodeTensor } from '../io/index.js';
import { classifierModel } from '../models/presets.js';
import { run as evalRun } from './cmd-eval.js';
import { run as predictRun } from './cmd-predict.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let dir = '';
let good: any;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-nan-'));
  const model = classifierModel('mlp', [1, 8, 8], 2, {}, new Rng(1));
  good = classifierToFile({
    model,
    classes: ['a', 'b'],
    input: { channels: 1, height: 8, width: 8 },
    normalization: { kind: 'standard', mean: [0.5], std: [0.25] },
    training: { seed: 1, settings: {}, history: [] },
  });
  for (const c of ['a', 'b']) {
    await mkdir(join(dir, 'data', c), { recursive: true });
    for (let i = 0; i < 2; i++) {
      const px = Buffer.alloc(64, 40 + 100 * i + (c === 'a' ? 0 : 50));
      await sharp(px, { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(join(dir, 'data', c, `${i}.png`));
    }
  }
});
after(() => rm(dir, { recursive: true, force: true }));

/** Run a command's `run`, capturing what it prints; a thrown error is reported as the CLI does. */
async function capture(f: () => Promise<number>): Promise<{ code: number; text: string }> {
  const out: string[] = [];
  const w = process.stdout.write;
  process.stdout.write = ((s: unknown) => (out.push(String(s)), true)) as typeof process.stdout.write;
  let code: number;
  try {
    code = await f();
  } catch (e) {
    out.push(`error: ${(e as Error).message}`);
    code = 1;
  } finally {
    process.stdout.write = w;
  }
  return { code, text: out.join('') };
}

async function fileWith(name: string, mutate: (f: any) => void): Promise<string> {
  const f = structuredClone(good);
  mutate(f);
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(f));
  return path;
}

const CASES: [string, (f: any) => void, RegExp][] = [
  ['tiny-std.json', (f) => (f.model.normalization.std = [1e-300]), /std of channel 0 is 1e-300; it must be between 1e-8/],
  [
    'huge-weight.json',
    (f) => {
      const [name, t] = Object.entries(f.model.params as Record<string, any>).find(([n]) => n.endsWith('.W'))!;
      const v = new Float32Array(new Uint8Array(Buffer.from(t.data, 'base64')).buffer);
      v[0] = 3.4e38;
      f.model.params[name] = encodeTensor(t.shape, v);
    },
    /value 0 is 3\.39999\d+e\+38 \(values must be finite and within ±100000000\)/,
  ],
];

test('the good file predicts and evaluates with finite numbers (the check below can pass)', async () => {
  const path = await fileWith('good.json', () => {});
  const p = await capture(() => predictRun(['--model', path, join(dir, 'data', 'a', '0.png'), '--json']));
  assert.equal(p.code, 0, p.text);
  assert.ok(Number.isFinite(JSON.parse(p.text.split('\n')[0]).probability));
  const e = await capture(() => evalRun(['--model', path, '--data', join(dir, 'data'), '--no-cache', '--json']));
  assert.equal(e.code, 0, e.text);
  assert.ok(Number.isFinite(JSON.parse(e.text.trim().split('\n').at(-1)!).loss));
});

for (const [name, mutate, reason] of CASES) {
  test(`${name}: predict and eval fail with the reason, exit code 1, no NaN printed`, async () => {
    const path = await fileWith(name, mutate);
    for (const r of [
      await capture(() => predictRun(['--model', path, join(dir, 'data', 'a', '0.png')])),
      await capture(() => evalRun(['--model', path, '--data', join(dir, 'data'), '--no-cache'])),
    ]) {
      assert.equal(r.code, 1, r.text);
      assert.match(r.text, reason);
      assert.doesNotMatch(r.text, /NaN/);
    }
  });
}

test('locus sample: a generator whose output overflows (weights of ±1e8, within the file bounds) fails with the reason, exit code 1, no image written', async () => {
  const { Gan } = await import('../models/gan.js');
  const { dcganSpecs } = await import('../models/gan-presets.js');
  const { ganToFile } = await import('../io/gan.js');
  const { run: sampleRun } = await import('./cmd-sample.js');
  const { existsSync } = await import('node:fs');
  const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 16, width: 8 }), new Rng(21));
  let k = 0;
  for (const p of gan.generator.params()) p.value.forEach((_, i, a) => (a[i] = k++ % 3 === 0 ? -1e8 : 1e8));
  const path = join(dir, 'gan-overflow.json');
  await writeFile(path, JSON.stringify(ganToFile({ gan, normalization: { kind: 'symmetric' }, training: { seed: 1, settings: {}, history: [] } })));
  const out = join(dir, 'grid.png');
  const r = await capture(() => sampleRun(['--model', path, '--out', out, '--n', '4']));
  assert.equal(r.code, 1, r.text);
  assert.match(r.text, /the generator's output is not a finite number/);
  assert.equal(existsSync(out), false);
});
