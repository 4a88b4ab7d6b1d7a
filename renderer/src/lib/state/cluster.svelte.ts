/**
 * The Clustering view's state: per data source (the loaded folder or a toy set, with its projection on
 * the plane, fetched once) a SourceRuns with one ClusterPanel per run side by side. Switching the source
 * shows another SourceRuns and keeps the others as they are (the engine keeps their runs too), so
 * switching back finds every run, edit, frozen prototype and undo history as it was. The engine does
 * the math; a panel keeps what it last said: prototype positions, the assignment (whole, or patched by
 * deltas with a sequence check, resynchronized when one is missed), figures and images.
 * One store per window, kept across view switches so runs survive them.
 */
import {
  type ClusterAlgorithm,
  type ClusterDefaults,
  type ClusterEdit,
  type ClusterRun,
  type ClusterSource,
  type ClusterSourceSpec,
  type ClusterSpec,
  type ClusterUpdate,
  TOY_ONLY_ALGORITHMS,
} from '../../../../engine/protocol/cluster.js';
import type { LabApi } from '../../../../engine/protocol/contract.js';
import { asLabError } from '../errors.js';
import { RunsStore } from './runs.svelte.js';
import { DEFAULT_PANELS, prototypeNoun } from './cluster-defaults.js';
import { LabelCopy, LatestPump } from './cluster-sync.js';

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
  /** The source the panel's runs are on (a panel never changes source). */
  readonly source: ClusterSource;
  #spec: ClusterSpec;
  #run = $state.raw<ClusterRun | null>(null);
  #update = $state.raw<ClusterUpdate | null>(null);
  #labels = $state.raw<Int32Array | null>(null);
  #images = $state.raw<Uint8Array | null>(null);
  #running = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #status = $state.raw<EditStatus | null>(null);
  /** The assignment as built from the engine's messages (#labels is its reactive face). */
  #copy = new LabelCopy();
  selected = $state(-1);
  colorBy = $state<'cluster' | 'class'>('cluster');
  regions = $state<'decision' | 'gating'>('decision');
  stepSize = $state<StepSize>(10);
  speed = $state<number>(400);
  // a drag: the latest target waits while one move is in flight
  #moves = new LatestPump<{ index: number; x: number; y: number; group: number }>((t) => this.edit({ op: 'move', ...t }));
  #dragGroup = 0;
  #dragChanged = 0;

  constructor(api: LabApi, source: ClusterSource, spec: ClusterSpec) {
    this.#api = api;
    this.source = source;
    this.#spec = $state.raw(spec);
  }

  /** The settings each algorithm starts with on this panel's source (sent by the engine). */
  get defaults(): ClusterDefaults {
    return this.source.defaults;
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
  /** Whether the run has anything to lose: training done, or edits that can be undone. */
  get hasWork(): boolean {
    return (this.#update?.steps ?? 0) > 0 || (this.#update?.undo ?? 0) > 0;
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

  /** A new run on the panel's source (the old one, if any, is disposed). */
  async create(spec: ClusterSpec = this.#spec): Promise<void> {
    const source = this.source;
    this.#spec = spec;
    await this.dispose();
    this.#busy = true;
    this.#error = null;
    const run = await this.#call(() => this.#api.call('cluster.create', { sourceId: source.sourceId, spec }));
    this.#busy = false;
    if (run) this.#setRun(run);
  }

  /** Show a run the engine already holds (one made before the page was reloaded). */
  adopt(run: ClusterRun): void {
    this.#setRun(run);
  }

  #setRun(run: ClusterRun): void {
    this.#run = run;
    this.#spec = run.spec;
    this.#copy.forget();
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
    const labels = this.#copy.apply(u);
    if (labels === 'changed') this.#labels = this.#copy.labels;
    else if (labels === 'resync') void this.resync();
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
      this.#copy.forget();
      this.apply(r.update, true);
    }
  }

  /**
   * Shown again (its source was chosen again): the run as the engine has it now. A run the engine no
   * longer holds (it dropped it, or restarted) starts again with the same settings, and the panel says so.
   */
  async rejoin(): Promise<void> {
    const run = this.#run;
    if (!run) return this.create();
    try {
      const r = await this.#api.call('cluster.snapshot', { runId: run.runId });
      this.#copy.forget();
      this.apply(r.update, true);
    } catch (e) {
      const message = asLabError(e).message;
      if (!/no clustering run/.test(message)) {
        this.#error = message;
        return;
      }
      this.#run = null;
      await this.create(this.#spec);
      this.#error ??= 'The engine no longer held this run (it keeps a limited number): it starts again with the same settings.';
    }
  }

  async step(): Promise<void> {
    const run = this.#run;
    const source = this.source;
    if (!run || this.#running) return;
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
    await this.reset(this.defaults[a]);
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
    const noun = prototypeNoun(run.spec.algorithm);
    const samples = (c: number) => `${c} sample${c === 1 ? '' : 's'} changed ${noun === 'prototype' ? 'cluster' : noun}`;
    const name = (j: number) => `${noun} ${j + 1}`;
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
    return this.#moves.push({ index, x, y, group: this.#dragGroup });
  }

  async undo(): Promise<void> {
    if ((this.#update?.undo ?? 0) > 0) await this.edit({ op: 'undo' });
  }

  async dispose(): Promise<void> {
    const run = this.#run;
    this.#run = null;
    this.#update = null;
    this.#labels = null;
    this.#copy.clear();
    this.#images = null;
    this.#running = false;
    if (run) await this.#api.call('cluster.dispose', { runId: run.runId }).catch(() => {});
  }

  /** Forget the run without telling the engine (it restarted: the run is gone). */
  drop(): void {
    this.#run = null;
    this.#update = null;
    this.#labels = null;
    this.#copy.clear();
    this.#running = false;
  }
}

export const TOY_DEFAULT: Extract<ClusterSourceSpec, { kind: 'toy' }> = { kind: 'toy', name: 'blobs', n: 600, seed: 1 };

/** The key of a source: a toy set by its settings, the folder by its load (a new load is another source). */
function sourceKey(spec: ClusterSourceSpec, generation: number): string {
  return spec.kind === 'toy' ? `toy:${JSON.stringify(spec)}` : `folder:${spec.subset ?? 'all'}:${generation}`;
}

/** A panel taken away (closed, or replaced by a panel of another algorithm), with the place it had. */
export interface ClosedPanel {
  panel: ClusterPanel;
  index: number;
  /** The panel that took its place when its algorithm was switched. */
  replacedBy?: ClusterPanel;
}

/** The runs of one source, side by side, and the panels closed last (they can be brought back). */
export class SourceRuns {
  readonly key: string;
  readonly spec: ClusterSourceSpec;
  readonly source: ClusterSource;
  panels = $state.raw<ClusterPanel[]>([]);
  /** Closed panels, newest last, with the place they had; their runs stay in the engine until forgotten. */
  closed = $state.raw<ClosedPanel[]>([]);
  /** Runs the engine held on this source before this window opened it (made before a reload), oldest first. */
  earlier = $state.raw<number[]>([]);

  constructor(key: string, spec: ClusterSourceSpec, source: ClusterSource) {
    this.key = key;
    this.spec = spec;
    this.source = source;
  }
}

/** Closed panels that can be brought back, per source. */
const CLOSED_KEPT = 3;

export class ClusterStore {
  #api: LabApi;
  /** Every source opened in this window, with its runs (kept when another source is shown). */
  #sets = new Map<string, SourceRuns>();
  #current = $state.raw<SourceRuns | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  /** The data generation the folder source was made from. */
  #generation = -1;
  /** The user picked the toy set (a folder loaded later does not replace it). */
  #toyChosen = false;
  /** The toy set shown last (shown again when the folder goes away). */
  #lastToy: Extract<ClusterSourceSpec, { kind: 'toy' }> = TOY_DEFAULT;
  #thumbs = new Map<number, Promise<Uint8Array | null>>();
  /** The panel edited last: Ctrl+Z goes to it. */
  lastEdited = $state<ClusterPanel | null>(null);

  /** Every clustering run in the engine's registry (closed ones too, saved in the workspace), to compare. */
  readonly registry: RunsStore;

  constructor(api: LabApi) {
    this.#api = api;
    this.registry = new RunsStore(api, 'cluster');
    api.on('cluster.update', (u) => {
      for (const set of this.#sets.values()) for (const p of set.panels) if (p.run?.runId === u.runId) p.apply(u);
    });
    api.on('engine.restarted', () => {
      // The engine's runs are gone: every source starts again (the view asks for the current one).
      for (const set of this.#sets.values()) for (const p of [...set.panels, ...set.closed.map((c) => c.panel)]) p.drop();
      this.#sets.clear();
      this.#current = null;
      this.#generation = -1;
    });
  }

  get source(): ClusterSource | null {
    return this.#current?.source ?? null;
  }
  get sourceSpec(): ClusterSourceSpec | null {
    return this.#current?.spec ?? null;
  }
  get panels(): ClusterPanel[] {
    return this.#current?.panels ?? [];
  }
  /** Panels closed on this source that can be brought back, newest last. */
  get closed(): readonly ClosedPanel[] {
    return this.#current?.closed ?? [];
  }
  /** Runs the engine holds on this source that this window did not make (made before a reload). */
  get earlier(): readonly number[] {
    return this.#current?.earlier ?? [];
  }
  /** Sources opened in this window that hold runs (the current one among them). */
  get sources(): readonly SourceRuns[] {
    return [...this.#sets.values()];
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }
  get anyRunning(): boolean {
    return this.panels.some((p) => p.running);
  }

  /**
   * Called when the view shows or the data changes: the folder if one is loaded (again if it changed),
   * else a toy set; nothing if the current source is still right.
   */
  async ensure(hasFolder: boolean, generation: number): Promise<void> {
    const spec = this.sourceSpec;
    if (this.#current && spec) {
      if (spec.kind === 'toy' && (this.#toyChosen || !hasFolder)) return;
      if (spec.kind === 'folder' && hasFolder && generation === this.#generation) return;
    }
    await this.open(hasFolder ? { kind: 'folder' } : this.#lastToy, generation);
  }

  /** The user's choice of source. */
  choose(spec: ClusterSourceSpec, generation: number): Promise<void> {
    this.#toyChosen = spec.kind === 'toy';
    return this.open(spec, generation);
  }

  #opening: Promise<void> = Promise.resolve();

  /** Show another source (its runs as they were, or new ones); one switch at a time. */
  open(spec: ClusterSourceSpec, generation = this.#generation): Promise<void> {
    this.#opening = this.#opening.then(() => this.#open(spec, generation));
    return this.#opening;
  }

  async #open(spec: ClusterSourceSpec, generation: number): Promise<void> {
    const key = sourceKey(spec, generation);
    if (spec.kind === 'toy') this.#lastToy = spec;
    if (this.#current?.key === key) return;
    this.#loading = true;
    this.#error = null;
    // The runs left behind stop training; they stay as they are until their source is shown again.
    for (const p of this.panels) if (p.running) await p.pause();
    try {
      if (spec.kind === 'folder' && generation !== this.#generation) await this.#forgetFolder(generation);
      const kept = this.#sets.get(key);
      if (kept) {
        this.#show(kept);
        await Promise.all(kept.panels.map((p) => p.rejoin()));
        return;
      }
      const source = await this.#api.call('cluster.source', { source: spec });
      if (spec.kind === 'folder') this.#generation = generation;
      // New panels: the algorithms of the panels shown now (RBF and MoE need a 2-D set: on images
      // they fall back to k-means), or the view's first ones.
      const algorithms = this.panels.length > 0 ? this.panels.map((p) => p.algorithm) : DEFAULT_PANELS;
      const set = new SourceRuns(key, spec, source);
      set.earlier = [...source.runs];
      set.panels = algorithms.map((a) => new ClusterPanel(this.#api, source, source.defaults[source.image && TOY_ONLY_ALGORITHMS.includes(a) ? 'kmeans' : a]));
      this.#sets.set(key, set);
      this.#show(set);
      await Promise.all(set.panels.map((p) => p.create()));
    } catch (e) {
      this.#error = asLabError(e).message;
    } finally {
      this.#loading = false;
    }
  }

  #show(set: SourceRuns): void {
    this.#thumbs.clear();
    this.#current = set;
    if (this.lastEdited && !set.panels.includes(this.lastEdited)) this.lastEdited = null;
  }

  /** A new folder was loaded: the runs on the folder loaded before can no longer be shown; remove them. */
  async #forgetFolder(generation: number): Promise<void> {
    for (const [key, set] of this.#sets) {
      if (set.spec.kind !== 'folder' || key === sourceKey(set.spec, generation)) continue;
      this.#sets.delete(key);
      await Promise.all([...set.panels, ...set.closed.map((c) => c.panel)].map((p) => p.dispose()));
    }
  }

  async setPanelCount(count: number): Promise<void> {
    const set = this.#current;
    if (!set) return;
    const cur = set.panels;
    if (count < cur.length) {
      for (let i = cur.length - 1; i >= count; i--) this.#close(set, cur[i]);
      return;
    }
    const added: ClusterPanel[] = [];
    for (let i = cur.length; i < count; i++) {
      // A panel closed on this source comes back before a new one is made.
      const back = set.closed.pop();
      if (back) {
        set.closed = [...set.closed];
        added.push(back.panel);
        continue;
      }
      const a = DEFAULT_PANELS[i % DEFAULT_PANELS.length];
      added.push(new ClusterPanel(this.#api, set.source, set.source.defaults[set.source.image && TOY_ONLY_ALGORITHMS.includes(a) ? 'kmeans' : a]));
    }
    set.panels = [...cur, ...added];
    await Promise.all(added.map((p) => (p.run ? p.rejoin() : p.create())));
  }

  /** Sample i's pixels (folder sources), fetched once from the engine's thumbnails. */
  sampleImage(i: number): Promise<Uint8Array | null> {
    const spec = this.sourceSpec;
    if (!this.source?.image || spec?.kind !== 'folder' || (spec.subset ?? 'all') !== 'all') return Promise.resolve(null);
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

  /** Close a panel: its run pauses and stays in the engine, so "Undo close" brings it back as it was. */
  async removePanel(panel: ClusterPanel): Promise<void> {
    const set = this.#current;
    if (!set || set.panels.length <= 1 || !set.panels.includes(panel)) return;
    if (panel.running) await panel.pause();
    this.#close(set, panel);
  }

  #close(set: SourceRuns, panel: ClusterPanel): void {
    const index = set.panels.indexOf(panel);
    if (index < 0) return;
    if (panel.running) void panel.pause();
    set.panels = set.panels.filter((p) => p !== panel);
    this.#remember(set, { panel, index });
  }

  #remember(set: SourceRuns, c: ClosedPanel): void {
    if (this.lastEdited === c.panel) this.lastEdited = null;
    const closed = [...set.closed, c];
    // Beyond a few, the oldest closed run is removed from the engine for good.
    for (const old of closed.splice(0, Math.max(0, closed.length - CLOSED_KEPT))) void old.panel.dispose();
    set.closed = closed;
  }

  /**
   * Another algorithm for a panel. A run with work in it (training or edits) is not thrown away: a new
   * panel takes its place and "Undo" puts it back; a run without any simply starts again.
   */
  async switchAlgorithm(panel: ClusterPanel, a: ClusterAlgorithm): Promise<void> {
    const set = this.#current;
    if (!set || !set.panels.includes(panel) || panel.algorithm === a) return;
    if (!panel.hasWork) return panel.setAlgorithm(a);
    if (panel.running) await panel.pause();
    const next = new ClusterPanel(this.#api, set.source, set.source.defaults[a]);
    const index = set.panels.indexOf(panel);
    if (index < 0) return;
    set.panels = set.panels.map((p) => (p === panel ? next : p));
    this.#remember(set, { panel, index, replacedBy: next });
    await next.create();
  }

  /** Bring back the panel closed last, where it was. */
  async undoClose(): Promise<void> {
    const set = this.#current;
    const last = set?.closed[set.closed.length - 1];
    if (!set || !last) return;
    set.closed = set.closed.slice(0, -1);
    const panels = [...set.panels];
    const replacement = last.replacedBy ? panels.indexOf(last.replacedBy) : -1;
    if (last.replacedBy && replacement >= 0) {
      // Undo a switch of algorithm: the panel comes back in its place; the one that replaced it is kept
      // among the closed ones if it has work of its own.
      panels[replacement] = last.panel;
      set.panels = panels;
      if (last.replacedBy.hasWork) this.#remember(set, { panel: last.replacedBy, index: replacement });
      else void last.replacedBy.dispose();
    } else {
      panels.splice(Math.min(last.index, panels.length), 0, last.panel);
      set.panels = panels;
    }
    await last.panel.rejoin();
  }

  /**
   * Show the runs made on this source before the page was reloaded (the latest, as many as there are
   * panels, at least one): they take the panels' places; a panel with work of its own goes among the
   * closed ones (Undo close brings it back).
   */
  async showEarlier(): Promise<void> {
    const set = this.#current;
    if (!set || set.earlier.length === 0) return;
    const count = Math.max(1, Math.min(3, set.panels.length));
    const ids = set.earlier.slice(-count);
    set.earlier = set.earlier.slice(0, -count);
    const runs = await Promise.all(ids.map((runId) => this.#api.call('cluster.snapshot', { runId }).catch(() => null)));
    const adopted = runs.flatMap((r) => {
      if (!r) return [];
      const p = new ClusterPanel(this.#api, set.source, r.spec);
      p.adopt(r);
      return [p];
    });
    if (adopted.length === 0) return;
    const old = set.panels;
    set.panels = adopted;
    old.forEach((p, index) => {
      if (p.hasWork) this.#remember(set, { panel: p, index });
      else void p.dispose();
    });
  }

  /** Remove the runs made before the reload from the engine. */
  async forgetEarlier(): Promise<void> {
    const set = this.#current;
    if (!set) return;
    const ids = set.earlier;
    set.earlier = [];
    await Promise.all(ids.map((runId) => this.#api.call('cluster.dispose', { runId }).catch(() => null)));
  }

  /** Remove the closed panels' runs from the engine for good. */
  async forgetClosed(): Promise<void> {
    const set = this.#current;
    if (!set) return;
    const gone = set.closed;
    set.closed = [];
    await Promise.all(gone.map((c) => c.panel.dispose()));
  }

  async runAll(): Promise<void> {
    await Promise.all(this.panels.map((p) => p.start()));
  }
  async pauseAll(): Promise<void> {
    await Promise.all(this.panels.map((p) => p.pause()));
  }
  async stepAll(): Promise<void> {
    await Promise.all(this.panels.map((p) => p.step()));
  }
  async resetAll(): Promise<void> {
    await Promise.all(this.panels.map((p) => p.reset()));
  }
}

let store: ClusterStore | null = null;
/** The window's one clustering store (created on first use). */
export function clusterStore(api: LabApi): ClusterStore {
  store ??= new ClusterStore(api);
  return store;
}
