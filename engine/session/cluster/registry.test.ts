/**
 * The registry of clustering runs: runs are kept by source (opening another source and coming back
 * finds them as they were: edits, frozen prototypes, undo history) until removed; the defaults of each
 * algorithm come from one place and pass the contract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterDefaults, CLUSTER_ALGORITHMS } from '../../protocol/cluster.js';
import { METHODS } from '../../protocol/contract.js';
import { clusterDefaults, defaultSpec, SOM_DEFAULTS } from './defaults.js';
import { ClusterRegistry } from './registry.js';
import { imageSource } from './source.js';
import { wasmActive } from '../../kernels/backend.js';
import { residentOffset } from '../../kernels/wasm/runtime.js';

test('switching sources keeps each source\'s runs, their edits, frozen prototypes and undo history', () => {
  const clusters = new ClusterRegistry();
  const blobs = clusters.openSource({ kind: 'toy', name: 'blobs', n: 300, seed: 1 }, null);
  const run = clusters.create(blobs.id, defaultSpec('kmeans', blobs));
  clusters.step(run, 300);
  const b = blobs.bounds;
  clusters.edit(run, { op: 'move', index: 0, x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2 });
  clusters.edit(run, { op: 'freeze', index: 1, frozen: true });
  const before = run.info();
  assert.equal(before.update.undo, 2);

  // Another source, with runs of its own.
  const moons = clusters.openSource({ kind: 'toy', name: 'moons', n: 200, seed: 1 }, null);
  assert.notEqual(moons.id, blobs.id);
  const other = clusters.create(moons.id, defaultSpec('som', moons));
  clusters.step(other, 50);
  assert.deepEqual(clusters.describe(moons).runs, [other.id]);

  // Back to the first: the same source, its run as it was.
  const again = clusters.openSource({ kind: 'toy', name: 'blobs', n: 300, seed: 1 }, null);
  assert.equal(again, blobs);
  assert.deepEqual(clusters.describe(again).runs, [run.id]);
  const after = clusters.get(run.id).info();
  assert.deepEqual(after.update.points, before.update.points, 'the moved prototype is where it was left');
  assert.deepEqual(after.update.frozen, before.update.frozen);
  assert.equal(after.update.frozen[1], 1);
  assert.equal(after.update.undo, 2, 'the undo history is kept');
  assert.deepEqual(after.update.labels, before.update.labels);
  clusters.edit(run, { op: 'undo' });
  assert.equal(run.info().update.frozen[1], 0, 'undo still works after the switch');

  // Removed runs are gone; a source without runs may be dropped, one with runs stays.
  assert.equal(clusters.dispose(run.id), true);
  assert.equal(clusters.dispose(run.id), false);
  assert.throws(() => clusters.get(run.id), /no clustering run/);
  assert.deepEqual(clusters.describe(blobs).runs, []);
  for (let i = 0; i < 8; i++) clusters.openSource({ kind: 'toy', name: 'rings', n: 100 + i, seed: 1 }, null);
  assert.throws(() => clusters.getSource(blobs.id), /no clustering source/);
  assert.equal(clusters.getSource(moons.id), moons, 'a source with runs is kept');
});

test('a folder source is made again for a new load (a new origin), and is refused without one', () => {
  const clusters = new ClusterRegistry();
  const set = { n: 4, channels: 1, height: 2, width: 2, pixels: Uint8Array.from({ length: 16 }, (_, i) => i * 16), labels: Int32Array.of(0, 0, 1, 1), classes: ['a', 'b'], paths: [] };
  const folder = (origin: object) => ({ origin, set, name: 'four', indices: () => Int32Array.of(0, 1, 2, 3) });
  const first = {};
  const a = clusters.openSource({ kind: 'folder' }, folder(first));
  assert.equal(clusters.openSource({ kind: 'folder' }, folder(first)), a);
  assert.notEqual(clusters.openSource({ kind: 'folder' }, folder({})), a);
  assert.throws(() => clusters.openSource({ kind: 'folder' }, null), /no folder is loaded/);
});

test('the defaults: one spec per algorithm, valid by the contract, and every one makes a run on its kind of data', () => {
  const clusters = new ClusterRegistry();
  const toy = clusters.openSource({ kind: 'toy', name: 'blobs', n: 120, seed: 1 }, null);
  const set = { n: 6, channels: 1, height: 2, width: 2, pixels: Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256), labels: Int32Array.of(0, 1, 2, 0, 1, 2), classes: ['a', 'b', 'c'], paths: [] };
  const images = imageSource(set, Int32Array.of(0, 1, 2, 3, 4, 5), 'six', 'folder:six', null);
  for (const s of [toy, images]) {
    const d = clusterDefaults(s);
    assert.equal(ClusterDefaults.check(d), null);
    assert.equal(METHODS['cluster.source'].result.check(clusters.describe(toy)), null);
    assert.deepEqual(Object.keys(d).sort(), [...CLUSTER_ALGORITHMS].sort());
    for (const a of CLUSTER_ALGORITHMS) assert.equal(d[a].algorithm, a);
  }
  // k-means: one cluster per class; ART: a lower vigilance on raw pixels; SOM: hexagonal on the plane.
  const dt = clusterDefaults(toy);
  const di = clusterDefaults(images);
  assert.equal(dt.kmeans.algorithm === 'kmeans' && dt.kmeans.k, 3);
  assert.ok(di['fuzzy-art'].algorithm === 'fuzzy-art' && dt['fuzzy-art'].algorithm === 'fuzzy-art' && di['fuzzy-art'].vigilance < dt['fuzzy-art'].vigilance);
  assert.equal(dt.som.algorithm === 'som' && dt.som.topology, 'hexagonal');
  assert.equal(di.som.algorithm === 'som' && di.som.topology, 'rectangular');
  // The SOM's radius starts at half the lattice's longer side and its schedules end where the defaults say.
  assert.deepEqual(dt.som.algorithm === 'som' && [dt.som.width, dt.som.radius.start, dt.som.radius.end, dt.som.rate.end], [SOM_DEFAULTS.width, SOM_DEFAULTS.width / 2, SOM_DEFAULTS.radiusEnd, SOM_DEFAULTS.rate.end]);
  for (const a of CLUSTER_ALGORITHMS) {
    const run = clusters.create(toy.id, dt[a]);
    clusters.step(run, 3);
    clusters.dispose(run.id);
  }
});

test('clustering runs are listed in the run registry: created, checkpointed with figures, finished when closed; a restart lists them', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { RunRegistry } = await import('../runs.js');
  const { runLabel } = await import('../../protocol/runs.js');
  const dir = await mkdtemp(join(tmpdir(), 'locus-cluster-runs-'));
  try {
    const record = new RunRegistry({ dir, origin: 'app' });
    const clusters = new ClusterRegistry({ record: () => record });
    const blobs = clusters.openSource({ kind: 'toy', name: 'blobs', n: 300, seed: 1 }, null);
    const run = clusters.create(blobs.id, defaultSpec('kmeans', blobs));
    const id = clusters.recordId(run.id)!;
    assert.equal(record.get(id).summary.kind, 'cluster');
    assert.match(runLabel('cluster', record.get(id).summary.config), /^k-means · blobs \(300 points\) · k \d+ · rate 1\/count/);
    clusters.step(run, 300);
    clusters.flush();
    await record.idle();
    const s = record.get(id).summary;
    assert.equal(s.state, 'paused');
    assert.ok((s.figures.inertia ?? 0) > 0, JSON.stringify(s.figures));
    assert.equal(record.get(id).history.at(-1)?.samples, 300);
    assert.equal(s.saved, true, 'checkpoints are saved, so a restart finds the run');
    const restarted = new RunRegistry({ dir, origin: 'app' });
    await restarted.load();
    assert.equal(restarted.get(id).summary.outcome?.message, 'interrupted: Locus stopped while it ran');
    clusters.dispose(run.id);
    await record.idle();
    const done = record.get(id).summary;
    assert.equal(done.state, 'done');
    assert.match(done.outcome?.message ?? '', /closed with \d+ prototypes after 300 samples/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an image source's samples live in the kernel memory when the kernels run (Lloyd's passes read them in place)", () => {
  const n = 300;
  const set = { n, channels: 1, height: 4, width: 4, pixels: Uint8Array.from({ length: n * 16 }, (_, i) => (i * 37) % 256), labels: new Int32Array(n), classes: ['a'], paths: [] };
  const s = imageSource(set, Int32Array.from({ length: n }, (_, i) => i), 'three hundred', 'folder:300', null, { plane: false });
  const h = wasmActive();
  assert.equal(h ? residentOffset(h, s.x) >= 0 : false, Boolean(h));
  assert.equal(s.x[16 + 1], Math.fround(set.pixels[16 + 1] / 255));
});
