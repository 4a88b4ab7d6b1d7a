import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../core/rng.js';
import { Assignment } from '../../local/assignment.js';
import type { ClusterEdit, ClusterUpdate } from '../../protocol/cluster.js';
import { EVENTS, METHODS } from '../../protocol/contract.js';
import { checkParams } from '../../protocol/messages.js';
import type { Context } from '../server.js';
import { workspace } from '../workspace.js';
import { clusterHandlers, createRun, disposeRun, MAX_RUNS, trainLoop } from './cluster.js';
import { FULL_LABELS_UP_TO, purity, type Run } from './cluster-run.js';
import { openSource } from './cluster-source.js';


function toy(n = 240, name: 'blobs' | 'moons' = 'blobs') {
  return openSource({ kind: 'toy', name, n, seed: 3 });
}

/** The assignment a fresh nearest-prototype pass gives for the run's model as it is now. */
function fresh(run: Run): Int32Array {
  const m = run.learner.model;
  assert.ok(m);
  return new Assignment(m.scorer(run.learner.data, run.source.n)).labels;
}

/** A renderer's copy of the assignment, kept only from what the engine sends. */
class Mirror {
  labels = new Int32Array(0);
  seq = -1;
  apply(u: ClusterUpdate): void {
    assert.equal(METHODS['cluster.step'].result.check(u), null, 'every update follows the contract');
    if (u.labels) {
      this.labels = Int32Array.from(u.labels);
      this.seq = u.seq;
    } else if (u.delta) {
      assert.equal(u.delta.base, this.seq, 'a delta applies to the labels sent just before');
      for (let t = 0; t < u.delta.samples.length; t++) this.labels[u.delta.samples[t]] = u.delta.to[t];
      this.seq = u.seq;
    } else assert.equal(u.seq, this.seq, 'no labels: nothing changed');
  }
}

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
    const run = createRun(s.id, spec);
    run.train(150);
    assert.deepEqual(m.labels, Int32Array.from(run.update().labels ?? []), `${spec.algorithm}: stepping 3 x 50 equals 150 at once (seeded)`);
    if (run.learner.model) assert.deepEqual(m.labels, fresh(run), `${spec.algorithm}: labels equal a fresh pass`);
    disposeRun(run.id);
    disposeRun(info.runId);
  }
});

test('k-means figures: inertia is the sum of squared distances to the nearest centroid; purity by hand', () => {
  const s = toy(90);
  const run = createRun(s.id, { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' });
  run.train(90);
  const u = run.update();
  const m = run.learner.model;
  assert.ok(m && u.figures.inertia !== undefined);
  let want = 0;
  const c = new Float32Array(2);
  for (let i = 0; i < s.n; i++) {
    m.prototype(fresh(run)[i], c);
    want += (s.x[2 * i] - c[0]) ** 2 + (s.x[2 * i + 1] - c[1]) ** 2;
  }
  assert.ok(Math.abs(u.figures.inertia - want) < 1e-6 * want, `${u.figures.inertia} vs ${want}`);
  // purity: clusters {0,0,1} {1,1} {-1}: 2 + 2 of 6 labelled (the unlabeled sample is skipped)
  assert.equal(purity(Int32Array.of(0, 0, 0, 1, 1, 2, 1), Int32Array.of(0, 0, 1, 1, 1, -1, 0), 3, 2), 4 / 6);
  disposeRun(run.id);
});

function randomEdits(run: Run, rng: Rng, count: number, growable: boolean): void {
  const m = new Mirror();
  m.apply(run.info().update);
  const initialLabels = Int32Array.from(run.labels);
  const model = run.learner.model;
  assert.ok(model);
  const initialProtos = Float32Array.from(model.prototypes.data);
  const b = run.source.bounds;
  let group = 1;
  let edits = 0;
  for (let e = 0; e < count; e++) {
    const k = run.learner.model?.prototypes.count ?? 0;
    const op = rng.int(growable ? 6 : 4);
    const j = rng.int(k);
    let edit: ClusterEdit;
    if (op === 0) edit = { op: 'move', index: j, x: rng.uniform(b.x0, b.x1), y: rng.uniform(b.y0, b.y1), group: rng.next() < 0.5 ? group : group++ };
    else if (op === 1) edit = { op: 'set', index: j, sample: rng.int(run.source.n) };
    else if (op === 2) edit = { op: 'freeze', index: j, frozen: rng.next() < 0.5 };
    else if (op === 3) edit = { op: 'undo' };
    else if (op === 4) edit = rng.next() < 0.5 ? { op: 'add', sample: rng.int(run.source.n) } : { op: 'add', x: rng.uniform(b.x0, b.x1), y: rng.uniform(b.y0, b.y1) };
    else edit = k > 1 ? { op: 'remove', index: j } : { op: 'undo' };
    if (edit.op === 'undo' && run.undo.depth === 0) continue;
    const before = Int32Array.from(run.labels);
    const r = run.edit(edit);
    assert.equal(METHODS['cluster.edit'].result.check(r), null);
    // The reply names exactly the samples whose prototype changed, with before and after.
    const changed = new Set(r.changed.samples);
    for (let i = 0; i < run.source.n; i++) {
      if (changed.has(i)) continue;
      if (edit.op === 'remove' || (edit.op === 'undo' && r.index === -1)) continue; // renumbered by a remove (or its undo)
      assert.equal(run.labels[i], before[i], `${edit.op}: sample ${i} changed without being reported`);
    }
    for (let t = 0; t < r.changed.samples.length; t++) assert.equal(run.labels[r.changed.samples[t]], r.changed.to[t]);
    m.apply(r.update);
    assert.deepEqual(run.labels, fresh(run), `after ${edit.op}: the assignment equals a fresh nearest-prototype pass`);
    assert.deepEqual(m.labels, run.labels, `after ${edit.op}: the renderer's copy follows`);
    edits++;
  }
  assert.ok(edits > count / 2);
  while (run.undo.depth > 0) m.apply(run.edit({ op: 'undo' }).update);
  assert.deepEqual(run.labels, initialLabels, 'undoing every edit restores the assignment');
  assert.deepEqual(run.learner.model?.prototypes.data, initialProtos, 'and the prototypes, bit for bit');
  assert.deepEqual(m.labels, initialLabels);
}

test('edits and undo keep the assignment equal to a fresh pass (k-means, with ties from set-on-sample)', () => {
  const run = createRun(toy(300).id, { algorithm: 'kmeans', k: 5, rate: 'count', init: 'kmeans++' });
  run.train(300);
  randomEdits(run, new Rng(11), 48, true);
  disposeRun(run.id);
});

test('edits and undo on Fuzzy ART (boxes in [0, 1] coordinates) and on a SOM lattice (no add/remove)', () => {
  const art = createRun(toy(200).id, { algorithm: 'fuzzy-art', vigilance: 0.75, alpha: 0.001, beta: 1 });
  art.train(200);
  randomEdits(art, new Rng(5), 50, true);
  disposeRun(art.id);
  const som = createRun(toy(200).id, {
    algorithm: 'som', width: 3, height: 3, topology: 'rectangular', neighbourhood: 'gaussian', init: 'random',
    rate: { kind: 'asymptotic', start: 0.5 }, radius: { kind: 'asymptotic', start: 1 }, epochs: 2,
  });
  som.train(100);
  randomEdits(som, new Rng(6), 40, false);
  assert.throws(() => som.edit({ op: 'add', sample: 0 }), /fixed set of units/);
  disposeRun(som.id);
});

test('a drag: the prototype lands on the plane point; one drag (a group) undoes in one step', () => {
  const s = toy(150);
  const run = createRun(s.id, { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' });
  const start = Float32Array.from(run.update().points);
  for (let t = 1; t <= 5; t++) {
    const r = run.edit({ op: 'move', index: 1, x: start[2] + 0.1 * t, y: start[3] - 0.05 * t, group: 7 });
    assert.ok(Math.abs(r.update.points[2] - (start[2] + 0.1 * t)) < 1e-5);
    assert.ok(Math.abs(r.update.points[3] - (start[3] - 0.05 * t)) < 1e-5);
  }
  assert.equal(run.undo.depth, 1);
  const r = run.edit({ op: 'undo' });
  assert.deepEqual(r.update.points, start);
  assert.equal(r.update.undo, 0);
  assert.throws(() => run.edit({ op: 'undo' }), /nothing to undo/);
  // training clears the stack: undo covers the edits since training last ran
  run.edit({ op: 'freeze', index: 0, frozen: true });
  run.train(10);
  assert.equal(run.update().undo, 0);
  assert.equal(run.update().frozen[0], 1);
  assert.throws(() => run.edit({ op: 'move', index: 9, x: 0, y: 0 }), /prototype 9 does not exist/);
  disposeRun(run.id);
});

test('large sets send what changed (deltas against the previous message), small ones the whole assignment', () => {
  const s = toy(FULL_LABELS_UP_TO + 904);
  const run = createRun(s.id, { algorithm: 'kmeans', k: 6, rate: 'count', init: 'random' });
  const m = new Mirror();
  m.apply(run.info().update);
  let deltas = 0;
  const b = s.bounds;
  for (let t = 0; t < 6; t++) {
    const r = run.edit({ op: 'move', index: t % 6, x: b.x0 + ((t + 1) / 8) * (b.x1 - b.x0), y: (b.y0 + b.y1) / 2 });
    if (r.update.delta) deltas++;
    m.apply(r.update);
    assert.deepEqual(m.labels, run.labels);
  }
  assert.ok(deltas > 0, 'some edits were sent as deltas');
  disposeRun(run.id);
});

test('ART vigilance: raising it leaves samples unplaced until training makes categories for them', () => {
  const run = createRun(toy(200).id, { algorithm: 'fuzzy-art', vigilance: 0.6, alpha: 0.001, beta: 1 });
  run.train(400);
  const low = run.update().figures;
  assert.equal(low.unassigned, 0);
  const u = clusterHandlers['cluster.vigilance']({ runId: run.id, vigilance: 0.95 });
  assert.equal(u.figures.vigilance, 0.95);
  assert.ok((u.figures.unassigned ?? 0) > 0);
  assert.deepEqual(run.labels, fresh(run));
  // every category is a box of the plane: the model's box mapped back from [0, 1] coordinates; with fast
  // learning boxes only grow from the sample that made them, so each holds at least one sample
  const ub = run.update();
  const k = ub.figures.categories ?? 0;
  assert.equal(ub.boxes?.length, 4 * k);
  const boxes = ub.boxes ?? new Float32Array(0);
  const { offset, scale } = run.source.unit;
  const art = run.learner.model as import('../../local/fuzzy-art.js').FuzzyArt;
  for (let j = 0; j < k; j++) {
    const { lower, upper } = art.box(j);
    for (let c = 0; c < 2; c++) {
      assert.ok(Math.abs((boxes[4 * j + c] + offset[c]) * scale - lower[c]) < 1e-5);
      assert.ok(Math.abs((boxes[4 * j + 2 + c] + offset[c]) * scale - upper[c]) < 1e-5);
    }
    let inside = 0;
    for (let i = 0; i < run.source.n; i++) {
      const px = run.source.x[2 * i];
      const py = run.source.x[2 * i + 1];
      if (boxes[4 * j] - 1e-5 <= px && px <= boxes[4 * j + 2] + 1e-5 && boxes[4 * j + 1] - 1e-5 <= py && py <= boxes[4 * j + 3] + 1e-5) inside++;
    }
    assert.ok(inside > 0, `box ${j} holds a sample`);
  }
  run.train(400);
  const high = run.update().figures;
  assert.ok((high.categories ?? 0) > (low.categories ?? 0));
  assert.ok((high.unassigned ?? 1) < (u.figures.unassigned ?? 0));
  assert.ok(run.update().last?.tried !== undefined, 'the step result lists the categories tried');
  assert.throws(() => createRun(toy(200).id, { algorithm: 'kmeans', k: 2, rate: 'count', init: 'random' }).setVigilance(0.5), /ART/);
  disposeRun(run.id);
});

test('RBF: centres, spreads, weights one stage per step, then fine-tuning; refused on images', () => {
  const s = toy(240, 'moons');
  const run = createRun(s.id, { algorithm: 'rbf', units: 8, spreadRule: 'rms', spreadScale: 1 });
  assert.equal(run.update().points.length, 0);
  run.train(1);
  let u = run.update();
  assert.equal(u.figures.stage, 1);
  assert.equal(u.points.length, 16);
  assert.equal(u.spreads, undefined);
  run.train(1);
  u = run.update();
  assert.equal(u.figures.stage, 2);
  assert.equal(u.spreads?.length, 8);
  assert.ok(u.spreads.every((v) => v > 0));
  assert.equal(u.grid, undefined);
  run.train(1);
  u = run.update();
  assert.equal(u.figures.stage, 3);
  assert.equal(u.grid?.cls.length, u.grid ? u.grid.size ** 2 : -1);
  assert.ok((u.figures.accuracy ?? 0) > 0.8, `accuracy ${u.figures.accuracy}`);
  run.train(3);
  assert.equal(run.update().figures.epochs, 3);
  disposeRun(run.id);
});

test('the training loop streams updates and stops at its limit; pause stops it at once', async () => {
  const s = toy(300);
  const run = createRun(s.id, { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' });
  const events: ClusterUpdate[] = [];
  const ctx: Context = { emit: (e, p) => void (e === 'cluster.update' && events.push(p as ClusterUpdate)) };
  await trainLoop(run, ctx, undefined, 1000);
  const last = events[events.length - 1];
  assert.equal(last.running, false);
  assert.equal(last.steps, 1000);
  assert.equal(run.running, false);
  events.length = 0;
  const loop = trainLoop(run, ctx);
  await new Promise((r) => setTimeout(r, 30));
  const paused = clusterHandlers['cluster.pause']({ runId: run.id });
  await loop;
  assert.equal(paused.running, false);
  assert.equal(events.filter((e) => !e.running).length, 0, 'a paused loop leaves the answer to pause');
  assert.equal(run.update().steps, paused.steps, 'no step after the pause');
  disposeRun(run.id);
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
  const run = createRun(info.sourceId, { algorithm: 'kmeans', k: 2, rate: 'count', init: 'kmeans++' });
  run.train(40);
  const u = run.update({ images: true });
  assert.equal(u.images?.length, 2 * 16);
  const proto = run.learner.model?.prototype(0) ?? new Float32Array(0);
  assert.equal(u.images?.[3], Math.round(proto[3] * 255));
  assert.equal(u.figures.purity, 1);
  assert.throws(() => createRun(info.sourceId, { algorithm: 'moe', experts: 2, mode: 'competitive', rate: 0.1 }), /2-D toy sets/);
  disposeRun(run.id);
  workspace.set(null);
  assert.throws(() => openSource({ kind: 'folder' }), /no folder is loaded/);
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
  const made = Array.from({ length: MAX_RUNS + 2 }, () => createRun(s.id, spec).id);
  assert.throws(() => clusterHandlers['cluster.snapshot']({ runId: info.runId }), /no clustering run/);
  assert.ok(clusterHandlers['cluster.snapshot']({ runId: made[made.length - 1] }));
  for (const id of made) disposeRun(id);
  assert.equal(s.runs, 0, 'the source counts the runs on it');
});
