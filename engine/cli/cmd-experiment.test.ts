import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkExperiment } from '../io/experiment.js';
import { last, locus } from './testkit.js';

const tiny = {
  format: 'locus-experiment',
  version: 1,
  id: 'cli-tiny',
  title: 'Two learning rates',
  idea: 'the learning rate',
  kind: 'classifier',
  data: { source: 'sample', perClass: 10 },
  base: { architecture: { preset: 'mlp' }, optimizer: { type: 'sgd', lr: 0.01 }, epochs: 1, batchSize: 10 },
  variants: [
    { name: 'lr 0.01', set: {} },
    { name: 'lr 0.1', set: { optimizer: { lr: 0.1 } } },
  ],
  metrics: ['valAcc', 'trainLoss'],
  explanation: 'A test.',
};

test('locus experiment: list, show a built-in as a file, run a file with a report, refuse a bad file with the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'locus-exp-cli-'));
  try {
    const list = await locus('experiment', 'list', '--json');
    assert.equal(list.code, 0);
    assert.ok(list.json.some((e) => e.id === 'vanishing-gradients' && e.variants.length === 5));
    const shown = await locus('experiment', 'show', 'optimizers');
    assert.equal(shown.code, 0);
    assert.equal(checkExperiment(JSON.parse(shown.stdout)).id, 'optimizers');

    const file = join(dir, 'tiny.json');
    await writeFile(file, JSON.stringify(tiny));
    const out = join(dir, 'out');
    const r = await locus('experiment', 'run', file, '--out', out, '--no-workspace', '--json');
    assert.equal(r.code, 0, r.stderr);
    const done = last(r);
    assert.equal(done.state, 'completed');
    assert.match(done.finding, /^valAcc: lr 0\.01 \d+\.\d%, lr 0\.1 \d+\.\d%$/);
    assert.equal(r.json.filter((l) => l.event === 'variant').length, 2);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    assert.equal(results.variants.length, 2);
    assert.equal(results.seed, 1);
    assert.match(await readFile(join(out, 'report.html'), 'utf8'), /<h1>Two learning rates<\/h1>/);

    await writeFile(file, JSON.stringify({ ...tiny, variants: tiny.variants.slice(0, 1) }));
    const bad = await locus('experiment', 'run', file);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a Locus experiment: variants must NOT have fewer than 2 items/);
    const unknown = await locus('experiment', 'run', 'no-such-thing');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /there is no built-in experiment "no-such-thing" \(known: vanishing-gradients, /);
    const noFolder = await locus('experiment', 'run', 'gan-losses', '--data', dir);
    assert.equal(noFolder.code, 2);
    assert.match(noFolder.stderr, /runs on its own data/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
