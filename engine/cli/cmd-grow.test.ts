/* eslint-disable @typescript-eslint/no-explicit-any -- parsed JSON output lines */
/**
 * `locus grow` and `locus train --init` end to end on a small synthetic folder (three classes of noisy
 * 8x8 patterns): growth keeps every logit and adds exactly the expected parameters; continued training
 * goes on from the file (loss, optimizer step count, epoch numbers) and keeps a pruned model's zeros.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { raw, writeImage } from '../data/testkit.js';
import { classifierFromFile, classifierToFile, readModelFile, writeModelFile, type ClassifierFile, type LoadedClassifier } from '../io/index.js';
import '../layers/index.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { last, locus } from './testkit.js';

let dir = '';
let data = '';
const CLASSES = ['bars', 'cols', 'dots'];
const PATTERN: Record<string, (x: number, y: number) => number> = {
  bars: (_x, y) => (y % 4 < 2 ? 1 : 0),
  cols: (x) => (x % 4 < 2 ? 1 : 0),
  dots: (x, y) => ((x + y) % 2 === 0 ? 1 : 0),
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-grow-'));
  data = join(dir, 'data');
  const rng = new Rng(3);
  // Faint patterns under strong noise: learnable, but not in a single epoch.
  for (const c of CLASSES) {
    for (let i = 0; i < 24; i++) {
      const px = raw(8, 8, 1, (x, y) => Math.max(0, Math.min(255, Math.round(128 + 50 * (PATTERN[c](x, y) - 0.5) + 60 * rng.normal()))));
      await writeImage(join(data, c, `${c}${i}.png`), px, 8, 8, 1, (s) => s.png());
    }
  }
});
after(() => rm(dir, { recursive: true, force: true }));

async function load(path: string): Promise<LoadedClassifier> {
  return classifierFromFile(await readModelFile(path));
}

/** A classifier file with random weights (no training needed to check growth). */
async function randomModel(name: string, spec: SequentialSpec): Promise<string> {
  const model = new Sequential(spec, new Rng(5));
  const r = new Rng(6);
  for (const p of model.params()) for (let i = 0; i < p.value.length; i++) p.value[i] += 0.1 * r.normal();
  const path = join(dir, name);
  const training = { seed: 1, settings: { load: { fit: 'cover' } }, history: [] };
  await writeModelFile(path, classifierToFile({ model, classes: CLASSES, input: { channels: 1, height: 8, width: 8 }, normalization: { kind: 'unit' }, training }));
  return path;
}

function maxLogitDiff(a: Sequential, b: Sequential): number {
  const r = new Rng(9);
  const x = tensor([16, 1, 8, 8], Float32Array.from({ length: 16 * 64 }, () => r.uniform(0, 1)));
  const ya = a.predict(x, new Rng(0)).data;
  const yb = b.predict(x, new Rng(0)).data;
  let d = 0;
  for (let i = 0; i < ya.length; i++) d = Math.max(d, Math.abs(ya[i] - yb[i]));
  return d;
}

/** The first JSON line of an event. */
function event(r: { json: Record<string, any>[] }, name: string): Record<string, any> {
  const e = r.json.find((x) => x.event === name);
  assert.ok(e, `no "${name}" event`);
  return e;
}

const count = (m: Sequential) => m.params().reduce((a, p) => a + p.value.length, 0);

test('locus grow keeps every logit and adds exactly the expected parameters', async () => {
  const mlp = await randomModel('mlp.json', {
    input: [1, 8, 8],
    layers: [{ type: 'flatten' }, { type: 'dense', units: 5 }, { type: 'relu' }, { type: 'dense', units: 4 }, { type: 'tanh' }, { type: 'dense', units: 3 }],
  });
  const cnn = await randomModel('cnn.json', {
    input: [1, 8, 8],
    layers: [{ type: 'conv2d', filters: 2 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3 }],
  });
  const cases: { from: string; args: string[]; added: number; layers: number }[] = [
    { from: mlp, args: ['--units', '3', '--layer', '2'], added: 3 * (64 + 1) + 3 * 4, layers: 6 }, // incoming W and b, outgoing rows
    { from: mlp, args: ['--units', '2', '--layer', '4'], added: 2 * (5 + 1) + 2 * 3, layers: 6 },
    { from: mlp, args: ['--insert', 'identity', '--at', '4'], added: 5 * 5 + 5, layers: 7 },
    { from: mlp, args: ['--insert', 'residual', '--at', '6'], added: 2 * (4 * 4 + 4), layers: 7 },
    { from: cnn, args: ['--insert', 'residual', '--at', '3'], added: 2 * (2 * 2 * 9 + 2), layers: 5 }, // two 3x3 convs, 2 -> 2 channels
  ];
  for (const [i, c] of cases.entries()) {
    const outPath = join(dir, `grown${i}.json`);
    const r = await locus('grow', '--model', c.from, '--out', outPath, ...c.args, '--data', data, '--json', '--no-cache');
    assert.equal(r.code, 0, r.stderr);
    const res = last(r);
    const [a, b] = [await load(c.from), await load(outPath)];
    assert.equal(count(b.model) - count(a.model), c.added, c.args.join(' '));
    assert.equal(res.paramsAfter - res.paramsBefore, c.added);
    assert.equal(b.model.layers.length, c.layers);
    const d = maxLogitDiff(a.model, b.model);
    assert.ok(d < 1e-6, `${c.args.join(' ')}: logits differ by ${d}`);
    assert.equal(res.n, 72);
    assert.equal(res.accuracyAfter, res.accuracyBefore);
    assert.ok(Math.abs(res.lossAfter - res.lossBefore) < 1e-6);
    assert.equal(b.optimizer, null, 'a grown model has no optimizer state');
    assert.deepEqual(b.training.settings.grown, { ...Object.fromEntries(chunks(c.args)), seed: 1, from: c.from });
  }
  const human = await locus('grow', '--model', mlp, '--out', join(dir, 'h.json'), '--units', '1', '--layer', '2');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /added 1 units to layer 2 \(dense\): 364 -> 433 parameters \(\+69\)/);
  assert.match(human.stdout, /without optimizer state: continue with `locus train --init/);
  const notDense = await locus('grow', '--model', mlp, '--out', join(dir, 'x.json'), '--units', '1', '--layer', '3');
  assert.equal(notDense.code, 1);
  assert.match(notDense.stderr, /layer 3 is a relu, not a dense layer/);
});

/** ['--units', '3', '--layer', '2'] -> [['units', 3], ['layer', 2]] (numbers where they are numbers). */
function chunks(args: string[]): [string, string | number][] {
  const out: [string, string | number][] = [];
  for (let i = 0; i < args.length; i += 2) out.push([args[i].slice(2), Number.isNaN(Number(args[i + 1])) ? args[i + 1] : Number(args[i + 1])]);
  return out;
}

test('locus train --init goes on from the file: its loss, its optimizer, its epoch numbers', async () => {
  const first = join(dir, 'first.json');
  const common = ['--data', data, '--batch', '8', '--json', '--no-cache'];
  const r1 = await locus('train', '--model', 'mlp', '--size', '8', '--epochs', '4', '--out', first, ...common);
  assert.equal(r1.code, 0, r1.stderr);
  const h1 = last(r1).history as any[];
  const steps = Math.ceil(event(r1, 'data').train / 8);
  const chance = Math.log(3);
  assert.ok(h1[0].trainLoss > 0.8 * chance, `a new network starts near chance (${h1[0].trainLoss})`);
  const lastLoss = h1[3].trainLoss;
  assert.ok(lastLoss < 0.5 * chance, `the first run learns (${lastLoss})`);

  const second = join(dir, 'second.json');
  const r2 = await locus('train', '--init', first, '--epochs', '2', '--out', second, ...common);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(
    r2.json.filter((e) => e.event === 'init').map((e) => [e.epoch, e.optimizer]),
    [[4, 'saved']],
  );
  const epochs = r2.json.filter((e) => e.event === 'epoch');
  assert.deepEqual(epochs.map((e) => [e.epoch, e.epochs]), [[5, 6], [6, 6]]);
  assert.ok(epochs[0].trainLoss < 1.5 * lastLoss + 0.05, `continues from the file's loss ${lastLoss}, got ${epochs[0].trainLoss}`);
  assert.ok(epochs[0].trainLoss < 0.5 * h1[0].trainLoss);
  const f1 = (await readModelFile(first)) as ClassifierFile;
  const f2 = (await readModelFile(second)) as ClassifierFile;
  assert.deepEqual(f2.model.training.history.map((h) => h.epoch), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(f2.model.training.history.slice(0, 4), f1.model.training.history);
  assert.equal(f1.model.optimizer!.t, 4 * steps);
  assert.equal(f2.model.optimizer!.t, 6 * steps, 'the saved Adam state went on');
  assert.equal(f2.model.training.settings.init, first);
  assert.deepEqual(f2.model.normalization, f1.model.normalization);

  // Optimizer options given: a new optimizer from them.
  const r3 = await locus('train', '--init', first, '--epochs', '1', '--optimizer', 'sgd', '--lr', '0.01', '--out', join(dir, 'third.json'), ...common);
  assert.equal(r3.code, 0, r3.stderr);
  assert.equal(event(r3, 'init').optimizer, 'new');
  const f3 = (await readModelFile(join(dir, 'third.json'))) as ClassifierFile;
  assert.equal(f3.model.optimizer!.spec.type, 'sgd');
  assert.equal(f3.model.optimizer!.t, steps);
});

test('locus train --init keeps a pruned model\'s zeros and starts a new optimizer for a grown one', async () => {
  const base = join(dir, 'base.json');
  const common = ['--data', data, '--batch', '8', '--json', '--no-cache'];
  assert.equal((await locus('train', '--model', 'mlp', '--size', '8', '--epochs', '1', '--out', base, ...common)).code, 0);
  const pruned = join(dir, 'pruned.json');
  const rp = await locus('prune', '--model', base, '--data', data, '--fraction', '0.5', '--out', pruned, '--no-cache');
  assert.equal(rp.code, 0, rp.stderr);
  const again = join(dir, 'pruned-more.json');
  const r = await locus('train', '--init', pruned, '--epochs', '1', '--out', again, ...common);
  assert.equal(r.code, 0, r.stderr);
  const [p, q] = [await load(pruned), await load(again)];
  let zeros = 0;
  let moved = 0;
  const [pp, qp] = [p.model.params(), q.model.params()];
  pp.forEach((a, i) => {
    const b = qp[i];
    assert.deepEqual(b.mask, a.mask, `mask of param ${i} kept`);
    for (let j = 0; j < a.value.length; j++) {
      if (a.mask && a.mask[j] === 0) {
        assert.equal(b.value[j], 0);
        zeros++;
      } else if (b.value[j] !== a.value[j]) moved++;
    }
  });
  assert.ok(zeros > 20_000, `${zeros} pruned weights`);
  assert.ok(moved > 10_000, `training moved the others (${moved})`);

  const grown = join(dir, 'grown.json');
  assert.equal((await locus('grow', '--model', base, '--out', grown, '--units', '8', '--layer', '2')).code, 0);
  const rg = await locus('train', '--init', grown, '--epochs', '1', '--out', join(dir, 'grown-more.json'), ...common);
  assert.equal(rg.code, 0, rg.stderr);
  assert.equal(event(rg, 'init').optimizer, 'new');
});

test('usage errors exit 2; a folder with other classes is refused with the reason', async () => {
  const m = join(dir, 'usage.json');
  await randomModel('usage.json', { input: [1, 8, 8], layers: [{ type: 'flatten' }, { type: 'dense', units: 3 }] });
  const o = ['--model', m, '--out', join(dir, 'u.json')];
  const usage = [
    [['grow', ...o], /give either --units K --layer N or --insert/],
    [['grow', ...o, '--units', '2', '--insert', 'identity', '--at', '1'], /give either/],
    [['grow', ...o, '--units', '2'], /--layer is required/],
    [['grow', ...o, '--insert', 'dense', '--at', '1'], /--insert must be one of residual, identity/],
    [['grow', ...o, '--insert', 'residual', '--at', '0'], /--at must be between 1/],
    [['grow', '--model', m, '--units', '1', '--layer', '1'], /--out is required/],
    [['train', '--init', m, '--data', data, '--out', join(dir, 'u.json'), '--model', 'mlp'], /--model cannot be used with --init/],
    [['train', '--init', m, '--data', data, '--out', join(dir, 'u.json'), '--size', '16', '--batch-norm'], /--batch-norm, --size cannot be used with --init/],
  ] as const;
  for (const [argv, msg] of usage) {
    const r = await locus(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, msg);
  }
  const other = join(dir, 'other');
  for (const c of ['bars', 'cols', 'stripes']) {
    await writeImage(join(other, c, 'x.png'), raw(8, 8, 1, () => 9), 8, 8, 1, (s) => s.png());
  }
  const r = await locus('train', '--init', m, '--data', other, '--out', join(dir, 'u.json'), '--no-cache');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the classes of .*other do not match the model's \(bars, cols, dots\): not in the model: stripes; no images of: dots/);
});
