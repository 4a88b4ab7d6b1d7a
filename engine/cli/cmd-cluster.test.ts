import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { toySet } from '../data/toy.js';
import { raw, writeImage } from '../data/testkit.js';
import { artFromFile, kmeansFromFile, readModelFile, somFromFile } from '../io/index.js';
import { clusterDefaults } from '../session/cluster/defaults.js';
import { toySource } from '../session/cluster/source.js';
import { last, locus } from './testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-cli-local-'));
const folder = join(dir, 'lines');
// Runs are recorded in a workspace of this test's own.
process.env.LOCUS_WORKSPACE_DIR = join(dir, 'workspace');
after(() => rmSync(dir, { recursive: true, force: true }));



before(async () => {
  // Two classes of 8x8 images: a horizontal or a vertical bright line, at every position.
  for (let i = 0; i < 16; i++) {
    const p = i % 8;
    await writeImage(join(folder, 'horizontal', `h${i}.png`), raw(8, 8, 1, (_x, y) => (y === p ? 255 : 20)), 8, 8, 1, (s) => s.png());
    await writeImage(join(folder, 'vertical', `v${i}.png`), raw(8, 8, 1, (x) => (x === p ? 255 : 20)), 8, 8, 1, (s) => s.png());
  }
});

test('locus cluster --algo kmeans on a toy set: figures match the saved model, purity and table', async () => {
  const out = join(dir, 'km.json');
  const r = await locus('cluster', '--algo', 'kmeans', '--data', 'toy:blobs', '--k', '3', '--epochs', '2', '--lloyd', '3', '--seed', '4', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const done = last(r);
  assert.equal(done.event, 'done');
  assert.ok(done.purity > 0.95, `purity ${done.purity}`);
  assert.equal(done.table.length, 3);
  assert.equal(done.sizes.reduce((a: number, b: number) => a + b, 0), 500);
  assert.equal(r.json.filter((e) => e.event === 'epoch').length, 2);
  // The printed inertia is the saved model's inertia on the same (seeded) toy set.
  const m = kmeansFromFile(await readModelFile(out));
  const toy = toySet('blobs', 500, new Rng(4));
  assert.equal(m.model.inertia(toy.x, toy.n), done.figures.inertia);
  assert.deepEqual(m.data.classes, ['blobs-0', 'blobs-1', 'blobs-2']);
  assert.equal(m.training.history.length, 2);
  // Human output: the figures and the cluster-by-class table.
  const h = await locus('cluster', '--algo', 'kmeans', '--data', 'toy:blobs', '--k', '3', '--out', join(dir, 'km2.json'));
  assert.equal(h.code, 0);
  assert.match(h.stdout, /inertia \(sum of squared distances\)/);
  assert.match(h.stdout, /cluster-by-class counts/);
  assert.match(h.stdout, /purity \d+\.\d\d%/);
});

test('locus cluster --algo som (hexagonal) and art / art2a on an image folder', async () => {
  const som = join(dir, 'som.json');
  const r = await locus('cluster', '--algo', 'som', '--data', 'toy:moons', '--grid', '4x3', '--topology', 'hex', '--epochs', '2', '--out', som, '--json');
  assert.equal(r.code, 0, r.stderr);
  const f = last(r).figures;
  assert.ok(f.quantizationError > 0 && f.topographicError >= 0 && f.topographicError <= 1);
  const s = somFromFile(await readModelFile(som)).model;
  assert.equal(s.lattice.topology, 'hexagonal');
  assert.equal(s.lattice.size, 12);
  for (const algo of ['art', 'art2a']) {
    const out = join(dir, `${algo}.json`);
    const a = await locus('cluster', '--algo', algo, '--data', folder, '--size', '8', '--no-cache', '--vigilance', '0.9', '--epochs', '2', '--out', out, '--json');
    assert.equal(a.code, 0, a.stderr);
    const done = last(a);
    assert.ok(done.figures.categories >= 2, `${algo}: ${done.figures.categories} categories`);
    assert.deepEqual(done.classes, ['horizontal', 'vertical']);
    assert.ok(done.purity > 0.9, `${algo} purity ${done.purity}`);
    const loaded = artFromFile(await readModelFile(out));
    assert.equal(loaded.variant, algo === 'art' ? 'fuzzy' : 'art2a');
    assert.deepEqual(loaded.data.input, { channels: 1, height: 8, width: 8 });
  }
});

test('locus cluster refuses bad options with exit code 2 and the usage', async () => {
  for (const argv of [
    ['cluster', '--data', 'toy:blobs', '--out', 'x.json'],
    ['cluster', '--algo', 'som', '--data', 'toy:blobs', '--grid', '10', '--out', 'x.json'],
    ['cluster', '--algo', 'kmeans', '--data', 'toy:cubes', '--out', 'x.json'],
    ['cluster', '--algo', 'kmeans', '--data', 'toy:blobs', '--k', '0', '--out', 'x.json'],
    ['cluster', '--algo', 'fuzzy', '--data', 'toy:blobs', '--out', 'x.json'],
  ]) {
    const r = await locus(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, /locus cluster --algo/);
  }
  const r = await locus('cluster', '--algo', 'kmeans', '--data', join(dir, 'missing'), '--out', join(dir, 'x.json'));
  assert.equal(r.code, 1);
});

test('locus train --model rbf|moe, then eval, predict and info on the saved files', async () => {
  const rbf = join(dir, 'rbf.json');
  const common = ['--data', folder, '--size', '8', '--no-cache', '--val', '0.25', '--json'];
  const t = await locus('train', '--model', 'rbf', '--units', '16', '--supervised', '--epochs', '2', ...common, '--out', rbf);
  assert.equal(t.code, 0, t.stderr);
  const hist = last(t).history;
  assert.equal(hist.length, 3, 'hybrid fit then two supervised epochs');
  const e = await locus('eval', '--model', rbf, '--data', folder, '--no-cache', '--json');
  assert.equal(e.code, 0, e.stderr);
  const ev = last(e);
  assert.equal(ev.kind, 'rbf');
  assert.equal(ev.n, 32);
  assert.equal(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0), 32);
  assert.ok(ev.accuracy > 0.8, `rbf accuracy ${ev.accuracy}`);
  const p = await locus('predict', '--model', rbf, join(folder, 'vertical', 'v3.png'), join(dir, 'nothing.png'), '--json');
  assert.equal(p.code, 0);
  assert.equal(p.json[0].class, 'vertical');
  assert.match(p.json[1].file, /nothing\.png/);
  assert.ok(p.json[1].error);
  const i = await locus('info', rbf, '--json');
  assert.equal(last(i).units, 16);
  assert.equal(last(i).variant, 'network');

  const moe = join(dir, 'moe.json');
  const m = await locus('train', '--model', 'moe', '--experts', '2', '--epochs', '3', '--lr', '0.01', ...common, '--out', moe);
  assert.equal(m.code, 0, m.stderr);
  assert.equal(last(m).history.length, 3);
  const me = await locus('eval', '--model', moe, '--data', folder, '--no-cache', '--json');
  assert.equal(me.code, 0, me.stderr);
  assert.ok(last(me).accuracy >= 0.5);
  const mi = await locus('info', moe);
  assert.match(mi.stdout, /mixture of experts: 2 softmax experts \(cooperative\) on 64 inputs, 2 outputs/);
  const comp = await locus('train', '--model', 'moe', '--mode', 'competitive', '--optimizer', 'sgd', '--epochs', '2', ...common, '--out', join(dir, 'moe-c.json'));
  assert.equal(comp.code, 0, comp.stderr);
  const saved = JSON.parse(readFileSync(join(dir, 'moe-c.json'), 'utf8'));
  assert.equal(saved.model.config.mode, 'competitive');
  assert.equal(saved.model.config.output, 'softmax');
  assert.deepEqual(saved.model.training.settings.optimizer, { type: 'sgd', lr: 0.05 });
  const wrong = await locus('train', '--model', 'moe', '--momentum', '0.5', ...common, '--out', join(dir, 'moe-x.json'));
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--momentum is not used by --model moe/);
  const ki = await locus('info', join(dir, 'km.json'));
  assert.match(ki.stdout, /online k-means: 3 centroids of 2 values/);
  const bad = await locus('train', '--model', 'rbf', '--units', '100', ...common, '--out', join(dir, 'r2.json'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--units 100 needs at least 100 training images/);
});

test('locus cluster --algo kmeans --epochs 0 --lloyd N --restarts R: Lloyd alone from greedy k-means++, the start with the lowest inertia kept', async () => {
  const out = join(dir, 'km-lloyd.json');
  const r = await locus('cluster', '--algo', 'kmeans', '--data', 'toy:blobs', '--k', '5', '--epochs', '0', '--lloyd', '100', '--restarts', '4', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.filter((e) => e.event === 'epoch').length, 0, 'no online epochs');
  assert.equal(r.json.filter((e) => e.event === 'start').length, 4);
  const finals = r.json.filter((e) => e.event === 'lloyd').map((e) => e.inertia[e.inertia.length - 1] as number);
  assert.equal(finals.length, 4);
  assert.ok(r.json.filter((e) => e.event === 'lloyd').every((e) => e.iterations < 100), 'Lloyd stops once stable');
  const done = last(r);
  assert.ok(Math.abs(done.figures.inertia - Math.min(...finals)) <= 1e-9 * done.figures.inertia, `kept ${done.figures.inertia}, starts ${finals}`);
  const saved = kmeansFromFile(await readModelFile(out));
  const toy = toySource({ kind: 'toy', name: 'blobs', n: 500, seed: 1 });
  assert.ok(Math.abs(saved.model.inertia(toy.x, toy.n) - done.figures.inertia) <= 1e-6 * done.figures.inertia, 'the saved centroids are the kept ones');
  assert.equal(saved.training.settings.restarts, 4);
  const none = await locus('cluster', '--algo', 'kmeans', '--data', 'toy:blobs', '--epochs', '0', '--out', out);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--epochs 0 needs --lloyd N/);
  const art = await locus('cluster', '--algo', 'art', '--data', 'toy:blobs', '--restarts', '2', '--out', out);
  assert.equal(art.code, 2);
});

test('locus cluster without settings uses the app\'s defaults for the data (engine/session/cluster/defaults.ts)', async () => {
  const blobs = toySource({ kind: 'toy', name: 'blobs', n: 500, seed: 1 });
  const d = clusterDefaults(blobs);
  const km = await locus('cluster', '--algo', 'kmeans', '--data', 'toy:blobs', '--epochs', '1', '--out', join(dir, 'd-km.json'), '--json');
  assert.equal(km.code, 0, km.stderr);
  assert.equal(d.kmeans.algorithm, 'kmeans');
  assert.equal(last(km).clusters, d.kmeans.algorithm === 'kmeans' ? d.kmeans.k : -1);
  const som = join(dir, 'd-som.json');
  const s = await locus('cluster', '--algo', 'som', '--data', 'toy:blobs', '--epochs', '1', '--out', som, '--json');
  assert.equal(s.code, 0, s.stderr);
  const m = somFromFile(await readModelFile(som)).model;
  assert.ok(d.som.algorithm === 'som');
  assert.deepEqual([m.lattice.width, m.lattice.height, m.lattice.topology], [d.som.width, d.som.height, d.som.topology]);
  assert.deepEqual({ rate: m.config.rate.kind, radius: m.config.radius.kind, start: m.config.radius.start }, { rate: d.som.rate.kind, radius: d.som.radius.kind, start: d.som.radius.start });
  const art = await locus('cluster', '--algo', 'art', '--data', 'toy:blobs', '--epochs', '1', '--out', join(dir, 'd-art.json'), '--json');
  assert.equal(art.code, 0, art.stderr);
  const file = await readModelFile(join(dir, 'd-art.json'));
  assert.equal(artFromFile(file).model.vigilance, d['fuzzy-art'].algorithm === 'fuzzy-art' ? d['fuzzy-art'].vigilance : -1);
});

test('locus cluster records its run in the workspace (kind cluster, its settings, figures, history and model); locus runs lists it', async () => {
  const r = await locus('cluster', '--algo', 'kmeans', '--data', 'toy:moons', '--k', '4', '--epochs', '2', '--name', 'moons in four', '--out', join(dir, 'rec.json'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const rec = r.json.find((e) => e.event === 'run');
  assert.ok(rec?.saved, 'the run was recorded');
  const folder = join(dir, 'workspace', rec.id);
  const saved = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
  assert.equal(saved.run.kind, 'cluster');
  assert.equal(saved.run.name, 'moons in four');
  assert.equal(saved.run.origin, 'cli');
  assert.deepEqual([saved.run.config.algorithm, saved.run.config.k, saved.run.config.epochs], ['kmeans', 4, 2]);
  assert.equal(saved.run.figures.inertia, last(r).figures.inertia);
  assert.equal(saved.run.figures.purity, last(r).purity);
  assert.equal(saved.history.length, 2);
  assert.deepEqual(saved.classes, ['moons-0', 'moons-1']);
  assert.equal(kmeansFromFile(await readModelFile(join(folder, 'model.json'))).model.prototypes.count, 4);
  // locus runs lists it beside the other kinds, labelled by its algorithm.
  const list = await locus('runs', 'list', '--kind', 'cluster', '--json');
  const listed = last(list).runs.find((x: { id: string }) => x.id === rec.id);
  assert.deepEqual([listed?.kind, listed?.name, listed?.figures.inertia], ['cluster', 'moons in four', last(r).figures.inertia]);
  const off = await locus('cluster', '--algo', 'kmeans', '--data', 'toy:moons', '--epochs', '1', '--no-workspace', '--out', join(dir, 'rec2.json'), '--json');
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.json.filter((e) => e.event === 'run').length, 0);
});
