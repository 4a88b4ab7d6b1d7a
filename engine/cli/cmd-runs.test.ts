/**
 * `locus train` records its run in the workspace, and `locus runs` lists, shows, compares, renames,
 * exports and removes runs through the same registry the app's engine uses.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeGray } from '../data/testkit.js';
import { RunRegistry } from '../session/runs.js';
import { last, locus } from './testkit.js';

let dir = '';
let saved: string | undefined;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-runs-cli-'));
  saved = process.env.LOCUS_WORKSPACE_DIR;
  process.env.LOCUS_WORKSPACE_DIR = join(dir, 'ws');
  // Two classes: dark and bright 8x8 images.
  for (let i = 0; i < 12; i++) {
    await writeGray(join(dir, 'data', 'dark', `${i}.png`), 20 + i * 3, 8, 8);
    await writeGray(join(dir, 'data', 'bright', `${i}.png`), 200 + i * 3, 8, 8);
  }
});
after(async () => {
  if (saved === undefined) delete process.env.LOCUS_WORKSPACE_DIR;
  else process.env.LOCUS_WORKSPACE_DIR = saved;
  await rm(dir, { recursive: true, force: true });
});

test('locus train records its runs; locus runs lists, shows and compares them by what differs', async () => {
  const common = ['--data', join(dir, 'data'), '--model', 'mlp', '--epochs', '2', '--size', '8', '--no-cache', '--json'];
  const a = await locus('train', ...common, '--activation', 'sigmoid', '--out', join(dir, 'a.json'));
  assert.equal(a.code, 0, a.stderr);
  const b = await locus('train', ...common, '--activation', 'relu', '--name', 'relu one', '--out', join(dir, 'b.json'));
  assert.equal(b.code, 0, b.stderr);
  const ids = [a, b].map((r) => r.json.find((e) => e.event === 'run')?.id as string);
  assert.ok(ids.every(Boolean), 'each train reports its run id');

  const list = await locus('runs', 'list', '--json');
  assert.equal(list.code, 0, list.stderr);
  const runs = last(list).runs as { id: string; origin: string; name: string; epochs: number; figures: Record<string, number | null>; hasModel: boolean }[];
  assert.deepEqual(runs.map((r) => r.id), [ids[1], ids[0]], 'newest first');
  assert.ok(runs.every((r) => r.origin === 'cli' && r.epochs === 2 && r.hasModel && r.figures.valAcc !== undefined));
  assert.equal(runs[0].name, 'relu one');

  // The app's engine reads the same folder: a registry there lists the CLI's runs.
  const engineSide = new RunRegistry({ dir: process.env.LOCUS_WORKSPACE_DIR!, origin: 'app' });
  await engineSide.load();
  assert.deepEqual(engineSide.list().map((r) => r.id), [ids[1], ids[0]]);

  const human = await locus('runs', 'list');
  assert.match(human.stdout, /relu one/);
  assert.match(human.stdout, /mlp · sigmoid/);
  const show = await locus('runs', 'show', ids[0]);
  assert.match(show.stdout, /state: completed/);
  assert.match(show.stdout, /epoch +trainLoss/);
  const cmp = await locus('runs', 'compare', ids[0], ids[1], '--metric', 'trainLoss', '--json');
  const series = last(cmp).runs as { label: string; series: { epoch: number; value: number }[] }[];
  assert.deepEqual(series.map((s) => s.label), ['sigmoid', 'relu one']);
  assert.deepEqual(series[0].series.map((p) => p.epoch), [1, 2]);
  const bad = await locus('runs', 'compare', ids[0]);
  assert.equal(bad.code, 2);
});

test('locus runs rename, export and remove; unknown runs are refused with the reason', async () => {
  const [r] = (last(await locus('runs', 'list', '--json')).runs as { id: string }[]);
  assert.equal((await locus('runs', 'rename', r.id, 'best', 'so', 'far')).code, 0);
  assert.match((await locus('runs', 'list')).stdout, /best so far/);
  const out = join(dir, 'exported.json');
  assert.equal((await locus('runs', 'export', r.id, '--out', out)).code, 0);
  const info = await locus('info', out);
  assert.equal(info.code, 0, info.stderr);
  assert.equal((await locus('runs', 'remove', r.id)).code, 0);
  const gone = await locus('runs', 'show', r.id);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /there is no run/);
});
