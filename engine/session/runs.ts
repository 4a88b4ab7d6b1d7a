/**
 * The run registry: every run of every kind in one place (engine/protocol/runs.ts has the shape), and
 * the workspace folder where finished runs are saved so they outlive a reload, an engine restart or the
 * app. The engine's handlers and `locus runs` / `locus train` use the same registry and the same folder,
 * so a run made in the app is listed by the CLI and the other way round.
 *
 *   <workspace>/<run id>/run.json     the summary, config, history and figures (RunDetail)
 *   <workspace>/<run id>/model.json   its model file (when it has one)
 *
 * Disk use is bounded: a run whose files would take the workspace over its limit is kept in memory only
 * (its summary says why) until runs are removed. Every write is atomic; a run folder that cannot be read
 * is left alone and reported, never deleted.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { readModelFile, writeModelFile, type ModelFile } from '../io/index.js';
import { LabError } from '../protocol/contract.js';
import { newRunId, RunDetail, type RunKind, type RunOutcome, type RunSummary, type WorkspaceDisk } from '../protocol/runs.js';

export type HistoryRow = Record<string, number | null>;

/** The default workspace budget: 1 GiB (LOCUS_WORKSPACE_LIMIT_MB overrides it). */
export const DEFAULT_LIMIT_BYTES = 1024 * 1024 * 1024;
/** A run.json larger than this is not read (a model's weights go to model.json, so real ones are small). */
const MAX_RUN_JSON = 64 * 1024 * 1024;

/** Where Electron keeps userData for an app named "Locus" (the desktop app, the browser host and the CLI share it). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Locus');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Locus');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Locus');
}

/** The workspace folder: $LOCUS_WORKSPACE_DIR, else <userData>/runs; null when LOCUS_WORKSPACE_DIR is 'off'. */
export function workspaceDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env.LOCUS_WORKSPACE_DIR;
  if (v === 'off') return null;
  return v || join(userDataDir(env), 'runs');
}

export function workspaceLimit(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.LOCUS_WORKSPACE_LIMIT_MB);
  return Number.isFinite(mb) && mb > 0 ? Math.round(mb * 1024 * 1024) : DEFAULT_LIMIT_BYTES;
}

/** One run's record as kept in memory (and as run.json holds it). */
export interface RunRecord {
  summary: RunSummary;
  history: HistoryRow[];
  confusion: number[][] | null;
  classes: string[];
}

interface Entry extends RunRecord {
  /** The model file while it is only in memory (an unsaved run, or one being saved). */
  model: ModelFile | null;
  /** Bytes of each file in the workspace. */
  files: { run: number; model: number };
}

export interface CreateOptions {
  id?: string;
  name?: string;
  parent?: string | null;
}

export interface FinishOptions {
  outcome: RunOutcome;
  figures?: Record<string, number | null>;
  confusion?: number[][] | null;
  classes?: string[];
  /** The model as the run ends (snapshotted now: the live network may change later). */
  model?: ModelFile | null;
}

export interface RegistryEvents {
  changed?(run: RunSummary): void;
  removed?(id: string): void;
}

const now = (): string => new Date().toISOString();

/** Bytes of a file, 0 if it is missing. */
async function size(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export class RunRegistry {
  readonly dir: string | null;
  readonly limit: number;
  readonly #origin: 'app' | 'cli';
  readonly #entries = new Map<string, Entry>();
  readonly #events: RegistryEvents;
  /** Saved run folders that could not be read, with the reason. */
  readonly unreadable: { id: string; reason: string }[] = [];
  #loaded: Promise<void> | null = null;
  /** Writes to one run's files, one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(opts: { dir: string | null; limit?: number; origin: 'app' | 'cli'; events?: RegistryEvents }) {
    this.dir = opts.dir;
    this.limit = opts.limit ?? DEFAULT_LIMIT_BYTES;
    this.#origin = opts.origin;
    this.#events = opts.events ?? {};
  }

  /** Read the saved runs (once; later calls wait for the same read). */
  load(): Promise<void> {
    this.#loaded ??= this.#load();
    return this.#loaded;
  }

  async #load(): Promise<void> {
    if (!this.dir) return;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return; // no workspace yet
    }
    for (const id of names.sort()) {
      if (id.startsWith('.') || this.#entries.has(id)) continue;
      const folder = join(this.dir, id);
      try {
        const file = join(folder, 'run.json');
        const bytes = await size(file);
        if (bytes === 0) continue; // not a run folder (or one still being written)
        if (bytes > MAX_RUN_JSON) throw new Error(`run.json is ${bytes} bytes, more than a run record can be`);
        let raw: unknown;
        try {
          raw = JSON.parse(await readFile(file, 'utf8'));
        } catch {
          throw new Error('run.json is not JSON');
        }
        if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== 'locus-run') throw new Error('run.json is not a Locus run record');
        const { format: _format, version, ...detail } = raw as Record<string, unknown>;
        if (version !== 1) throw new Error(`run.json has version ${String(version)}; this Locus reads version 1`);
        const bad = RunDetail.check(detail, 'run.json');
        if (bad) throw new Error(bad);
        const d = detail as RunDetail;
        if (d.run.id !== id) throw new Error(`run.json names run ${d.run.id}, not ${id}`);
        const model = d.run.hasModel ? await size(join(folder, 'model.json')) : 0;
        // A run saved while it was still running was interrupted (the engine or app stopped).
        const summary: RunSummary = d.run.state === 'done' ? d.run : { ...d.run, state: 'done', outcome: { reason: 'stopped', message: 'interrupted: Locus stopped while it ran' } };
        this.#entries.set(id, { summary: { ...summary, saved: true, unsaved: null, bytes: bytes + model }, history: d.history, confusion: d.confusion, classes: d.classes, model: null, files: { run: bytes, model } });
      } catch (e) {
        this.unreadable.push({ id, reason: (e as Error).message });
      }
    }
  }

  /** Runs, newest first (optionally of one kind). */
  list(kind?: RunKind): RunSummary[] {
    return [...this.#entries.values()]
      .filter((e) => !kind || e.summary.kind === kind)
      .map((e) => e.summary)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  }

  disk(): WorkspaceDisk {
    let bytes = 0;
    for (const e of this.#entries.values()) bytes += e.summary.saved ? e.files.run + e.files.model : 0;
    return { dir: this.dir ?? '', bytes, limit: this.limit };
  }

  #entry(id: string): Entry {
    const e = this.#entries.get(id);
    if (!e) throw new LabError({ message: `there is no run "${id}" (it may have been removed)`, code: 'invalid' });
    return e;
  }

  get(id: string): RunRecord {
    const e = this.#entry(id);
    return { summary: e.summary, history: e.history, confusion: e.confusion, classes: e.classes };
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** A new run, running. Its id is the caller's (the app names it before starting) or a new one. */
  create(kind: RunKind, config: Record<string, unknown>, o: CreateOptions = {}): RunSummary {
    const id = o.id ?? newRunId();
    if (this.#entries.has(id)) throw new LabError({ message: `a run with id "${id}" exists already`, code: 'invalid' });
    const t = now();
    const summary: RunSummary = {
      id,
      kind,
      name: o.name ?? '',
      state: 'running',
      outcome: null,
      config,
      epochs: 0,
      figures: {},
      createdAt: t,
      updatedAt: t,
      origin: this.#origin,
      parent: o.parent ?? null,
      saved: false,
      unsaved: null,
      bytes: 0,
      hasModel: false,
    };
    this.#entries.set(id, { summary, history: [], confusion: null, classes: [], model: null, files: { run: 0, model: 0 } });
    this.#events.changed?.(summary);
    return summary;
  }

  #set(e: Entry, patch: Partial<RunSummary>): RunSummary {
    e.summary = { ...e.summary, ...patch, updatedAt: now() };
    this.#events.changed?.(e.summary);
    return e.summary;
  }

  /** Paused or running again. */
  setState(id: string, state: 'running' | 'paused'): void {
    const e = this.#entry(id);
    if (e.summary.state !== 'done' && e.summary.state !== state) this.#set(e, { state });
  }

  /** Change the run's config as it goes (a new learning rate while paused, ...): the label follows. */
  setConfig(id: string, config: Record<string, unknown>): void {
    this.#set(this.#entry(id), { config });
  }

  /** One more epoch in the history (quietly: the kind's own events carry epochs while it runs). */
  addEpoch(id: string, row: HistoryRow): void {
    const e = this.#entry(id);
    e.history.push(row);
    e.summary = { ...e.summary, epochs: e.history.length };
  }

  /**
   * A run that goes on for a long time (an interactive clustering run) records where it is now: its
   * figures, one more history row, and run.json saved, so a restart finds it (listed as interrupted).
   */
  async checkpoint(id: string, figures: Record<string, number | null>, row?: HistoryRow, state?: 'running' | 'paused'): Promise<void> {
    const e = this.#entry(id);
    if (row) e.history.push(row);
    this.#set(e, { figures, epochs: e.history.length, ...(state && e.summary.state !== 'done' ? { state } : {}) });
    await this.#save(e, false);
  }

  /** The run ended: its outcome, final figures and model; saved to the workspace. */
  async finish(id: string, f: FinishOptions): Promise<RunSummary> {
    const e = this.#entry(id);
    if (f.confusion !== undefined) e.confusion = f.confusion;
    if (f.classes) e.classes = f.classes;
    e.model = f.model ?? null;
    this.#set(e, { state: 'done', outcome: f.outcome, figures: f.figures ?? e.summary.figures, epochs: e.history.length, hasModel: e.model !== null });
    await this.#save(e, true);
    return e.summary;
  }

  /**
   * Replace a finished run's model and figures (after pruning or growth, ...). The history stays; the
   * previous model is gone, so callers that offer undo keep it themselves.
   */
  async revise(id: string, model: ModelFile, figures: Record<string, number | null>, confusion?: number[][] | null): Promise<RunSummary> {
    const e = this.#entry(id);
    e.model = model;
    if (confusion !== undefined) e.confusion = confusion;
    this.#set(e, { figures: { ...e.summary.figures, ...figures }, hasModel: true });
    if (e.summary.state === 'done') await this.#save(e, true);
    return e.summary;
  }

  async rename(id: string, name: string): Promise<RunSummary> {
    const e = this.#entry(id);
    const s = this.#set(e, { name: name.trim().slice(0, 100) });
    if (e.summary.saved) await this.#save(e, false);
    return s;
  }

  /** Remove a run and its files (a running run must be stopped first). */
  async remove(id: string): Promise<boolean> {
    const e = this.#entries.get(id);
    if (!e) return false;
    if (e.summary.state !== 'done') throw new LabError({ message: 'the run is still going: stop it before removing it', code: 'unavailable' });
    await this.#queue(id, async () => {
      if (this.dir) await rm(join(this.dir, id), { recursive: true, force: true });
    });
    this.#entries.delete(id);
    this.#events.removed?.(id);
    return true;
  }

  /** The run's model file, from memory or from the workspace. */
  async model(id: string): Promise<ModelFile> {
    const e = this.#entry(id);
    if (!e.summary.hasModel) throw new LabError({ message: `run "${this.title(id)}" has no model to export or continue`, code: 'unavailable' });
    if (e.model) return e.model;
    if (!this.dir) throw new LabError({ message: 'the run\'s model is not in memory and there is no workspace folder', code: 'failed' });
    await this.#queues.get(id);
    return readModelFile(join(this.dir, id, 'model.json'));
  }

  /** What a run is called in messages: its name, else its id. */
  title(id: string): string {
    const e = this.#entries.get(id);
    return e?.summary.name || id;
  }

  #queue<T>(id: string, work: () => Promise<T>): Promise<T> {
    const prev = this.#queues.get(id) ?? Promise.resolve();
    const next = prev.then(work, work);
    const settled = next.catch(() => {});
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return next;
  }

  /** Every write to the workspace has finished (tests, and the CLI before it exits). */
  async idle(): Promise<void> {
    await Promise.all([...this.#queues.values()]);
  }

  /** Write run.json (and model.json when withModel and there is a model in memory), within the budget. */
  #save(e: Entry, withModel: boolean): Promise<void> {
    const id = e.summary.id;
    return this.#queue(id, async () => {
      if (!this.dir) {
        if (!e.summary.unsaved) this.#set(e, { unsaved: 'there is no workspace folder (LOCUS_WORKSPACE_DIR=off): the run lasts until the engine stops' });
        return;
      }
      const folder = join(this.dir, id);
      const modelText = withModel && e.model ? JSON.stringify(e.model, null, 1) + '\n' : null;
      const record = (s: RunSummary): string => JSON.stringify({ format: 'locus-run', version: 1, run: s, history: e.history, confusion: e.confusion, classes: e.classes }) + '\n';
      const others = this.disk().bytes - (e.summary.saved ? e.files.run + e.files.model : 0);
      const modelBytes = modelText === null ? e.files.model : Buffer.byteLength(modelText);
      const runBytes = Buffer.byteLength(record(e.summary)) + 64;
      if (others + runBytes + modelBytes > this.limit) {
        const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
        this.#set(e, { unsaved: `not saved: the workspace would go over its ${mb(this.limit)} limit (${mb(others)} used, this run needs ${mb(runBytes + modelBytes)}); remove runs to make room` });
        return;
      }
      try {
        await mkdir(folder, { recursive: true });
        if (modelText !== null) {
          await writeModelFile(join(folder, 'model.json'), e.model!);
          e.files.model = await size(join(folder, 'model.json'));
        }
        const summary: RunSummary = { ...e.summary, saved: true, unsaved: null, bytes: 0 };
        const text = record(summary);
        await writeFileAtomic(join(folder, 'run.json'), text);
        e.files.run = Buffer.byteLength(text);
        if (modelText !== null && e.summary.state === 'done') e.model = null; // on disk now: read it back when needed
        this.#set(e, { saved: true, unsaved: null, bytes: e.files.run + e.files.model });
      } catch (err) {
        this.#set(e, { unsaved: `not saved: ${(err as Error).message}` });
      }
    });
  }
}
