/**
 * The Sequence view's state: the settings form, the run in progress with its curves and the latest gate
 * traces of the chosen probe sequence, finished runs kept for comparison, and the export's outcome.
 * Curves grow in place; `version` changes when they do, so charts redraw without copying.
 */
import type { EpochMetrics, LabApi } from '../../../../engine/protocol/contract.js';
import type { SeqCell, SeqConfig, SeqDone, SeqGates, SeqStarted, SeqTask } from '../../../../engine/protocol/sequence.js';
import { SEQ_OPTIMIZERS } from '../../../../engine/protocol/sequence.js';
import { newRunId } from '../../../../engine/protocol/runs.js';
import { asLabError } from '../errors.js';
import { Redraw, REDRAW_MS } from './redraw.js';
import { RunsStore } from './runs.svelte.js';

export type SeqOptimizer = (typeof SEQ_OPTIMIZERS)[number];

export interface SeqForm {
  task: SeqTask;
  cell: SeqCell;
  units: number;
  layers: number;
  kernel: number;
  epochs: number;
  batchSize: number;
  optimizer: SeqOptimizer;
  lr: number;
  clipNorm: number;
  seed: number;
  /** Generated series. */
  n: number;
  steps: number;
  classes: number;
  noise: number;
  label: string;
}

export interface SeqRunRecord {
  id: string;
  label: string;
  /** Index into the run palette. */
  color: number;
  cell: SeqCell;
  task: SeqTask;
  started: SeqStarted;
  epochs: number;
  /** Batch losses and gradient norms, x in epochs (fractional). */
  batches: { x: number; y: number }[];
  gradNorms: { x: number; y: number }[];
  history: EpochMetrics[];
  done: SeqDone | null;
}

export const TASK_LABELS: Record<SeqTask, string> = {
  rows: 'Image rows (loaded folder)',
  sines: 'Sines: which frequency',
  next: 'Next value of a sine',
  memory: 'Long memory: the marker',
  adding: 'Adding problem',
};
export const CELL_LABELS: Record<SeqCell, string> = { rnn: 'Simple RNN', lstm: 'LSTM', gru: 'GRU', tdnn: 'Time-delay (TDNN)' };

/** Per task: the series defaults the Sequence README measured with, and a learning rate that works. */
const TASK_DEFAULTS: Record<SeqTask, Partial<SeqForm>> = {
  rows: { lr: 0.005, units: 32, epochs: 10 },
  sines: { steps: 32, noise: 0.1, classes: 3, lr: 0.01, units: 16, epochs: 5 },
  next: { steps: 24, noise: 0.1, lr: 0.01, units: 16, epochs: 5 },
  memory: { steps: 20, noise: 1.5, classes: 2, lr: 0.02, units: 8, epochs: 10 },
  adding: { steps: 40, noise: 0, lr: 0.01, units: 16, epochs: 5 },
};

const MAX_RUNS = 8;

/** A sequence model file the next run continues instead of making a new network (opened in the Models view). */
export interface SeqContinueFrom {
  path: string;
  /** What it is, in words (ModelInfo.about.what). */
  what: string;
  epochs: number;
  /** Whether the file holds its optimizer state (else training goes on with a new optimizer). */
  hasOptimizer: boolean;
}

export class SeqStore {
  #api: LabApi;
  form = $state<SeqForm>({
    task: 'memory',
    cell: 'lstm',
    units: 8,
    layers: 1,
    kernel: 5,
    epochs: 10,
    batchSize: 32,
    optimizer: 'adam',
    lr: 0.02,
    clipNorm: 1,
    seed: 1,
    n: 1024,
    steps: 20,
    classes: 2,
    noise: 1.5,
    label: '',
  });
  /** The sequence model file the next run continues (null: a new network). */
  continueFrom = $state.raw<SeqContinueFrom | null>(null);
  #run = $state.raw<SeqRunRecord | null>(null);
  #runs = $state.raw<SeqRunRecord[]>([]);
  #state = $state<'idle' | 'running' | 'paused' | 'stopped'>('idle');
  #gates = $state.raw<SeqGates | null>(null);
  #progress = $state.raw<{ epoch: number; epochs: number; batch: number; batches: number; loss: number } | null>(null);
  #error = $state<string | null>(null);
  #exported = $state.raw<{ ok: boolean; text: string } | null>(null);
  #busy = $state(false);
  #version = $state(0);
  readonly #redraw = new Redraw(REDRAW_MS, () => this.#version++);
  #nextColor = 0;
  /** The id of the run being started (the client names it), while sequence.start's reply is awaited. */
  #starting: string | null = null;
  /**
   * Events of the run being started that came before the start reply (the record needs the reply's
   * shapes): handled, in order, once the record exists. Other runs' events are never taken for it.
   */
  #early: (() => void)[] = [];

  /** Every sequence run in the engine's registry (saved ones too), to compare. */
  readonly registry: RunsStore;

  constructor(api: LabApi) {
    this.#api = api;
    this.registry = new RunsStore(api, 'sequence');
    const mine = (id: string): SeqRunRecord | null => (this.#run && this.#run.id === id ? this.#run : null);
    // An event for the run whose start reply has not arrived yet waits for it (see #early).
    const deliver = (runId: string, handle: () => void): void => {
      if (mine(runId)) handle();
      else if (runId === this.#starting) this.#early.push(handle);
    };
    api.on('sequence.batch', (e) => deliver(e.runId, () => {
      const r = mine(e.runId);
      if (!r) return;
      const x = e.epoch - 1 + e.batch / e.batches;
      r.batches.push({ x, y: e.loss });
      r.gradNorms.push({ x, y: e.gradNorm });
      this.#progress = { epoch: e.epoch, epochs: r.epochs, batch: e.batch, batches: e.batches, loss: e.loss };
      this.#redraw.request();
    }));
    api.on('sequence.epoch', (e) => deliver(e.runId, () => {
      const r = mine(e.runId);
      if (!r) return;
      r.history.push(e.metrics);
      this.#redraw.request();
    }));
    api.on('sequence.gates', (g) => deliver(g.runId, () => {
      if (mine(g.runId)) this.#gates = g;
    }));
    api.on('sequence.state', (s) => deliver(s.runId, () => {
      if (mine(s.runId)) this.#state = s.state;
    }));
    api.on('sequence.done', (d) => deliver(d.runId, () => {
      const r = mine(d.runId);
      if (!r) return;
      r.done = d;
      this.#state = 'stopped';
      if (d.reason === 'diverged' || d.reason === 'failed') this.#error = d.message;
      if (r.history.length > 0) this.#runs = [...this.#runs.filter((x) => x.id !== r.id), r].slice(-MAX_RUNS);
      this.#redraw.now();
    }));
    api.on('engine.restarted', () => {
      this.#state = 'idle';
      this.#run = null;
      this.#gates = null;
    });
  }

  get state() {
    return this.#state;
  }
  get active(): boolean {
    return this.#state === 'running' || this.#state === 'paused';
  }
  get run(): SeqRunRecord | null {
    return this.#run;
  }
  /** Finished runs (with at least one epoch), oldest first. */
  get runs(): SeqRunRecord[] {
    return this.#runs;
  }
  get gates(): SeqGates | null {
    return this.#gates;
  }
  get progress() {
    return this.#progress;
  }
  get version(): number {
    return this.#version;
  }
  get error(): string | null {
    return this.#error;
  }
  get exported() {
    return this.#exported;
  }
  get busy(): boolean {
    return this.#busy;
  }
  clearError(): void {
    this.#error = null;
  }

  /** Switch task, with that task's usual series settings and learning rate. */
  /**
   * The next run continues this sequence file: the form takes its task, cell, units and layers (from
   * its layer rows) so the run is labelled as what it is; the engine builds nothing new.
   */
  continueWith(from: SeqContinueFrom, task: SeqTask, layers: readonly { type: string; spec: Record<string, unknown> }[], shape?: { steps: number; classes: number }): void {
    this.setTask(task);
    // A series is generated anew with the file's options: the form shows its steps and classes.
    if (shape && task !== 'rows') {
      this.form.steps = shape.steps;
      if (shape.classes >= 2) this.form.classes = shape.classes;
    }
    const cells = layers.filter((l) => l.type !== 'dense' && l.type !== 'tanh' && l.type !== 'flatten');
    const first = cells[0];
    if (first) {
      this.form.cell = first.type === 'conv1d' ? 'tdnn' : first.type === 'lstm' ? 'lstm' : first.type === 'gru' ? 'gru' : 'rnn';
      if (typeof first.spec.units === 'number') this.form.units = first.spec.units;
      if (first.type === 'conv1d' && typeof first.spec.kernel === 'number') this.form.kernel = first.spec.kernel;
      this.form.layers = Math.max(1, Math.min(8, cells.length));
    }
    this.continueFrom = from;
  }

  setTask(task: SeqTask): void {
    if (this.form.task === task) return;
    Object.assign(this.form, { task, ...TASK_DEFAULTS[task] });
  }

  forget(id: string): void {
    this.#runs = this.#runs.filter((r) => r.id !== id);
  }

  config(paused: boolean): SeqConfig {
    const f = this.form;
    const cfg: SeqConfig = {
      task: f.task,
      cell: f.cell,
      units: f.units,
      layers: f.layers,
      epochs: f.epochs,
      batchSize: f.batchSize,
      optimizer: f.optimizer,
      lr: f.lr,
      clipNorm: f.clipNorm,
      seed: f.seed,
      paused,
    };
    if (f.cell === 'tdnn') cfg.kernel = f.kernel;
    if (f.task !== 'rows') {
      cfg.series = { n: f.n, steps: f.steps, noise: f.noise, ...(f.task === 'sines' || f.task === 'memory' ? { classes: f.classes } : {}) };
      if (f.task === 'adding') delete cfg.series.noise;
    }
    if (f.label.trim()) cfg.label = f.label.trim();
    if (this.continueFrom) cfg.model = this.continueFrom.path;
    return cfg;
  }

  async start(paused = false): Promise<void> {
    this.#error = null;
    this.#exported = null;
    const cfg = this.config(paused);
    this.#gates = null;
    const runId = newRunId();
    this.#starting = runId;
    this.#early = [];
    try {
      const started = await this.#api.call('sequence.start', { ...cfg, runId });
      this.#run = {
        id: started.runId,
        label: started.label,
        color: this.#nextColor++,
        cell: cfg.cell,
        task: cfg.task,
        started,
        epochs: cfg.epochs,
        batches: [],
        gradNorms: [],
        history: [],
        done: null,
      };
      this.#state = paused ? 'paused' : 'running';
      this.#progress = { epoch: 1, epochs: cfg.epochs, batch: 0, batches: started.batches, loss: Number.NaN };
      this.#version++;
      for (const handle of this.#early) handle();
    } catch (e) {
      this.#error = asLabError(e).message;
    } finally {
      this.#starting = null;
      this.#early = [];
    }
  }

  async control(action: 'pause' | 'resume' | 'step' | 'stop', steps?: number): Promise<void> {
    try {
      const r = await this.#api.call('sequence.control', steps === undefined ? { action } : { action, steps });
      if (this.#state !== 'stopped') this.#state = r.state;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  /** Draw probe sequence `index` (wrapped into the probe set). */
  async pickSample(index: number): Promise<void> {
    const r = this.#run;
    if (!r || r.started.probe === 0) return;
    const n = r.started.probe;
    try {
      this.#gates = await this.#api.call('sequence.sample', { index: ((index % n) + n) % n });
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  async export(path: string): Promise<void> {
    this.#busy = true;
    try {
      const r = await this.#api.call('sequence.export', { path: path.trim() });
      this.#exported = { ok: true, text: `Saved ${r.path} (${Math.max(1, Math.round(r.bytes / 1024))} KB).` };
    } catch (e) {
      this.#exported = { ok: false, text: asLabError(e).message };
    } finally {
      this.#busy = false;
    }
  }

  /** A file name for the save dialog: the task and cell, dated. */
  suggestedName(): string {
    const r = this.#run;
    const day = new Date().toISOString().slice(0, 10);
    return `${r ? `${r.task}-${r.cell}` : 'sequence'}-${day}.locus.json`;
  }
}
