/**
 * The clustering runs an engine holds, and their sources. Runs are kept by source: switching the data
 * source (or the view) leaves every run, its edits, frozen prototypes and undo history where they are,
 * until the run is removed. The training loop trains in slices of about 25 ms and yields between them,
 * so pause, edits and other runs are served while it goes; it hands updates to a callback at most every
 * 110 ms, less often when computing one (the assignment pass, the figures) costs more than a quarter of
 * the time. Nothing here knows the transport: the worker passes a callback that emits `cluster.update`.
 */
import type { ImageSet } from '../../data/folder.js';
import type { ClusterEdit, ClusterEditResult, ClusterSource, ClusterSourceSpec, ClusterSpec, ClusterUpdate } from '../../protocol/cluster.js';
import type { RunRegistry } from '../runs.js';
import { LabError } from '../../protocol/contract.js';
import { clusterDefaults } from './defaults.js';
import { Run } from './run.js';
import { imageSource, type Source, sourceInfo, sourceKey, toySource } from './source.js';
import { plural } from '../../protocol/words.js';

const SLICE_MS = 25;
const MIN_UPDATE_MS = 110;
/**
 * Runs kept at once. Runs stay until removed; a window that reloads cannot remove its own, so beyond
 * this many the least recently used idle run is dropped (a renderer still holding it is told "no
 * clustering run").
 */
export const MAX_RUNS = 48;
/** A clustering run's figures are recorded in the run registry at most this often (ms). */
const CHECKPOINT_MS = 1000;

/** The numeric figures (the registry keeps numbers). */
function numbers(f: object): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(f)) if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
  return out;
}
/** Sources kept without runs (sources with runs stay while they have them). */
const MAX_IDLE_SOURCES = 6;

/** The loaded image folder a folder source is made from (the app's: the worker's workspace). */
export interface FolderInput {
  /** Identity of the load: a new load makes a new source. */
  readonly origin: object;
  readonly set: ImageSet;
  /** Name shown for the folder. */
  readonly name: string;
  /** Indices of the images of a subset. */
  indices(subset: 'all' | 'train' | 'val'): Int32Array;
}

export type UpdateSink = (u: ClusterUpdate) => void;

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Engine errors from bad settings (thrown by engine/local with the reason) become 'invalid' refusals. */
export function asInvalid<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw new LabError({ message: e instanceof Error ? e.message : String(e), code: 'invalid' });
  }
}

export class ClusterRegistry {
  readonly #sources = new Map<number, Source>();
  /** In order of use: the first entries are the least recently used. */
  readonly #runs = new Map<number, Run>();
  #nextRun = 1;
  readonly maxRuns: number;

  /** The run registry that lists clustering runs beside every other kind (null: not recorded). */
  readonly #record: () => RunRegistry | null;
  /** Each run's id in the run registry, and its pending checkpoint. */
  readonly #records = new Map<number, { id: string; timer: ReturnType<typeof setTimeout> | null; steps: number }>();

  constructor(opts: { maxRuns?: number; record?: () => RunRegistry | null } = {}) {
    this.maxRuns = opts.maxRuns ?? MAX_RUNS;
    this.#record = opts.record ?? (() => null);
  }

  /** A run's settings as the run registry records them (the label says what differs). */
  #config(run: Run): Record<string, unknown> {
    return { ...run.spec, source: run.source.name };
  }

  /**
   * Record where a run is now in the run registry (figures, a history row when it learned since the
   * last one, run.json saved): at most once a second, after training bursts, steps, edits and resets.
   */
  #checkpoint(run: Run, now = false): void {
    const rec = this.#records.get(run.id);
    const reg = this.#record();
    if (!rec || !reg) return;
    if (rec.timer) clearTimeout(rec.timer);
    const write = (): void => {
      rec.timer = null;
      if (!reg.has(rec.id)) return;
      const figures = numbers(run.figures());
      const steps = run.learner.steps;
      const row = steps !== rec.steps ? { epoch: run.learner.epoch, samples: steps, ...figures } : undefined;
      rec.steps = steps;
      void reg.checkpoint(rec.id, figures, row, run.running ? 'running' : 'paused');
    };
    if (now) write();
    else {
      rec.timer = setTimeout(write, CHECKPOINT_MS);
      rec.timer.unref?.();
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Sources

  /** The source for a spec: the one built before if it is still current, else a new one. */
  openSource(spec: ClusterSourceSpec, folder: FolderInput | null): Source {
    const key = sourceKey(spec);
    const origin = spec.kind === 'folder' ? folder?.origin ?? null : null;
    for (const s of this.#sources.values()) if (s.key === key && s.origin === origin) return s;
    let s: Source;
    if (spec.kind === 'toy') s = toySource(spec);
    else {
      if (!folder) throw new LabError({ message: 'no folder is loaded: open one in Data, or pick a toy set', code: 'unavailable' });
      const subset = spec.subset ?? 'all';
      const idx = folder.indices(subset);
      const n = idx.length;
      if (n < 2) throw new LabError({ message: `the ${subset === 'all' ? 'folder' : `${subset} side`} has ${n} image${n === 1 ? '' : 's'}: clustering needs at least 2`, code: 'invalid' });
      s = imageSource(folder.set, idx, subset === 'all' ? folder.name : `${folder.name} (${subset})`, key, folder.origin);
    }
    this.#sources.set(s.id, s);
    this.#prune();
    return s;
  }

  getSource(id: number): Source {
    const s = this.#sources.get(id);
    if (!s) throw new LabError({ message: `no clustering source ${id} (it was replaced; open it again)`, code: 'invalid' });
    return s;
  }

  /** What a renderer is told about a source: the projection, and the settings each algorithm starts with on it. */
  describe(s: Source): ClusterSource {
    return { ...sourceInfo(s), defaults: clusterDefaults(s), runs: this.runsOf(s.id).map((r) => r.id) };
  }

  #prune(): void {
    let idle = 0;
    for (const s of this.#sources.values()) if (s.runs === 0) idle++;
    for (const [id, s] of this.#sources) {
      if (idle <= MAX_IDLE_SOURCES) break;
      if (s.runs === 0) {
        this.#sources.delete(id);
        idle--;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Runs

  /** A new run on a source (settings the engine refuses throw 'invalid' with the reason). */
  create(sourceId: number, spec: ClusterSpec): Run {
    const source = this.getSource(sourceId);
    const run = asInvalid(() => new Run(this.#nextRun, source, spec));
    this.#nextRun++;
    for (const [id, r] of this.#runs) {
      if (this.#runs.size < this.maxRuns) break;
      if (!r.running) this.dispose(id);
    }
    this.#runs.set(run.id, run);
    source.runs++;
    const reg = this.#record();
    if (reg) this.#records.set(run.id, { id: reg.create('cluster', this.#config(run)).id, timer: null, steps: 0 });
    this.#checkpoint(run);
    return run;
  }

  /** The run registry id of a clustering run, if it is recorded. */
  recordId(id: number): string | null {
    return this.#records.get(id)?.id ?? null;
  }

  /** A run by id (it becomes the most recently used). */
  get(id: number): Run {
    const r = this.#runs.get(id);
    if (!r) throw new LabError({ message: `no clustering run ${id} (it was closed; reset the panel to start a new one)`, code: 'invalid' });
    this.#runs.delete(id);
    this.#runs.set(id, r);
    return r;
  }

  has(id: number): boolean {
    return this.#runs.has(id);
  }

  /** The runs on a source, oldest first. */
  runsOf(sourceId: number): Run[] {
    return [...this.#runs.values()].filter((r) => r.source.id === sourceId).sort((a, b) => a.id - b.id);
  }

  get size(): number {
    return this.#runs.size;
  }

  /** Remove a run (its training stops); false if there was none. */
  dispose(id: number): boolean {
    const run = this.#runs.get(id);
    if (!run) return false;
    this.stop(run);
    this.#runs.delete(id);
    run.source.runs--;
    this.#prune();
    // The run registry keeps it, finished, with its last figures.
    const rec = this.#records.get(id);
    const reg = this.#record();
    this.#records.delete(id);
    if (rec && reg && reg.has(rec.id)) {
      if (rec.timer) clearTimeout(rec.timer);
      const k = run.prototypeCount;
      void reg.finish(rec.id, { outcome: { reason: 'completed', message: `closed with ${plural(k, 'prototype')} after ${plural(run.learner.steps, 'sample')}` }, figures: numbers(run.figures()) });
    }
    return true;
  }

  /** Stop a run's training loop (the loop sends nothing more: whoever stopped it answers). */
  stop(run: Run): void {
    run.token++;
    run.running = false;
    this.#checkpoint(run);
  }

  /** Present samples while the run is not training. */
  step(run: Run, samples: number): ClusterUpdate {
    if (run.running) throw new LabError({ message: 'the run is training: pause it before stepping', code: 'invalid' });
    asInvalid(() => run.train(samples));
    this.#checkpoint(run);
    return run.update({ images: true });
  }

  /** Train until paused, removed, or `limit` samples; hands updates to `emit` at a UI-friendly rate. */
  async train(run: Run, emit: UpdateSink, speed?: number, limit?: number): Promise<void> {
    const token = ++run.token;
    run.running = true;
    run.error = null;
    const supervised = run.spec.algorithm === 'rbf' || run.spec.algorithm === 'moe';
    const t0 = performance.now();
    let done = 0;
    let lastEmit = t0;
    let interval = MIN_UPDATE_MS;
    try {
      while (run.token === token) {
        if (limit !== undefined && done >= limit) break;
        let allowed = limit === undefined ? Infinity : limit - done;
        if (speed !== undefined) allowed = Math.min(allowed, Math.floor((speed * (performance.now() - t0)) / 1000) - done);
        if (allowed > 0) {
          const sliceEnd = performance.now() + SLICE_MS;
          const batch = supervised ? 1 : 32;
          do {
            const c = Math.min(batch, allowed);
            run.train(c);
            done += c;
            allowed -= c;
          } while (allowed > 0 && performance.now() < sliceEnd);
        } else {
          await sleep(Math.min(40, Math.max(5, 1000 / (speed ?? 1000))));
          if (run.token !== token) return;
        }
        const now = performance.now();
        if (now - lastEmit >= interval) {
          emit(run.update());
          const cost = performance.now() - now;
          interval = Math.max(MIN_UPDATE_MS, 4 * cost);
          lastEmit = performance.now();
        }
        await yieldNow();
      }
    } catch (e) {
      run.error = e instanceof Error ? e.message : String(e);
    }
    // Stopped by pause or removal: whoever stopped it answers. Finished or failed: say so.
    if (run.token !== token || !this.#runs.has(run.id)) return;
    run.running = false;
    this.#checkpoint(run);
    emit(run.update({ images: true }));
  }

  /** Start again, with the same settings or new ones. */
  reset(run: Run, spec?: ClusterSpec): void {
    this.stop(run);
    asInvalid(() => run.reset(spec));
    const rec = this.#records.get(run.id);
    if (rec) this.#record()?.setConfig(rec.id, this.#config(run));
  }

  /** A prototype edit (or its undo); refused edits throw 'invalid' with the reason. */
  edit(run: Run, e: ClusterEdit): ClusterEditResult {
    const r = asInvalid(() => run.edit(e));
    this.#checkpoint(run);
    return r;
  }

  setVigilance(run: Run, vigilance: number): ClusterUpdate {
    asInvalid(() => run.setVigilance(vigilance));
    this.#checkpoint(run);
    return run.update();
  }

  /** Write every pending checkpoint now (tests, and before the engine stops). */
  flush(): void {
    for (const [id, rec] of this.#records) if (rec.timer) this.#checkpoint(this.#runs.get(id)!, true);
  }
}
