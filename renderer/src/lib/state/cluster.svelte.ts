/**
 * The Clustering view's state: the data source shared by every panel (the loaded folder or a toy set,
 * with its projection on the plane, fetched once) and one ClusterPanel per run side by side. The engine
 * does the math; this keeps what it last said: prototype positions, the assignment (whole, or patched
 * by deltas with a sequence check, resynchronized when one is missed), figures and images.
 * One store per window, kept across view switches so runs survive them.
 */
import {
  type ClusterAlgorithm,
  type ClusterEdit,
  type ClusterRun,
  type ClusterSource,
  type ClusterSourceSpec,
  type ClusterSpec,
  type ClusterUpdate,
  TOY_ONLY_ALGORITHMS,
} from '../../../../engine/protocol/cluster.js';
import type { LabApi } from '../../../../engine/protocol/contract.js';
import { asLabError } from '../api.js';
import { DEFAULT_PANELS, defaultSpec } from './cluster-defaults.js';

export type StepSize = 1 | 10 | 100 | 'epoch';
export const SPEEDS = [
  { label: 'Slow', value: 40 },
  { label: 'Medium', value: 400 },
  { label: 'Fast', value: 4000 },
  { label: 'Full speed', value: 0 },
] as const;

export interface EditStatus {
  text: string;
  /** Samples the engine reported as changed (summed over a drag). */
  changed: number;
}

let nextKey = 1;

export class ClusterPanel {
  readonly key = nextKey++;
  #api: LabApi;
  #store: ClusterStore;
  #spec = $state.raw<ClusterSpec>({ algorithm: 'kmeans', k: 3, rate: 'count', init: 'kmeans++' });
  #run = $state.raw<ClusterRun | null>(null);
  #update = $state.raw<ClusterUpdate | null>(null);
  #labels = $state.raw<Int32Array | null>(null);
  #images = $state.raw<Uint8Array | null>(null);
  #running = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #status = $state.raw<EditStatus | null>(null);
  #seq = -1;
  selected = $state(-1);
  colorBy = $state<'cluster' | 'class'>('cluster');
  regions = $state<'decision' | 'gating'>('decision');
  stepSize = $state<StepSize>(10);
  speed = $state<number>(400);
  // a drag: the latest target waits while one move is in flight
  #target: { index: number; x: number; y: number; group: number } | null = null;
  #moving: Promise<void> | null = null;
  #dragGroup = 0;
  #dragChanged = 0;

  constructor(api: LabApi, store: ClusterStore, spec: ClusterSpec) {
    this.#api = api;
    this.#store = store;
    this.#spec = spec;
  }

  get spec(): ClusterSpec {
    return this.#spec;
  }
  get algorithm(): ClusterAlgorithm {
    return this.#spec.algorithm;
  }
  get run(): ClusterRun | null {
    return this.#run;
  }
  get update(): ClusterUpdate | null {
    return this.#update;
  }
  get labels(): Int32Array | null {
    return this.#labels;
  }
  get images(): Uint8Array | null {
    return this.#images;
  }
  get running(): boolean {
    return this.#running;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }
  get status(): EditStatus | null {
    return this.#status;
  }
  get prototypes(): number {
    return this.#update ? this.#update.points.length / 2 : 0;
  }

  clearError(): void {
    this.#error = null;
  }

  async #call<T>(f: () => Promise<T>): Promise<T | null> {
    try {
      return await f();
    } catch (e) {
      this.#error = asLabError(e).message;
      return null;
    }
  }

  /** A new run on the store's source (the old one, if any, is disposed). */
  async create(spec: ClusterSpec = this.#spec): Promise<void> {
    const source = this.#store.source;
    if (!source) return;
    this.#spec = spec;
    await this.dispose();
    this.#busy = true;
    this.#error = null;
    const run = await this.#call(() => this.#api.call('cluster.create', { sourceId: source.sourceId, spec }));
    this.#busy = false;
    if (run) this.#setRun(run);
  }

  #setRun(run: ClusterRun): void {
    this.#run = run;
    this.#spec = run.spec;
    this.#seq = -1;
    this.#running = false;
    this.#status = null;
    this.#images = null;
    this.selected = -1;
    this.colorBy = TOY_ONLY_ALGORITHMS.includes(run.spec.algorithm) ? 'class' : 'cluster';
    this.apply(run.update, true);
  }

  /** Apply what the engine sent (events and replies alike). */
  apply(u: ClusterUpdate, reply = false): void {
    const run = this.#run;
    if (!run || u.runId !== run.runId) return;
    if (u.labels) {
      if (u.seq >= this.#seq) {
        this.#labels = u.labels;
        this.#seq = u.seq;
      }
    } else if (u.delta) {
      const cur = this.#labels;
      if (cur && u.delta.base === this.#seq) {
        const next = Int32Array.from(cur);
        for (let t = 0; t < u.delta.samples.length; t++) next[u.delta.samples[t]] = u.delta.to[t];
        this.#labels = next;
        this.#seq = u.seq;
      } else if (u.seq > this.#seq) void this.resync();
    }
    if (u.images) this.#images = u.images;
    this.#update = u;
    // An event still in flight after a pause must not make the panel look like it runs again.
    if (reply || !u.running) this.#running = u.running;
    if (u.error) this.#error = `Training stopped: ${u.error}`;
    if (this.selected >= this.prototypes) this.selected = -1;
  }

  async resync(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    const r = await this.#call(() => this.#api.call('cluster.snapshot', { runId: run.runId }));
    if (r) {
      this.#seq = -1;
      this.apply(r.update, true);
    }
  }

  async step(): Promise<void> {
    const run = this.#run;
    const source = this.#store.source;
    if (!run || !source || this.#running) return;
    const toy = TOY_ONLY_ALGORITHMS.includes(run.spec.algorithm);
    const samples = toy ? 1 : this.stepSize === 'epoch' ? source.n : this.stepSize;
    this.#busy = true;
    const u = await this.#call(() => this.#api.call('cluster.step', { runId: run.runId, samples }));
    this.#busy = false;
    if (u) this.apply(u, true);
  }

  async start(): Promise<void> {
    const run = this.#run;
    if (!run || this.#running) return;
    this.#running = true;
    const params: { runId: number; speed?: number } = { runId: run.runId };
    if (this.speed > 0 && !TOY_ONLY_ALGORITHMS.includes(run.spec.algorithm)) params.speed = this.speed;
    const r = await this.#call(() => this.#api.call('cluster.run', params));
    if (!r) this.#running = false;
  }

  async pause(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    const u = await this.#call(() => this.#api.call('cluster.pause', { runId: run.runId }));
    if (u) this.apply(u, true);
  }

  async reset(spec?: ClusterSpec): Promise<void> {
    const run = this.#run;
    if (!run) return this.create(spec);
    this.#busy = true;
    this.#error = null;
    let gone = false;
    const r = await this.#call(async () => {
      try {
        return await this.#api.call('cluster.reset', spec ? { runId: run.runId, spec } : { runId: run.runId });
      } catch (e) {
        // The engine dropped the run (too many runs, or it restarted): start a new one instead.
        gone = /no clustering run/.test(asLabError(e).message);
        throw e;
      }
    });
    this.#busy = false;
    if (r) this.#setRun(r);
    else if (gone) {
      this.#run = null;
      await this.create(spec ?? this.#spec);
    }
  }

  /** Switch algorithm: a fresh run with that algorithm's default settings. */
  async setAlgorithm(a: ClusterAlgorithm): Promise<void> {
    await this.reset(defaultSpec(a, this.#store.source));
  }

  async setVigilance(v: number): Promise<void> {
    const run = this.#run;
    if (!run) return;
    const u = await this.#call(() => this.#api.call('cluster.vigilance', { runId: run.runId, vigilance: v }));
    if (u) {
      this.apply(u, true);
      if (this.#spec.algorithm === 'fuzzy-art' || this.#spec.algorithm === 'art2a') this.#spec = { ...this.#spec, vigilance: v };
    }
  }

  async edit(edit: ClusterEdit): Promise<number | null> {
    const run = this.#run;
    if (!run) return null;
    const r = await this.#call(() => this.#api.call('cluster.edit', { runId: run.runId, edit }));
    if (!r) return null;
    this.apply(r.update, true);
    const n = r.changed.samples.length;
    const samples = (c: number) => `${c} sample${c === 1 ? '' : 's'} changed ${run.lattice ? 'unit' : 'cluster'}`;
    const name = (j: number) => `${run.lattice ? 'unit' : 'prototype'} ${j + 1}`;
    if (edit.op === 'move') {
      this.#dragChanged += n;
      this.#status = { text: `Moved ${name(edit.index)} · ${samples(this.#dragChanged)}`, changed: this.#dragChanged };
    } else if (edit.op === 'add') {
      this.selected = r.index;
      this.#status = { text: `Added ${name(r.index)} · ${samples(n)}`, changed: n };
    } else if (edit.op === 'remove') {
      this.selected = -1;
      this.#status = { text: `Removed ${name(edit.index)} · ${samples(n)}`, changed: n };
    } else if (edit.op === 'freeze') {
      this.#status = { text: `${edit.frozen ? 'Froze' : 'Unfroze'} ${name(edit.index)}: training ${edit.frozen ? 'leaves it where it is' : 'moves it again'}`, changed: 0 };
    } else if (edit.op === 'set') {
      this.#status = { text: `Put ${name(edit.index)} on sample ${edit.sample + 1} · ${samples(n)}`, changed: n };
    } else {
      this.#status = { text: `Undone · ${samples(n)}`, changed: n };
    }
    return n;
  }

  /** A drag of prototype `index` to the plane point (x, y); one drag (same group) undoes as one edit. */
  drag(index: number, x: number, y: number, first: boolean): Promise<void> {
    if (first) {
      this.#dragGroup++;
      this.#dragChanged = 0;
    }
    this.#target = { index, x, y, group: this.#dragGroup };
    this.#moving ??= this.#pump();
    return this.#moving;
  }

  async #pump(): Promise<void> {
    while (this.#target) {
      const t = this.#target;
      this.#target = null;
      await this.edit({ op: 'move', ...t });
    }
    this.#moving = null;
  }

  async undo(): Promise<void> {
    if ((this.#update?.undo ?? 0) > 0) await this.edit({ op: 'undo' });
  }

  async dispose(): Promise<void> {
    const run = this.#run;
    this.#run = null;
    this.#update = null;
    this.#labels = null;
    this.#images = null;
    this.#running = false;
    if (run) await this.#api.call('cluster.dispose', { runId: run.runId }).catch(() => {});
  }

  /** Forget the run without telling the engine (it restarted: the run is gone). */
  drop(): void {
    this.#run = null;
    this.#update = null;
    this.#labels = null;
    this.#running = false;
  }
}

export const TOY_DEFAULT: Extract<ClusterSourceSpec, { kind: 'toy' }> = { kind: 'toy', name: 'blobs', n: 600, seed: 1 };

export class ClusterStore {
  #api: LabApi;
  #source = $state.raw<ClusterSource | null>(null);
  #sourceSpec = $state.raw<ClusterSourceSpec | null>(null);
  #panels = $state.raw<ClusterPanel[]>([]);
  #loading = $state(false);
  #error = $state<string | null>(null);
  /** The data generation the folder source was made from. */
  #generation = -1;
  /** The user picked the toy set (a folder loaded later does not replace it). */
  #toyChosen = false;
  #thumbs = new Map<number, Promise<Uint8Array | null>>();
  /** The panel edited last: Ctrl+Z goes to it. */
  lastEdited = $state<ClusterPanel | null>(null);

  constructor(api: LabApi) {
    this.#api = api;
    api.on('cluster.update', (u) => {
      for (const p of this.#panels) if (p.run?.runId === u.runId) p.apply(u);
    });
    api.on('engine.restarted', () => {
      for (const p of this.#panels) p.drop();
      this.#source = null;
      this.#generation = -1;
    });
  }

  get source(): ClusterSource | null {
    return this.#source;
  }
  get sourceSpec(): ClusterSourceSpec | null {
    return this.#sourceSpec;
  }
  get panels(): ClusterPanel[] {
    return this.#panels;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }
  get anyRunning(): boolean {
    return this.#panels.some((p) => p.running);
  }

  /**
   * Called when the view shows or the data changes: the folder if one is loaded (again if it changed),
   * else a toy set; nothing if the current source is still right.
   */
  async ensure(hasFolder: boolean, generation: number): Promise<void> {
    const spec = this.#sourceSpec;
    if (this.#source && spec) {
      if (spec.kind === 'toy' && (this.#toyChosen || !hasFolder)) return;
      if (spec.kind === 'folder' && hasFolder && generation === this.#generation) return;
    }
    await this.open(hasFolder ? { kind: 'folder' } : (spec?.kind === 'toy' ? spec : TOY_DEFAULT), generation);
  }

  /** The user's choice of source. */
  choose(spec: ClusterSourceSpec, generation: number): Promise<void> {
    this.#toyChosen = spec.kind === 'toy';
    return this.open(spec, generation);
  }

  #opening: Promise<void> = Promise.resolve();

  /** Switch every panel to a new source (runs start again on it); one switch at a time. */
  open(spec: ClusterSourceSpec, generation = this.#generation): Promise<void> {
    this.#opening = this.#opening.then(() => this.#open(spec, generation));
    return this.#opening;
  }

  async #open(spec: ClusterSourceSpec, generation: number): Promise<void> {
    const cur = this.#sourceSpec;
    if (this.#source && cur && JSON.stringify(cur) === JSON.stringify(spec) && (spec.kind === 'toy' || generation === this.#generation)) return;
    this.#loading = true;
    this.#error = null;
    for (const p of this.#panels) await p.pause();
    try {
      const source = await this.#api.call('cluster.source', { source: spec });
      this.#thumbs.clear();
      this.#source = source;
      this.#sourceSpec = spec;
      if (spec.kind === 'folder') this.#generation = generation;
      if (this.#panels.length === 0) {
        this.#panels = DEFAULT_PANELS.map((a) => new ClusterPanel(this.#api, this, defaultSpec(a, source)));
      }
      await Promise.all(
        this.#panels.map((p) => {
          // RBF and MoE need a 2-D set; on images a panel falls back to k-means.
          const a = source.image && TOY_ONLY_ALGORITHMS.includes(p.algorithm) ? 'kmeans' : p.algorithm;
          return p.create(defaultSpec(a, source));
        }),
      );
    } catch (e) {
      this.#error = asLabError(e).message;
    } finally {
      this.#loading = false;
    }
  }

  async setPanelCount(count: number): Promise<void> {
    const cur = this.#panels;
    if (count < cur.length) {
      for (const p of cur.slice(count)) await p.dispose();
      this.#panels = cur.slice(0, count);
      return;
    }
    const added: ClusterPanel[] = [];
    for (let i = cur.length; i < count; i++) {
      const a = DEFAULT_PANELS[i % DEFAULT_PANELS.length];
      added.push(new ClusterPanel(this.#api, this, defaultSpec(a, this.#source)));
    }
    this.#panels = [...cur, ...added];
    await Promise.all(added.map((p) => p.create()));
  }

  /** Sample i's pixels (folder sources), fetched once from the engine's thumbnails. */
  sampleImage(i: number): Promise<Uint8Array | null> {
    const spec = this.#sourceSpec;
    if (!this.#source?.image || spec?.kind !== 'folder' || (spec.subset ?? 'all') !== 'all') return Promise.resolve(null);
    let p = this.#thumbs.get(i);
    if (!p) {
      p = this.#api.call('data.thumbnails', { offset: i, count: 1 }).then(
        (t) => (t.offset === i && t.pixels.length > 0 ? t.pixels : null),
        () => null,
      );
      if (this.#thumbs.size > 2000) this.#thumbs.clear();
      this.#thumbs.set(i, p);
    }
    return p;
  }

  async removePanel(panel: ClusterPanel): Promise<void> {
    if (this.#panels.length <= 1) return;
    this.#panels = this.#panels.filter((p) => p !== panel);
    if (this.lastEdited === panel) this.lastEdited = null;
    await panel.dispose();
  }

  async runAll(): Promise<void> {
    await Promise.all(this.#panels.map((p) => p.start()));
  }
  async pauseAll(): Promise<void> {
    await Promise.all(this.#panels.map((p) => p.pause()));
  }
  async stepAll(): Promise<void> {
    await Promise.all(this.#panels.map((p) => p.step()));
  }
  async resetAll(): Promise<void> {
    await Promise.all(this.#panels.map((p) => p.reset()));
  }
}

let store: ClusterStore | null = null;
/** The window's one clustering store (created on first use). */
export function clusterStore(api: LabApi): ClusterStore {
  store ??= new ClusterStore(api);
  return store;
}
