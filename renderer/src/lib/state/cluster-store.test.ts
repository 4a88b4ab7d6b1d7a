/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
/**
 * The Clustering view's store (compiled from its runes like the app's) against a stand-in engine: each
 * source keeps its panels and runs when another is shown, and nothing is asked again or thrown away when
 * it comes back; a closed panel or a switched algorithm can be undone; a new folder load removes the old
 * folder's runs; runs the engine held before the page was loaded are offered; panels start from the
 * defaults the engine sends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterDefaults, ClusterRun, ClusterSource, ClusterSourceSpec, ClusterSpec, ClusterUpdate } from '../../../../engine/protocol/cluster.js';
import type { EventName, LabApi, MethodName, Params, Payload, Result } from '../../../../engine/protocol/contract.js';
import { ClusterStore } from './cluster.svelte.js';

const DEFAULTS: ClusterDefaults = {
  kmeans: { algorithm: 'kmeans', k: 7, rate: 'count', init: 'kmeans++' },
  'fuzzy-art': { algorithm: 'fuzzy-art', vigilance: 0.5, alpha: 0.001, beta: 0.5 },
  art2a: { algorithm: 'art2a', vigilance: 0.7, beta: 0.1 },
  som: { algorithm: 'som', width: 3, height: 2, topology: 'rectangular', neighbourhood: 'gaussian', init: 'pca', rate: { kind: 'linear', start: 0.5, end: 0.01 }, radius: { kind: 'exponential', start: 1.5, end: 0.5 }, epochs: 4 },
  rbf: { algorithm: 'rbf', units: 4, spreadRule: 'rms', spreadScale: 1 },
  moe: { algorithm: 'moe', experts: 2, mode: 'competitive', rate: 0.5 },
};

/** A stand-in engine: sources by spec, runs with a step count and an undo depth, every call recorded. */
function fakeEngine(opts: { earlier?: number[] } = {}) {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const sources = new Map<string, ClusterSource>();
  const runs = new Map<number, { spec: ClusterSpec; sourceId: number; steps: number; undo: number }>();
  let nextRun = 100;
  for (const id of opts.earlier ?? []) runs.set(id, { spec: DEFAULTS.som, sourceId: 1, steps: 42, undo: 1 });
  const update = (runId: number): ClusterUpdate => {
    const r = runs.get(runId);
    if (!r) throw new Error(`no clustering run ${runId}`);
    const k = r.spec.algorithm === 'kmeans' ? r.spec.k : 2;
    return { runId, seq: 1, running: false, steps: r.steps, epoch: 0, undo: r.undo, points: new Float32Array(2 * k), frozen: new Uint8Array(k), sizes: new Int32Array(k), labels: new Int32Array(4), figures: {} };
  };
  const info = (runId: number): ClusterRun => {
    const r = runs.get(runId);
    if (!r) throw new Error(`no clustering run ${runId}`);
    return { runId, sourceId: r.sourceId, spec: r.spec, lattice: null, editable: true, update: update(runId) };
  };
  const answers: Record<string, (p: Record<string, unknown>) => unknown> = {
    'cluster.source': (p) => {
      const spec = p.source as ClusterSourceSpec;
      const key = JSON.stringify(spec);
      let s = sources.get(key);
      if (!s) {
        s = { sourceId: sources.size + 1, name: spec.kind === 'folder' ? 'folder' : spec.name, n: 4, dim: 2, image: null, classes: ['a', 'b'], labels: new Int32Array(4), points: new Float32Array(8), bounds: { x0: 0, x1: 1, y0: 0, y1: 1 }, defaults: DEFAULTS, runs: [] };
        sources.set(key, s);
      }
      const id = s.sourceId;
      return { ...s, runs: [...runs].filter(([, r]) => r.sourceId === id).map(([runId]) => runId) };
    },
    'cluster.create': (p) => {
      const runId = nextRun++;
      runs.set(runId, { spec: p.spec as ClusterSpec, sourceId: p.sourceId as number, steps: 0, undo: 0 });
      return info(runId);
    },
    'cluster.step': (p) => {
      const r = runs.get(p.runId as number);
      if (!r) throw new Error(`no clustering run ${p.runId}`);
      r.steps += p.samples as number;
      return update(p.runId as number);
    },
    'cluster.snapshot': (p) => info(p.runId as number),
    'cluster.pause': (p) => update(p.runId as number),
    'cluster.reset': (p) => {
      const r = runs.get(p.runId as number);
      if (!r) throw new Error(`no clustering run ${p.runId}`);
      Object.assign(r, { spec: (p.spec as ClusterSpec | undefined) ?? r.spec, steps: 0, undo: 0 });
      return info(p.runId as number);
    },
    'cluster.dispose': (p) => ({ disposed: runs.delete(p.runId as number) }),
  };
  const api: LabApi = {
    transport: 'browser',
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      calls.push({ method, params: params as Record<string, unknown> });
      const h = answers[method];
      if (!h) throw new Error(`${method}: not answered here`);
      return h(params as Record<string, unknown>) as Result<M>;
    },
    on<E extends EventName>(event: E, listener: (payload: Payload<E>) => void) {
      const list = listeners.get(event) ?? [];
      list.push(listener as (p: unknown) => void);
      listeners.set(event, list);
      return () => {};
    },
    pathForFile: () => null,
  };
  const emit = <E extends EventName>(event: E, payload: Payload<E>) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  const count = (method: string) => calls.filter((c) => c.method === method).length;
  return { api, emit, calls, runs, count };
}

const TOY: ClusterSourceSpec = { kind: 'toy', name: 'moons', n: 300, seed: 1 };

test('each source keeps its panels and runs: switching back asks for nothing new and disposes nothing', async () => {
  const e = fakeEngine();
  const store = new ClusterStore(e.api);
  await store.ensure(true, 1);
  assert.equal(store.sourceSpec?.kind, 'folder');
  const folderPanels = store.panels;
  assert.deepEqual(folderPanels.map((p) => p.algorithm), ['kmeans', 'art2a', 'som']);
  assert.deepEqual(folderPanels[0].spec, DEFAULTS.kmeans, 'panels start from the defaults the engine sent');
  await folderPanels[0].step();
  assert.equal(folderPanels[0].update?.steps, 10);

  await store.choose(TOY, 1);
  assert.equal(store.sourceSpec?.kind, 'toy');
  assert.notEqual(store.panels, folderPanels);
  assert.equal(e.count('cluster.create'), 6);
  assert.equal(e.count('cluster.dispose'), 0, 'switching disposes nothing');

  const sourcesAsked = e.count('cluster.source');
  await store.choose({ kind: 'folder' }, 1);
  assert.equal(store.panels, folderPanels, 'the same panels come back');
  assert.equal(store.panels[0].update?.steps, 10, 'with their work');
  assert.equal(e.count('cluster.source'), sourcesAsked, 'the source is not asked for again');
  assert.equal(e.count('cluster.create'), 6, 'no run is made again');
  assert.equal(e.count('cluster.dispose'), 0);
  assert.deepEqual(store.sources.map((s) => s.spec.kind).sort(), ['folder', 'toy']);

  // A new folder load: the old folder's runs cannot be shown again, so they are removed.
  await store.ensure(true, 2);
  assert.notEqual(store.panels, folderPanels);
  assert.equal(e.count('cluster.dispose'), 3);
  for (const p of folderPanels) assert.equal(e.runs.has(p.run?.runId ?? folderPanels.indexOf(p)), false);
  assert.equal(store.sources.filter((s) => s.spec.kind === 'folder').length, 1);
});

test('a closed panel and a switched algorithm can be undone; forgetting removes the run', async () => {
  const e = fakeEngine();
  const store = new ClusterStore(e.api);
  await store.choose(TOY, 1);
  const [km, art, som] = store.panels;
  await store.removePanel(som);
  assert.deepEqual(store.panels, [km, art]);
  assert.equal(e.count('cluster.dispose'), 0, 'a closed panel keeps its run');
  await store.undoClose();
  assert.deepEqual(store.panels, [km, art, som]);

  // A panel without work simply starts again with the other algorithm ...
  await store.switchAlgorithm(art, 'fuzzy-art');
  assert.equal(store.panels[1], art);
  assert.equal(art.algorithm, 'fuzzy-art');
  assert.equal(store.closed.length, 0);
  // ... one with work is replaced, and Undo puts it back.
  await km.step();
  await store.switchAlgorithm(km, 'som');
  const replacement = store.panels[0];
  assert.notEqual(replacement, km);
  assert.equal(replacement.algorithm, 'som');
  assert.equal(store.closed[0]?.panel, km);
  assert.equal(store.closed[0]?.replacedBy, replacement);
  await store.undoClose();
  assert.equal(store.panels[0], km);
  assert.equal(km.algorithm, 'kmeans');
  assert.equal(e.runs.has(replacement.run?.runId ?? -1), false, 'the replacement had no work: its run is removed');

  await store.setPanelCount(1);
  assert.equal(store.closed.length, 2);
  await store.forgetClosed();
  assert.equal(store.closed.length, 0);
  assert.equal(e.count('cluster.dispose'), 3);
});

test('runs the engine held before the page was loaded are offered, shown as they were, or forgotten', async () => {
  const e = fakeEngine({ earlier: [3, 4] });
  const store = new ClusterStore(e.api);
  await store.ensure(true, 1);
  assert.deepEqual(store.earlier, [3, 4]);
  const fresh = store.panels;
  await store.showEarlier();
  assert.deepEqual(store.panels.map((p) => p.run?.runId), [3, 4]);
  assert.equal(store.panels[0].update?.steps, 42);
  assert.deepEqual(store.earlier, []);
  for (const p of fresh) assert.equal(e.runs.has(p.run?.runId ?? -1), false, 'the fresh panels had no work: removed');

  const e2 = fakeEngine({ earlier: [5] });
  const s2 = new ClusterStore(e2.api);
  await s2.ensure(true, 1);
  await s2.forgetEarlier();
  assert.equal(e2.runs.has(5), false);
  assert.deepEqual(s2.earlier, []);
});

test('after an engine restart every source starts again', async () => {
  const e = fakeEngine();
  const store = new ClusterStore(e.api);
  await store.choose(TOY, 1);
  const panels = store.panels;
  e.emit('engine.restarted', { reason: 'test' } as never);
  assert.equal(store.source, null);
  assert.deepEqual(store.sources, []);
  assert.ok(panels.every((p) => p.run === null));
  await store.ensure(false, 1);
  assert.equal(store.sourceSpec?.kind, 'toy');
  assert.deepEqual(store.sourceSpec, TOY, 'the last toy set is shown again');
  assert.equal(store.panels.length, 3);
});
