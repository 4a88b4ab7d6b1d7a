import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../core/rng.js';
import { EVENTS, METHODS } from '../../protocol/contract.js';
import { checkParams } from '../../protocol/messages.js';
import { MAX_RUNS } from '../../session/cluster/registry.js';
import { fresh, Mirror, toySourceOf } from '../../session/cluster/testkit.js';
import { workspace } from '../workspace.js';
import { clusterHandlers, clusters, loadedFolder } from './cluster.js';

const toy = (n?: number, name?: 'blobs' | 'moons') => toySourceOf(clusters, n, name);

test('contract: cluster params are checked, with the reason', () => {
  const src = { sourceId: 1, spec: { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' } };
  assert.equal(checkParams('cluster.create', src), null);
  assert.equal(checkParams('cluster.create', { ...src, spec: { ...src.spec, rate: 0.5 } }), null);
  assert.match(checkParams('cluster.create', { ...src, spec: { ...src.spec, k: 0 } }) ?? '', /spec.k: must be >= 1/);
  assert.match(checkParams('cluster.create', { ...src, spec: { ...src.spec, rate: 0 } }) ?? '', /must be > 0/);
  assert.match(checkParams('cluster.create', { ...src, spec: { ...src.spec, rate: 'fast' } }) ?? '', /rate/);
  assert.match(checkParams('cluster.create', { ...src, spec: { algorithm: 'dbscan' } }) ?? '', /algorithm must be one of kmeans/);
  assert.match(checkParams('cluster.create', { ...src, spec: { ...src.spec, extra: 1 } }) ?? '', /unexpected field "extra"/);
  assert.match(checkParams('cluster.edit', { runId: 1, edit: { op: 'move', index: 0, x: 1 } }) ?? '', /y: expected a finite number/);
  assert.match(checkParams('cluster.edit', { runId: 1, edit: { op: 'teleport' } }) ?? '', /op must be one of/);
  assert.match(checkParams('cluster.vigilance', { runId: 1, vigilance: 1.5 }) ?? '', /must be <= 1/);
  assert.match(checkParams('cluster.source', { source: { kind: 'toy', name: 'blobs', n: 5 } }) ?? '', /n: must be >= 10/);
  assert.ok(EVENTS['cluster.update']);
});

test('every algorithm creates, steps and reports updates that pass the contract', () => {
  const s = toy(200);
  const specs = [
    { algorithm: 'kmeans', k: 4, rate: 'count', init: 'kmeans++' },
    { algorithm: 'kmeans', k: 4, rate: 0.1, init: 'random' },
    { algorithm: 'fuzzy-art', vigilance: 0.8, alpha: 0.001, beta: 1 },
    { algorithm: 'art2a', vigilance: 0.95, beta: 0.2 },
    { algorithm: 'som', width: 4, height: 3, topology: 'hexagonal', neighbourhood: 'gaussian', init: 'pca', rate: { kind: 'linear', start: 0.5, end: 0.01 }, radius: { kind: 'asymptotic', start: 2 }, epochs: 3 },
    { algorithm: 'rbf', units: 5, spreadRule: 'nearest', spreadScale: 1 },
    { algorithm: 'moe', experts: 3, mode: 'cooperative', rate: 0.5 },
  ] as const;
  for (const spec of specs) {
    const info = clusterHandlers['cluster.create']({ sourceId: s.id, spec });
    assert.equal(METHODS['cluster.create'].result.check(info), null, spec.algorithm);
    const m = new Mirror();
    m.apply(info.update);
    for (let i = 0; i < 3; i++) m.apply(clusterHandlers['cluster.step']({ runId: info.runId, samples: 50 }));
    const run = clusters.create(s.id, spec);
    run.train(150);
    assert.deepEqual(m.labels, Int32Array.from(run.update().labels ?? []), `${spec.algorithm}: stepping 3 x 50 equals 150 at once (seeded)`);
    if (run.learner.model) assert.deepEqual(m.labels, fresh(run), `${spec.algorithm}: labels equal a fresh pass`);
    clusters.dispose(run.id);
    clusters.dispose(info.runId);
  }
});

test('a folder source: pixels / 255, PCA plane, prototypes as images', () => {
  const n = 40;
  const w = 4;
  const pixels = new Uint8Array(n * w * w);
  const labels = new Int32Array(n);
  const r = new Rng(2);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let t = 0; t < w * w; t++) pixels[i * w * w + t] = (i % 2 ? t < 8 : t >= 8) ? 200 + r.int(55) : r.int(40);
  }
  const set = { n, channels: 1, height: w, width: w, pixels, labels, classes: ['top', 'bottom'], paths: [] };
  const summary = { name: 'halves' };
  workspace.set({ result: { set, root: '/x' }, split: { train: new Int32Array(0), val: new Int32Array(0) }, summary } as never);
  const info = clusterHandlers['cluster.source']({ source: { kind: 'folder' } });
  assert.equal(METHODS['cluster.source'].result.check(info), null);
  assert.equal(info.dim, 16);
  assert.deepEqual(info.image, { width: 4, height: 4, channels: 1 });
  assert.equal(info.points.length, 2 * n);
  // the first principal component separates the two halves
  const side = (i: number) => Math.sign(info.points[2 * i]);
  for (let i = 2; i < n; i++) assert.equal(side(i), side(i % 2));
  const run = clusters.create(info.sourceId, { algorithm: 'kmeans', k: 2, rate: 'count', init: 'kmeans++' });
  run.train(40);
  const u = run.update({ images: true });
  assert.equal(u.images?.length, 2 * 16);
  const proto = run.learner.model?.prototype(0) ?? new Float32Array(0);
  assert.equal(u.images?.[3], Math.round(proto[3] * 255));
  assert.equal(u.figures.purity, 1);
  assert.throws(() => clusters.create(info.sourceId, { algorithm: 'moe', experts: 2, mode: 'competitive', rate: 0.1 }), /2-D toy sets/);
  clusters.dispose(run.id);
  workspace.set(null);
  assert.throws(() => clusters.openSource({ kind: 'folder' }, loadedFolder()), /no folder is loaded/);
});

test('reset starts again (the same seed gives the same start), snapshot resends everything, old idle runs are dropped', () => {
  const s = toy(120);
  const spec = { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' } as const;
  const info = clusterHandlers['cluster.create']({ sourceId: s.id, spec });
  clusterHandlers['cluster.step']({ runId: info.runId, samples: 60 });
  const again = clusterHandlers['cluster.reset']({ runId: info.runId });
  assert.deepEqual(again.update.points, info.update.points);
  assert.equal(again.update.steps, 0);
  const other = clusterHandlers['cluster.reset']({ runId: info.runId, spec: { ...spec, k: 5 } });
  assert.equal(other.update.points.length, 10);
  const snap = clusterHandlers['cluster.snapshot']({ runId: info.runId });
  assert.deepEqual(snap.update.labels, other.update.labels);
  assert.ok(snap.update.seq >= other.update.seq);
  const made = Array.from({ length: MAX_RUNS + 2 }, () => clusters.create(s.id, spec).id);
  assert.throws(() => clusterHandlers['cluster.snapshot']({ runId: info.runId }), /no clustering run/);
  assert.ok(clusterHandlers['cluster.snapshot']({ runId: made[made.length - 1] }));
  for (const id of made) clusters.dispose(id);
  assert.equal(s.runs, 0, 'the source counts the runs on it');
});
