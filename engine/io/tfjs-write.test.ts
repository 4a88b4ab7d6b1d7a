import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { presetSpec } from '../models/presets.js';
import { Sequential } from '../models/sequential.js';
import { networkToTfjs } from './tfjs.js';
import { batch, folderHandler, loadSingleJson, maxAbsDiff, tf, tfPredict, trainSteps } from './tfjs-testkit.js';
import { writeTfjsFiles, writeTfjsJson } from './tfjs-write.js';

const root = mkdtempSync(join(tmpdir(), 'locus-tfjs-'));
after(() => rmSync(root, { recursive: true, force: true }));

function net(seed: number): Sequential {
  const m = new Sequential(presetSpec('lenet5', [1, 12, 12], 3), new Rng(seed));
  trainSteps(m, 2, seed);
  return m;
}

const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('hex')]));

test('the folder variant (model.json + group1-shard1of1.bin) loads through a small IOHandler and predicts as Locus', async () => {
  const dir = join(root, 'files', 'nested');
  const m = net(1);
  const w = await writeTfjsFiles(dir, networkToTfjs(m));
  assert.deepEqual(readdirSync(dir).sort(), ['group1-shard1of1.bin', 'model.json']);
  const paramCount = m.params().reduce((a, p) => a + p.value.length, 0);
  assert.equal(readFileSync(w.weightsPath).length, 4 * paramCount);
  const tfm = await tf.loadLayersModel(folderHandler(dir));
  const x = batch(4, [1, 12, 12]);
  assert.ok(maxAbsDiff(tfPredict(tfm, x).data, m.predict(x, new Rng(0)).data) < 1e-4);
  tfm.dispose();
});

test('a failed folder export leaves the previous files as they were and no temporary files', async () => {
  const dir = join(root, 'atomic');
  await writeTfjsFiles(dir, networkToTfjs(net(1)));
  const before = snapshot(dir);
  const next = networkToTfjs(net(2));
  // Fail at each step in turn: writing, flushing, the first rename (weights), the second (model.json).
  const failures = [
    { write: async () => Promise.reject(new Error('disk full')) },
    { sync: async () => Promise.reject(new Error('EIO')) },
    { rename: async () => Promise.reject(new Error('EXDEV')) },
  ];
  for (const steps of failures) {
    await assert.rejects(writeTfjsFiles(dir, next, steps));
    assert.deepEqual(snapshot(dir), before);
  }
  let renames = 0;
  const { rename } = await import('node:fs/promises');
  await assert.rejects(
    writeTfjsFiles(dir, next, { rename: async (a, b) => (++renames === 2 ? Promise.reject(new Error('EPERM')) : rename(a, b)) }),
    /EPERM/,
  );
  assert.equal(renames, 2);
  assert.deepEqual(snapshot(dir), before, 'the weights renamed in first were put back');
  // And a successful export replaces both.
  await writeTfjsFiles(dir, next);
  const after = snapshot(dir);
  assert.notEqual(after['group1-shard1of1.bin'], before['group1-shard1of1.bin']);
  assert.deepEqual(Object.keys(after), ['group1-shard1of1.bin', 'model.json']);
});

test('a failed first folder export leaves nothing behind', async () => {
  const dir = join(root, 'fresh');
  let renames = 0;
  const { rename } = await import('node:fs/promises');
  await assert.rejects(writeTfjsFiles(dir, networkToTfjs(net(1)), { rename: async (a, b) => (++renames === 2 ? Promise.reject(new Error('EPERM')) : rename(a, b)) }));
  assert.deepEqual(readdirSync(dir), []);
});

test('the single-file variant is written atomically and loads with the README snippet', async () => {
  const path = join(root, 'single.tfjs.json');
  writeFileSync(path, 'previous');
  const m = net(3);
  const bytes = await writeTfjsJson(path, networkToTfjs(m));
  assert.equal(readFileSync(path).length, bytes);
  const tfm = await loadSingleJson(JSON.parse(readFileSync(path, 'utf8')));
  const x = batch(2, [1, 12, 12]);
  assert.ok(maxAbsDiff(tfPredict(tfm, x).data, m.predict(x, new Rng(0)).data) < 1e-4);
  tfm.dispose();
});

test('a folder export stopped between its renames never leaves new weights beside the old model.json', async () => {
  const dir = join(root, 'killed');
  await writeTfjsFiles(dir, networkToTfjs(net(1)));
  const before = snapshot(dir);
  const { rename } = await import('node:fs/promises');
  // Each rename in turn never returns, as if the process were killed there: what is on disk then?
  for (let stopAt = 1; stopAt <= 3; stopAt++) {
    let renames = 0;
    let reached!: () => void;
    const stopped = new Promise<void>((r) => (reached = r));
    void writeTfjsFiles(dir, networkToTfjs(net(2)), {
      rename: async (a, b) => {
        if (++renames === stopAt) {
          reached();
          return new Promise<void>(() => {});
        }
        return rename(a, b);
      },
    });
    await stopped;
    const files = readdirSync(dir).filter((n) => !n.startsWith('.'));
    const now = snapshot(dir);
    if (files.includes('model.json')) {
      // A model.json there is the old one, and its weights are the old ones.
      assert.equal(now['model.json'], before['model.json'], `stopped at rename ${stopAt}`);
      assert.equal(now['group1-shard1of1.bin'], before['group1-shard1of1.bin'], `stopped at rename ${stopAt}`);
    }
    if (stopAt >= 2) assert.ok(!files.includes('model.json'), `stopped at rename ${stopAt}: the old model.json is aside`);
    // The next export (from a process that runs) completes, and what the stopped one left is swept
    // once its writer is gone; here the writer is this process, so its files are older-than-an-hour only.
    await writeTfjsFiles(dir, networkToTfjs(net(1)));
    assert.deepEqual(Object.fromEntries(Object.entries(snapshot(dir)).filter(([n]) => !n.startsWith('.'))), before);
  }
});
