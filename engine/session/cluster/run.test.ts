/**
 * A clustering run without a transport: figures, prototype edits and undo against a fresh assignment
 * pass, deltas, ART vigilance, RBF stages, and the training loop with its update callback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../core/rng.js';
import type { ClusterEdit, ClusterUpdate } from '../../protocol/cluster.js';
import { METHODS } from '../../protocol/contract.js';
import { ClusterRegistry } from './registry.js';
import { FULL_LABELS_UP_TO, purity, type Run } from './run.js';
import { fresh, Mirror, toySourceOf } from './testkit.js';

const clusters = new ClusterRegistry();

test('k-means figures: inertia is the sum of squared distances to the nearest centroid; purity by hand', () => {
  const s = toySourceOf(clusters, 90);
  const run = clusters.create(s.id, { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' });
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
  clusters.dispose(run.id);
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
  const run = clusters.create(toySourceOf(clusters, 300).id, { algorithm: 'kmeans', k: 5, rate: 'count', init: 'kmeans++' });
  run.train(300);
  randomEdits(run, new Rng(11), 48, true);
  clusters.dispose(run.id);
});

test('edits and undo on Fuzzy ART (boxes in [0, 1] coordinates) and on a SOM lattice (no add/remove)', () => {
  const art = clusters.create(toySourceOf(clusters, 200).id, { algorithm: 'fuzzy-art', vigilance: 0.75, alpha: 0.001, beta: 1 });
  art.train(200);
  randomEdits(art, new Rng(5), 50, true);
  clusters.dispose(art.id);
  const som = clusters.create(toySourceOf(clusters, 200).id, {
    algorithm: 'som', width: 3, height: 3, topology: 'rectangular', neighbourhood: 'gaussian', init: 'random',
    rate: { kind: 'asymptotic', start: 0.5 }, radius: { kind: 'asymptotic', start: 1 }, epochs: 2,
  });
  som.train(100);
  randomEdits(som, new Rng(6), 40, false);
  assert.throws(() => som.edit({ op: 'add', sample: 0 }), /fixed set of units/);
  clusters.dispose(som.id);
});

test('a drag: the prototype lands on the plane point; one drag (a group) undoes in one step', () => {
  const s = toySourceOf(clusters, 150);
  const run = clusters.create(s.id, { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' });
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
  clusters.dispose(run.id);
});

test('large sets send what changed (deltas against the previous message), small ones the whole assignment', () => {
  const s = toySourceOf(clusters, FULL_LABELS_UP_TO + 904);
  const run = clusters.create(s.id, { algorithm: 'kmeans', k: 6, rate: 'count', init: 'random' });
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
  clusters.dispose(run.id);
});

test('ART vigilance: raising it leaves samples unplaced until training makes categories for them', () => {
  const run = clusters.create(toySourceOf(clusters, 200).id, { algorithm: 'fuzzy-art', vigilance: 0.6, alpha: 0.001, beta: 1 });
  run.train(400);
  const low = run.update().figures;
  assert.equal(low.unassigned, 0);
  const u = clusters.setVigilance(run, 0.95);
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
  assert.throws(() => clusters.create(toySourceOf(clusters, 200).id, { algorithm: 'kmeans', k: 2, rate: 'count', init: 'random' }).setVigilance(0.5), /ART/);
  clusters.dispose(run.id);
});

test('RBF: centres, spreads, weights one stage per step, then fine-tuning; refused on images', () => {
  const s = toySourceOf(clusters, 240, 'moons');
  const run = clusters.create(s.id, { algorithm: 'rbf', units: 8, spreadRule: 'rms', spreadScale: 1 });
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
  clusters.dispose(run.id);
});

test('the training loop streams updates and stops at its limit; pause stops it at once', async () => {
  const s = toySourceOf(clusters, 300);
  const run = clusters.create(s.id, { algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' });
  const events: ClusterUpdate[] = [];
  const emit = (u: ClusterUpdate): void => void events.push(u);
  await clusters.train(run, emit, undefined, 1000);
  const last = events[events.length - 1];
  assert.equal(last.running, false);
  assert.equal(last.steps, 1000);
  assert.equal(run.running, false);
  events.length = 0;
  const loop = clusters.train(run, emit);
  await new Promise((r) => setTimeout(r, 30));
  clusters.stop(run);
  const paused = run.update({ images: true });
  await loop;
  assert.equal(paused.running, false);
  assert.equal(events.filter((e) => !e.running).length, 0, 'a paused loop leaves the answer to pause');
  assert.equal(run.update().steps, paused.steps, 'no step after the pause');
  clusters.dispose(run.id);
});

