/**
 * The Train view's state: the settings form, the network it describes (checked by the engine), the run
 * in progress with its curves, finished runs kept for comparison, and the inspector's picked image.
 * Curves are plain arrays that grow with each event; `version` changes when they do (at most every
 * REDRAW_MS while events stream), so charts redraw without copying thousands of points on every batch.
 */
import type {
  ArchitectureRequest,
  ArchitectureSummary,
  EpochMetrics,
  Inspection,
  LabApi,
  LayerSpecJson,
  Params,
  Result,
  TrainConfig,
  TrainDone,
  TrainRunState,
} from '../../../../engine/protocol/contract.js';
import { ACTIVATIONS, OPTIMIZER_CHOICES } from '../../../../engine/protocol/contract.js';
import { CLASSIFIER_DEFAULTS, DEFAULT_LR, DEFAULT_MOMENTUM, OPTIMIZER_LABELS } from '../../../../engine/protocol/defaults.js';
import { newRunId, runLabel } from '../../../../engine/protocol/runs.js';
import type { TOY_SETS } from '../../../../engine/protocol/gan.js';
import type { TrainRegions } from '../../../../engine/protocol/toy-train.js';
import { asLabError } from '../errors.js';
import { formErrors, type FieldError } from '../train-form.js';
import { liveMs } from '../motion.js';
import { Redraw, REDRAW_MS } from './redraw.js';
import { RunsStore, type HistoryRow } from './runs.svelte.js';

/** While a toy run streams, its decision regions are fetched again at most this often (ms). */
const REGIONS_MS = 200;
/** Cells per side of the decision-region grid. */
export const REGION_GRID = 64;

/** Train's data: the folder loaded in Data, or a 2-D toy set (TensorFlow Playground's picture). */
export interface ToyChoice {
  name: (typeof TOY_SETS)[number];
  n: number;
  /** Classes of blobs, rings and spirals (moons has 2). */
  classes: number;
}

/** While a run streams, the inspector (filters, feature maps of the picked image) refreshes at most this often (ms). */
const INSPECT_MS = 500;

export type OptimizerChoice = (typeof OPTIMIZER_CHOICES)[number];
export type Activation = (typeof ACTIVATIONS)[number];

export interface TrainForm {
  /** A preset name, or 'custom' for the layer list in `layersText`. */
  preset: string;
  /** One layer a line, as JSON: {"type": "dense", "units": 10}. */
  layersText: string;
  activation: Activation;
  dropout: number;
  /** Dropout on the input pixels (separately from hidden units). */
  inputDropout: number;
  /** Hints: virtual examples as extra labelled examples, as an invariance penalty, or none. */
  hints: 'none' | 'augment' | 'penalty';
  /** λ of the invariance penalty. */
  hintWeight: number;
  /** Virtual examples may be mirrored left-right. */
  hintFlip: boolean;
  batchNorm: boolean;
  optimizer: OptimizerChoice;
  lr: number;
  momentum: number;
  weightDecay: number;
  decoupled: boolean;
  biasCorrection: boolean;
  epochs: number;
  batchSize: number;
  seed: number;
  clipNorm: number;
  /** Early-stopping patience in epochs; 0 = off. */
  patience: number;
  /** Continue the current model instead of building a new one. */
  resume: boolean;
  /** The run's name ('' : the label made from its settings). */
  name: string;
}

export { DEFAULT_LR, OPTIMIZER_LABELS };

/** One run's curves. */
export interface RunRecord {
  id: string;
  label: string;
  /** Index into the run palette. */
  color: number;
  epochs: number;
  /** Batch losses: x in epochs (fractional), y the loss. */
  batches: { x: number; y: number }[];
  history: EpochMetrics[];
  /** Per-layer telemetry: the parametrized layers' names, and per sampled step (x in epochs) their gradient norms and update/weight ratios. */
  layerNames: string[];
  layerNorms: { x: number; grad: number[]; ratio: number[] }[];
  /** ReLU-like layers' names and, per sampled step, the fraction of their units that were dead. */
  deadNames: string[];
  dead: { x: number; dead: number[] }[];
  /** BatchNorm layers' statistics at the last sampled step: this batch's beside the running ones. */
  batchNorm: { name: string; batchMean: Float32Array; runningMean: Float32Array }[];
  done: TrainDone | null;
  /** Shown on the comparison charts. */
  shown: boolean;
}

export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
}

export function layersToText(layers: readonly LayerSpecJson[]): string {
  return layers.map((l) => JSON.stringify(l)).join('\n');
}

/** Parse the layer editor: one JSON object a line (blank lines and // comments ignored). */
export function parseLayers(text: string): LayerSpecJson[] {
  const out: LayerSpecJson[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim().replace(/,$/, '');
    if (!line || line.startsWith('//')) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON (${line.slice(0, 40)})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as { type?: unknown }).type !== 'string') {
      throw new Error(`line ${i + 1}: a layer is an object with a "type"`);
    }
    out.push(v as LayerSpecJson);
  });
  return out;
}

export class TrainStore {
  #api: LabApi;
  form = $state<TrainForm>({
    preset: CLASSIFIER_DEFAULTS.preset,
    layersText: '',
    activation: CLASSIFIER_DEFAULTS.activation(CLASSIFIER_DEFAULTS.preset),
    dropout: 0,
    inputDropout: 0,
    hints: 'none',
    hintWeight: 0.1,
    hintFlip: false,
    batchNorm: false,
    optimizer: CLASSIFIER_DEFAULTS.optimizer,
    lr: DEFAULT_LR[CLASSIFIER_DEFAULTS.optimizer],
    momentum: DEFAULT_MOMENTUM,
    weightDecay: 0,
    decoupled: false,
    biasCorrection: true,
    epochs: CLASSIFIER_DEFAULTS.epochs,
    batchSize: CLASSIFIER_DEFAULTS.batchSize,
    seed: CLASSIFIER_DEFAULTS.seed,
    clipNorm: 0,
    patience: 0,
    resume: false,
    name: '',
  });
  #arch = $state.raw<ArchitectureSummary | null>(null);
  #archError = $state<string | null>(null);
  #presets = $state.raw<string[]>(['mlp', 'lenet5']);
  #state = $state<TrainRunState | 'idle'>('idle');
  #run = $state.raw<RunRecord | null>(null);
  /** The run being started: its events are kept here until train.start answers (then it becomes #run). */
  #pending: RunRecord | null = null;
  /** Every classifier run in the engine's registry (saved ones too): listed and compared beside the charts. */
  readonly registry: RunsStore;
  #progress = $state.raw<Progress | null>(null);
  #error = $state<string | null>(null);
  #starting = $state(false);
  #version = $state(0);
  readonly #redraw = new Redraw(REDRAW_MS, () => this.#version++);
  #inspection = $state.raw<Inspection | null>(null);
  #inspectWanted: number | null = null;
  #inspectBusy = false;
  #inspectLast = -Infinity;
  #inspectError = $state<string | null>(null);
  #pruned = $state.raw<Result<'train.prune'> | null>(null);
  #grown = $state.raw<Result<'train.grow'> | null>(null);
  #nextColor = 0;
  /** The engine has said which run it holds (train.status answered): until then #run may still change to it. */
  #known = $state(false);
  #source = $state<'folder' | 'toy'>('folder');
  /** What the next run trains on; a 2-D toy set takes an MLP (the convolutional presets need images). */
  get source(): 'folder' | 'toy' {
    return this.#source;
  }
  set source(v: 'folder' | 'toy') {
    this.#source = v;
    if (v === 'toy' && this.form.preset !== 'mlp' && this.form.preset !== 'custom') this.setPreset('mlp');
  }
  toy = $state<ToyChoice>({ name: 'spirals', n: 400, classes: 2 });
  /** Slow motion: milliseconds each batch waits (0: full speed); changes the run in progress too. */
  delay = $state(0);
  /** The run shown trains on a toy set: its decision regions are drawn. */
  #toyRun = $state<string | null>(null);
  #regions = $state.raw<TrainRegions | null>(null);
  #regionsBusy = false;
  #regionsAgain = false;
  #regionsLast = -Infinity;

  constructor(api: LabApi) {
    this.#api = api;
    api.on('train.batch', (b) => {
      const r = this.#mine(b.runId);
      if (!r) return;
      r.batches.push({ x: b.epoch - 1 + b.batch / b.batches, y: b.loss });
      this.#refreshRegions(b.runId);
      this.#progress = { epoch: b.epoch, epochs: this.#progress?.epochs ?? r.epochs, batch: b.batch, batches: b.batches, loss: b.loss };
      this.#redraw.request();
    });
    api.on('train.layers', (t) => {
      const r = this.#mine(t.runId);
      if (!r) return;
      r.layerNames = t.layers;
      const p = this.#progress;
      // Steps count from 1 in each run; an epoch has p.batches of them.
      const x = p && p.batches ? t.epoch - 1 + (((t.step - 1) % p.batches) + 1) / p.batches : t.epoch;
      r.layerNorms.push({ x, grad: t.gradNorm, ratio: t.updateRatio });
      const relus = t.activations.filter((a) => a.dead !== null);
      r.deadNames = relus.map((a) => a.name);
      r.dead.push({ x, dead: relus.map((a) => a.dead ?? 0) });
      if (t.batchNorm.length) r.batchNorm = t.batchNorm.map((b) => ({ name: b.name, batchMean: b.batchMean, runningMean: b.runningMean }));
      this.#redraw.request();
    });
    api.on('train.epoch', (e) => {
      const r = this.#mine(e.runId);
      if (!r) return;
      r.history.push(e.metrics);
      this.#refreshRegions(e.runId);
      r.epochs = e.epochs;
      if (this.#progress) this.#progress = { ...this.#progress, epochs: e.epochs };
      this.#redraw.request();
    });
    api.on('train.state', (s) => {
      if (this.#mine(s.runId)) this.#state = s.state;
    });
    api.on('train.done', (d) => {
      const r = this.#mine(d.runId);
      if (!r) return;
      r.done = d;
      this.#state = 'stopped';
      this.#regionsLast = -Infinity;
      this.#refreshRegions(d.runId);
      if (d.reason === 'diverged' || d.reason === 'failed') this.#error = d.message;
      if (this.#run === r) this.#run = { ...r };
      this.#redraw.now();
    });
    api.on('engine.restarted', () => {
      this.#state = 'idle';
      this.#progress = null;
      this.#inspection = null;
    });
    // The registry's runs (saved ones survive reloads and restarts); the live run's curves are its own record's.
    this.registry = new RunsStore(api, 'classifier', (id) => (this.#run?.id === id ? (this.#run.history as HistoryRow[]) : null));
    // A page opened (or reloaded) during a run picks it up with its epochs so far.
    void api.call('train.status', {}).then(
      ({ run }) => {
        this.#known = true;
        if (!run || this.#run) return;
        this.#run = { id: run.runId, label: run.label, color: this.#nextColor++ % 8, epochs: run.epochs, batches: [], history: [...run.history], layerNames: [], layerNorms: [], deadNames: [], dead: [], batchNorm: [], done: run.done, shown: true };
        this.#state = run.state;
        const last = run.history.at(-1);
        if (!run.done) this.#progress = { epoch: (last?.epoch ?? 0) + 1, epochs: run.epochs, batch: 0, batches: 0, loss: NaN };
        this.#version++;
      },
      () => (this.#known = true),
    );
  }

  /**
   * The record of the run an event is about, or null. The client names a run before starting it, so
   * events that arrive before train.start's reply go to the record being started.
   */
  #mine(runId: string): RunRecord | null {
    if (this.#run?.id === runId) return this.#run;
    if (this.#pending?.id === runId) return this.#pending;
    return null;
  }

  /** The toy run's decision regions (the latest fetched), or null when the run shown is not on a toy set. */
  get regions(): TrainRegions | null {
    return this.#toyRun && this.#toyRun === this.#run?.id ? this.#regions : null;
  }
  /** The run shown trains on a 2-D toy set. */
  get toyRun(): boolean {
    return this.#toyRun !== null && this.#toyRun === this.#run?.id;
  }

  /** Fetch the toy run's regions: one request at a time, at most every REGIONS_MS, the last event always answered. */
  #refreshRegions(runId: string): void {
    if (runId !== this.#toyRun) return;
    if (this.#regionsBusy) {
      this.#regionsAgain = true;
      return;
    }
    const wait = this.#regionsLast + liveMs(REGIONS_MS) - performance.now();
    this.#regionsBusy = true;
    const go = async () => {
      try {
        this.#regionsLast = performance.now();
        const r = await this.#api.call('train.regions', { size: REGION_GRID });
        if (r.runId === this.#toyRun) this.#regions = r;
      } catch {
        // the run's model was replaced (another opened): the last picture stays
      } finally {
        this.#regionsBusy = false;
        if (this.#regionsAgain) {
          this.#regionsAgain = false;
          this.#refreshRegions(runId);
        }
      }
    };
    if (wait > 0) setTimeout(() => void go(), wait);
    else void go();
  }

  /** A new speed: kept for the next run and sent to the one in progress. */
  async setSpeed(delay: number): Promise<void> {
    this.delay = delay;
    if (!this.active) return;
    try {
      await this.#api.call('train.speed', { delay });
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  get arch(): ArchitectureSummary | null {
    return this.#arch;
  }
  get archError(): string | null {
    return this.#archError;
  }
  get presets(): string[] {
    return this.#presets;
  }
  get state(): TrainRunState | 'idle' {
    return this.#state;
  }
  get active(): boolean {
    return this.#state === 'running' || this.#state === 'paused';
  }
  get run(): RunRecord | null {
    return this.#run;
  }
  /** Whether the engine has said which run it holds (before that, the run shown may still change to it). */
  get known(): boolean {
    return this.#known;
  }
  /** Every problem of the form, in words (Train is disabled while there is one). */
  get formErrors(): FieldError[] {
    const f = this.form;
    const fields = ['lr', 'epochs', 'batchSize', 'seed', 'clipNorm', 'patience', 'weightDecay'];
    if (f.optimizer === 'momentum' || f.optimizer === 'nesterov') fields.push('momentum');
    if (f.preset !== 'custom' && !f.resume) fields.push('dropout', 'inputDropout');
    if (f.hints === 'penalty') fields.push('hintWeight');
    return formErrors(f as unknown as Record<string, unknown>, fields);
  }
  get progress(): Progress | null {
    return this.#progress;
  }
  get error(): string | null {
    return this.#error;
  }
  get starting(): boolean {
    return this.#starting;
  }
  get version(): number {
    return this.#version;
  }
  get inspection(): Inspection | null {
    return this.#inspection;
  }
  get inspectError(): string | null {
    return this.#inspectError;
  }
  /** The last pruning's outcome. */
  get pruned(): Result<'train.prune'> | null {
    return this.#pruned;
  }

  async prune(fraction: number, units: boolean): Promise<void> {
    try {
      const p = await this.#api.call('train.prune', { fraction, units });
      this.#pruned = p;
      // The confusion matrix and figures are the pruned network's from now on.
      const r = this.#run;
      if (r?.done) this.#run = { ...r, done: { ...r.done, confusion: p.confusion, figures: p.figures } };
      this.#inspectLast = -Infinity;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  /** The last growth's outcome (before/after), while it can be undone. */
  get grown(): Result<'train.grow'> | null {
    return this.#grown;
  }

  /** Grow the current model: `units` more in dense layer `layer`, or a layer inserted at `at`. */
  async grow(p: Params<'train.grow'>): Promise<void> {
    try {
      this.#grown = await this.#api.call('train.grow', p);
      this.#inspectLast = -Infinity;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  async ungrow(): Promise<void> {
    try {
      const u = await this.#api.call('train.ungrow', {});
      this.#grown = u.undoable > 0 ? this.#grown : null;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  /** Undo the last pruning: the weights, figures and confusion matrix of before. */
  async unprune(): Promise<void> {
    try {
      const u = await this.#api.call('train.unprune', {});
      const r = this.#run;
      if (r?.done) this.#run = { ...r, done: { ...r.done, confusion: u.confusion, figures: u.figures } };
      this.#pruned = u.undoable > 0 && this.#pruned ? { ...this.#pruned, undoable: u.undoable } : null;
      this.#inspectLast = -Infinity;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  clearError(): void {
    this.#error = null;
  }

  /** The architecture part of the form as the engine takes it; throws on a layer list that does not parse. */
  architecture(): ArchitectureRequest {
    const f = this.form;
    if (f.preset === 'custom') return { layers: parseLayers(f.layersText) };
    const a: ArchitectureRequest = { preset: f.preset, activation: f.activation };
    if (f.dropout > 0) a.dropout = f.dropout;
    if (f.inputDropout > 0) a.inputDropout = f.inputDropout;
    if (f.batchNorm) a.batchNorm = true;
    return a;
  }

  /** Ask the engine what the form's network is on the loaded folder. */
  async describe(): Promise<void> {
    let req: ArchitectureRequest;
    try {
      req = this.architecture();
    } catch (e) {
      this.#archError = (e as Error).message;
      return;
    }
    try {
      const d = await this.#api.call('train.describe', this.source === 'toy' ? { ...req, toyClasses: this.toyClasses } : req);
      this.#arch = d;
      this.#presets = d.presets;
      this.#archError = null;
    } catch (e) {
      this.#arch = null;
      this.#archError = asLabError(e).message;
    }
  }

  /** The user picked an activation: it no longer follows the preset's default. */
  #activationChosen = false;

  /** Another preset: the activation follows its default (tanh for LeNet-5, ReLU otherwise) unless the user chose one. */
  setPreset(preset: string): void {
    this.form.preset = preset;
    if (!this.#activationChosen && preset !== 'custom') this.form.activation = CLASSIFIER_DEFAULTS.activation(preset);
  }
  setActivation(a: Activation): void {
    this.#activationChosen = true;
    this.form.activation = a;
  }

  /** Switch the form to an editable copy of the network shown now. */
  editLayers(): void {
    if (this.#arch) this.form.layersText = layersToText(this.#arch.layers.map((l) => l.spec));
    this.form.preset = 'custom';
  }

  /** Classes of the toy set chosen (moons has 2). */
  get toyClasses(): number {
    return this.toy.name === 'moons' ? 2 : this.toy.classes;
  }

  config(paused = false): TrainConfig {
    const f = this.form;
    const optimizer: TrainConfig['optimizer'] = { type: f.optimizer, lr: f.lr };
    if (f.weightDecay > 0) {
      optimizer.weightDecay = f.weightDecay;
      optimizer.decoupled = f.decoupled;
    }
    if (f.optimizer === 'momentum' || f.optimizer === 'nesterov') optimizer.momentum = f.momentum;
    if (f.optimizer === 'adam') optimizer.biasCorrection = f.biasCorrection;
    const c: TrainConfig = { architecture: this.architecture(), optimizer, epochs: f.epochs, batchSize: f.batchSize, seed: f.seed };
    if (f.name.trim()) c.name = f.name.trim();
    if (f.clipNorm > 0) c.clipNorm = f.clipNorm;
    if (f.hints !== 'none') c.hints = { mode: f.hints, ...(f.hints === 'penalty' ? { weight: f.hintWeight } : {}), ...(f.hintFlip ? { flip: true } : {}) };
    if (f.patience > 0) c.patience = f.patience;
    if (f.resume) c.resume = true;
    if (paused) c.paused = true;
    if (this.source === 'toy') c.toy = { name: this.toy.name, n: this.toy.n, ...(this.toy.name === 'moons' ? {} : { classes: this.toy.classes }) };
    if (this.delay > 0) c.delay = this.delay;
    return c;
  }

  /** The label the form's run will get (from its settings). */
  runLabel(): string {
    let c: TrainConfig;
    try {
      c = this.config();
    } catch {
      return this.form.preset;
    }
    return runLabel('classifier', c as unknown as Record<string, unknown>);
  }

  async start(paused = false): Promise<void> {
    this.#error = null;
    const problems = this.formErrors;
    if (problems.length) {
      this.#error = problems.map((p) => p.message).join('; ');
      return;
    }
    let cfg: TrainConfig;
    try {
      cfg = this.config(paused);
    } catch (e) {
      this.#error = (e as Error).message;
      return;
    }
    this.#starting = true;
    // The run is named here, so its events (which may arrive before the reply) are known to be its own.
    // The last run's charts stay until the engine accepts this one: a refused start loses nothing.
    const id = newRunId();
    const record: RunRecord = { id, label: cfg.name ?? runLabel('classifier', cfg as unknown as Record<string, unknown>), color: this.#nextColor % 8, epochs: cfg.epochs, batches: [], history: [], layerNames: [], layerNorms: [], deadNames: [], dead: [], batchNorm: [], done: null, shown: true };
    this.#pending = record;
    try {
      this.#toyRun = cfg.toy ? id : null;
      this.#regions = null;
      await this.#api.call('train.start', { ...cfg, runId: id });
      this.#pruned = null;
      this.#run = record;
      this.#progress = record.done ? null : { epoch: 1, epochs: cfg.epochs, batch: 0, batches: 0, loss: NaN };
      this.#nextColor++;
      if (!record.done) this.#state = paused ? 'paused' : 'running';
      this.#version++;
    } catch (e) {
      this.#error = asLabError(e).message;
    } finally {
      this.#pending = null;
      this.#starting = false;
    }
  }

  async control(action: 'pause' | 'resume' | 'step' | 'stop', steps?: number): Promise<void> {
    try {
      const r = await this.#api.call('train.control', steps === undefined ? { action } : { action, steps });
      if (this.#state !== 'stopped') this.#state = r.state;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  async setLr(lr: number): Promise<void> {
    try {
      await this.#api.call('train.setLr', { lr });
      this.form.lr = lr;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  /**
   * Inspect the image at index (filters and feature maps of the current weights). Requests coalesce:
   * one at a time, the newest index wins, and while a run streams at most one every INSPECT_MS.
   */
  async inspect(index: number): Promise<void> {
    this.#inspectWanted = index;
    if (this.#inspectBusy) return;
    this.#inspectBusy = true;
    try {
      while (this.#inspectWanted !== null) {
        const wait = this.#inspectLast + INSPECT_MS - performance.now();
        if (wait > 0 && this.active) await new Promise((r) => setTimeout(r, wait));
        const i = this.#inspectWanted;
        this.#inspectWanted = null;
        this.#inspectLast = performance.now();
        try {
          this.#inspection = await this.#api.call('train.inspect', { index: i });
          this.#inspectError = null;
        } catch (e) {
          this.#inspectError = asLabError(e).message;
        }
      }
    } finally {
      this.#inspectBusy = false;
    }
  }

  /** Make a run's model the current one and set the form to continue it. */
  async continueRun(id: string): Promise<void> {
    try {
      await this.#api.call('runs.open', { id });
      this.form.resume = true;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }
}
