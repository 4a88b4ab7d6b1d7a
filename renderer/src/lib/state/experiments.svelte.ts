/**
 * The Experiments view's state: the built-in experiments (and files the user opened), the one chosen,
 * the experiment running now with its progress, each experiment's latest results as its variants finish
 * (picked up again after a reload through experiments.results), cancel, the report and results export
 * with the overwrite question, and what the "Try the experiment" links beside the settings need. One
 * instance, created in App.svelte, so a run survives switching views.
 */
import type { LabApi } from '../../../../engine/protocol/contract.js';
import type { ExperimentInfo, ExperimentResults, VariantResult } from '../../../../engine/protocol/experiments.js';
import { newRunId } from '../../../../engine/protocol/runs.js';
import { asLabError } from '../errors.js';

export type ExperimentState = ExperimentResults['state'] | 'starting';

/** An experiment run as the view shows it: filled from experiment.* events or from experiments.results. */
export interface ExperimentRun {
  runId: string;
  info: ExperimentInfo;
  state: ExperimentState;
  message: string;
  finding: string;
  /** Finished variants, in their order (index as the engine numbers them). */
  variants: VariantResult[];
  /** The latest progress of the whole experiment (null before the first). */
  progress: { variant: number; variants: number; name: string; fraction: number; message: string } | null;
  /** Filled when the results were read from the engine (seed, data, Locus version). */
  seed: number | null;
  data: string;
  /** The experiment's own preferred curves (from its file), when known. */
  curves: string[];
}

export type ExportFormat = 'html' | 'json';

/** An experiment opened from a file: its info and its content (sent back to run it). */
interface OpenedFile {
  info: ExperimentInfo;
  experiment: Record<string, unknown>;
  /** Where it was read from (null: known only from a run's results). */
  path: string | null;
}

const curvesOf = (experiment: Record<string, unknown> | undefined): string[] => {
  const c = experiment?.curves;
  return Array.isArray(c) ? c.filter((x): x is string => typeof x === 'string') : [];
};

export class ExperimentsStore {
  #api: LabApi;
  #builtins = $state.raw<ExperimentInfo[]>([]);
  #files = $state.raw<OpenedFile[]>([]);
  #listError = $state<string | null>(null);
  #loaded = $state(false);
  #selected = $state<string | null>(null);
  /** The latest run of each experiment (by experiment id). */
  #runs = $state.raw<ReadonlyMap<string, ExperimentRun>>(new Map());
  /** The run the engine is working on now (its id), or null. */
  #active = $state<string | null>(null);
  #error = $state<string | null>(null);
  #busy = $state(false);
  #outcome = $state.raw<{ ok: boolean; text: string } | null>(null);
  #opened = $state.raw<{ ok: boolean; text: string } | null>(null);
  #pendingOverwrite = $state.raw<{ format: ExportFormat; path: string } | null>(null);
  /** Experiment runs whose results are being read. */
  readonly #pickingUp = new Set<string>();
  /** Run on the folder open in Data (where the experiment allows it). */
  onFolder = $state(false);

  constructor(api: LabApi) {
    this.#api = api;
    api.on('experiment.progress', (p) => {
      const r = this.#byRunId(p.runId);
      if (!r) return void this.#pickUp(p.runId);
      this.#put({ ...r, state: 'running', progress: { variant: p.variant, variants: p.variants, name: p.name, fraction: p.fraction, message: p.message } });
    });
    api.on('experiment.variant', (v) => {
      const r = this.#byRunId(v.runId);
      if (!r) return void this.#pickUp(v.runId);
      const variants = r.variants.slice();
      variants[v.index] = v.result;
      this.#put({ ...r, variants });
    });
    api.on('experiment.done', (d) => {
      const r = this.#byRunId(d.runId);
      if (r) {
        this.#put({ ...r, state: d.state, message: d.message, finding: d.finding, progress: r.progress && d.state === 'completed' ? { ...r.progress, fraction: 1 } : r.progress });
        // Read the whole results once: the seed and the data it ran on, and any variant missed.
        void this.#pickUp(d.runId, true);
      }
      if (this.#active === d.runId) this.#active = null;
    });
    api.on('engine.restarted', () => {
      if (this.#active) {
        const r = this.#byRunId(this.#active);
        if (r) this.#put({ ...r, state: 'failed', message: 'the engine restarted: the experiment stopped' });
      }
      this.#active = null;
    });
    void this.refresh();
  }

  /** Read the list of built-ins again, and the latest experiment run (a page reloaded mid-run picks it up). */
  async refresh(): Promise<void> {
    try {
      this.#builtins = (await this.#api.call('experiments.list', {})).experiments;
      this.#listError = null;
    } catch (e) {
      this.#listError = asLabError(e).message;
    } finally {
      this.#loaded = true;
    }
    try {
      const { results } = await this.#api.call('experiments.results', {});
      if (results) this.#fromResults(results);
    } catch {
      // No results to pick up (an older engine, or none yet): nothing the user must act on.
    }
  }

  get loaded(): boolean {
    return this.#loaded;
  }
  get listError(): string | null {
    return this.#listError;
  }
  /** Built-ins, then the files opened in this window (a file with a built-in's id takes its place). */
  get list(): ExperimentInfo[] {
    const files = this.#files;
    const byId = new Map(files.map((f) => [f.info.id, f.info]));
    return [...this.#builtins.map((b) => byId.get(b.id) ?? b), ...files.filter((f) => !this.#builtins.some((b) => b.id === f.info.id)).map((f) => f.info)];
  }
  /** The experiments that show a setting ("train.activation"), for the links beside it. */
  forSetting(setting: string): ExperimentInfo[] {
    return this.list.filter((e) => e.settings.includes(setting));
  }
  get selectedId(): string | null {
    return this.#selected ?? this.list[0]?.id ?? null;
  }
  get selected(): ExperimentInfo | null {
    const id = this.selectedId;
    return this.list.find((e) => e.id === id) ?? null;
  }
  select(id: string): void {
    this.#selected = id;
    this.#outcome = null;
    this.#pendingOverwrite = null;
  }
  /** The file an experiment was opened from (null: a built-in, or a path not known). */
  fileOf(id: string): string | null {
    return this.#files.find((f) => f.info.id === id)?.path ?? null;
  }

  /** The latest run of an experiment (by its id), if any. */
  runOf(id: string | null): ExperimentRun | null {
    return id === null ? null : (this.#runs.get(id) ?? null);
  }
  /** The run the engine works on now. */
  get active(): ExperimentRun | null {
    return this.#active ? this.#byRunId(this.#active) : null;
  }
  get running(): boolean {
    return this.#active !== null;
  }
  get error(): string | null {
    return this.#error;
  }
  clearError(): void {
    this.#error = null;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get outcome(): { ok: boolean; text: string } | null {
    return this.#outcome;
  }
  get pendingOverwrite(): { format: ExportFormat; path: string } | null {
    return this.#pendingOverwrite;
  }
  /** What opening a file gave (shown beside the open field). */
  get openOutcome(): { ok: boolean; text: string } | null {
    return this.#opened;
  }
  clearOutcome(): void {
    this.#outcome = null;
    this.#pendingOverwrite = null;
  }

  /**
   * Why the selected experiment cannot run now (null: it can). `folderOpen`: a folder is open in Data.
   */
  whyNot(info: ExperimentInfo | null, folderOpen: boolean): string | null {
    if (!info) return 'Choose an experiment';
    if (this.running) return 'An experiment is running: wait for it to end or cancel it';
    if (info.folder === 'required' && !folderOpen) return 'This experiment runs on an image folder: open one in Data first';
    if (this.onFolder && info.folder === 'optional' && !folderOpen) return 'No folder is open: open one in Data, or run on the experiment’s own data';
    return null;
  }

  /** Run the selected experiment: on its own data, or on the open folder where it allows (and the user asked). */
  async start(): Promise<boolean> {
    const info = this.selected;
    if (!info || this.running) return false;
    const file = this.#files.find((f) => f.info.id === info.id);
    const data = info.folder === 'required' || (this.onFolder && info.folder === 'optional') ? 'folder' : 'default';
    const runId = newRunId();
    // The run is known before the engine answers, so its first events are taken for it.
    this.#active = runId;
    this.#error = null;
    this.#outcome = null;
    this.#pendingOverwrite = null;
    this.#put({ runId, info, state: 'starting', message: 'starting', finding: '', variants: [], progress: null, seed: null, data: '', curves: curvesOf(file?.experiment) });
    try {
      const r = await this.#api.call('experiments.start', { ...(file ? { file: file.experiment } : { id: info.id }), data, runId });
      const now = this.#byRunId(runId);
      if (now && now.state === 'starting') this.#put({ ...now, info: r.info, state: 'running' });
      return true;
    } catch (e) {
      const message = asLabError(e).message;
      this.#error = message;
      const now = this.#byRunId(runId);
      if (now) this.#put({ ...now, state: 'failed', message });
      if (this.#active === runId) this.#active = null;
      return false;
    }
  }

  async cancel(): Promise<void> {
    const id = this.#active;
    if (!id) return;
    try {
      await this.#api.call('experiments.cancel', { runId: id });
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  /** Write the report (HTML) or the results (JSON) of the selected experiment's latest run. */
  async export(format: ExportFormat, path: string, overwrite = false): Promise<boolean> {
    const run = this.runOf(this.selectedId);
    const target = path.trim();
    this.#pendingOverwrite = null;
    if (!run || !target) return false;
    this.#busy = true;
    try {
      const r = await this.#api.call('experiments.export', { runId: run.runId, format, path: target, overwrite });
      const size = r.bytes < 1024 ? `${r.bytes} bytes` : `${Math.round(r.bytes / 1024)} KB`;
      this.#outcome = { ok: true, text: `Saved ${format === 'html' ? 'the report' : 'the results'} to ${r.path} (${size}).` };
      return true;
    } catch (e) {
      const err = asLabError(e);
      this.#outcome = { ok: false, text: err.message };
      if (err.code === 'exists') this.#pendingOverwrite = { format, path: target };
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /** Read an experiment file and choose it (it joins the list for this window). */
  async open(path: string): Promise<boolean> {
    const target = path.trim();
    if (!target) return false;
    this.#busy = true;
    try {
      const r = await this.#api.call('experiments.open', { path: target });
      this.#files = [...this.#files.filter((f) => f.info.id !== r.info.id), { info: r.info, experiment: r.experiment, path: target }];
      this.select(r.info.id);
      this.#opened = { ok: true, text: `Opened ${target}: ${r.info.title}, ${r.info.variants.length} variants.` };
      return true;
    } catch (e) {
      this.#opened = { ok: false, text: asLabError(e).message };
      return false;
    } finally {
      this.#busy = false;
    }
  }

  #byRunId(runId: string): ExperimentRun | null {
    for (const r of this.#runs.values()) if (r.runId === runId) return r;
    return null;
  }
  #put(r: ExperimentRun): void {
    const next = new Map(this.#runs);
    next.set(r.info.id, r);
    this.#runs = next;
  }

  /** Take an experiment run's results from the engine (a run this page did not start, or the final read). */
  async #pickUp(runId: string, final = false): Promise<void> {
    if (!final && this.#pickingUp.has(runId)) return;
    this.#pickingUp.add(runId);
    try {
      const { results } = await this.#api.call('experiments.results', { runId });
      if (results) this.#fromResults(results);
    } catch {
      // The next event tries again.
    } finally {
      this.#pickingUp.delete(runId);
    }
  }
  #fromResults(x: ExperimentResults): void {
    const had = this.#byRunId(x.runId);
    // A newer run of the same experiment is never replaced by an older one's results.
    const current = this.#runs.get(x.info.id);
    if (current && current.runId !== x.runId) return;
    const n = x.info.variants.length;
    const running = x.state === 'running';
    this.#put({
      runId: x.runId,
      info: x.info,
      state: x.state,
      message: x.message,
      finding: x.finding,
      variants: x.variants,
      progress: had?.progress ?? (running ? { variant: x.variants.length, variants: n, name: x.info.variants[x.variants.length] ?? '', fraction: n ? x.variants.length / n : 0, message: x.message } : null),
      seed: x.seed,
      data: x.data,
      curves: curvesOf(x.experiment),
    });
    // An experiment this page does not list (a file opened before a reload) joins the list, to show and run again.
    if (!this.list.some((e) => e.id === x.info.id)) this.#files = [...this.#files, { info: x.info, experiment: x.experiment, path: null }];
    if (running) this.#active = x.runId;
    else if (this.#active === x.runId) this.#active = null;
    if (this.#selected === null && !had) this.#selected = x.info.id;
  }
}
