/**
 * The GAN view's state: the settings of the two modes (image GAN on the loaded folder, 2-D toy GAN), the
 * run in progress with its loss curves, the latest sample grid (and one per epoch, to see progress) or
 * toy frame. Curves grow in place; `version` changes when they do.
 */
import type { LabApi } from '../../../../engine/protocol/contract.js';
import type { GanConfig, GanDone, GanFrame, GanSamples, GanScore } from '../../../../engine/protocol/gan.js';
import { TOY_SETS } from '../../../../engine/protocol/gan.js';
import { newRunId } from '../../../../engine/protocol/runs.js';
import { asLabError } from '../errors.js';
import { Redraw, REDRAW_MS } from './redraw.js';
import { RunsStore } from './runs.svelte.js';

export type GanMode = 'image' | 'toy';
export type ToySet = (typeof TOY_SETS)[number];

export interface GanForm {
  mode: GanMode;
  seed: number;
  batchSize: number;
  lrG: number;
  lrD: number;
  beta1: number;
  dSteps: number;
  nonSaturating: boolean;
  // image GAN
  epochs: number;
  latent: number;
  width: number;
  sampleEvery: number;
  // toy GAN
  toy: ToySet;
  steps: number;
  hidden: number;
  layers: number;
}

export interface GanCurves {
  d: { x: number; y: number }[];
  g: { x: number; y: number }[];
  dReal: { x: number; y: number }[];
  dFake: { x: number; y: number }[];
}

/** The engine's default recipe (engine/session/gan.ts GAN_TRAIN_DEFAULTS, docs/gans.md). */
const IMAGE_DEFAULTS = { batchSize: 32, lrG: 2e-3, lrD: 5e-4 };

/** A model file the next run continues instead of making a new network (opened in the Models view). */
export interface ContinueFrom {
  path: string;
  /** What it is, in words (ModelInfo.about.what). */
  what: string;
  epochs: number;
  /** Whether the file holds both optimizer states (else training goes on with new ones). */
  hasOptimizer: boolean;
}
/**
 * A DCGAN file's latent size and width from its layer rows (engine/models/gan-presets.ts): the
 * generator's first dense layer has latent x units weights (no bias); the discriminator's first
 * convolution has twice the width in filters. Null when the layers are not of that shape.
 */
export function ganShape(generator: readonly { type: string; params: number; spec: Record<string, unknown> }[], discriminator: readonly { type: string; spec: Record<string, unknown> }[] | undefined): { latent: number; width: number } | null {
  const dense = generator[0];
  const conv = discriminator?.find((l) => l.type === 'conv2d');
  const units = dense?.type === 'dense' ? dense.spec.units : undefined;
  const filters = conv?.spec.filters;
  if (typeof units !== 'number' || units < 1 || typeof filters !== 'number' || !dense) return null;
  const latent = dense.params / units;
  const width = filters / 2;
  return Number.isInteger(latent) && latent >= 1 && Number.isInteger(width) && width >= 1 ? { latent, width } : null;
}

const TOY_DEFAULTS = { batchSize: 64, lrG: 1e-3, lrD: 1e-3 };

export class GanStore {
  #api: LabApi;
  form = $state<GanForm>({
    mode: 'image',
    seed: 1,
    ...IMAGE_DEFAULTS,
    beta1: 0.5,
    dSteps: 1,
    nonSaturating: true,
    epochs: 5,
    latent: 64,
    width: 16,
    sampleEvery: 2,
    toy: 'rings',
    steps: 2000,
    hidden: 32,
    layers: 2,
  });
  #runId = $state<string | null>(null);
  #runMode = $state<GanMode | null>(null);
  #state = $state<'idle' | 'running' | 'paused' | 'stopped'>('idle');
  #curves: GanCurves = { d: [], g: [], dReal: [], dFake: [] };
  #grid = $state.raw<GanSamples | null>(null);
  #epochGrids = $state.raw<GanSamples[]>([]);
  #frame = $state.raw<GanFrame | null>(null);
  #done = $state.raw<GanDone | null>(null);
  #error = $state<string | null>(null);
  #progress = $state.raw<{ step: number; epoch: number; total: number } | null>(null);
  /** The confident-samples score after the last epoch (28x28 grey images only). */
  #score = $state.raw<GanScore | null>(null);
  #stepsPerEpoch = 0;
  #version = $state(0);
  /** The GAN file the next image run continues (null: a new GAN). */
  continueFrom = $state.raw<ContinueFrom | null>(null);
  /** Slow motion for the 2-D toy: milliseconds each step waits (0: full speed); changes the run in progress too. */
  delay = $state(0);
  /** Draw the generator's gradient as arrows on the generated points. */
  arrows = $state(true);
  readonly #redraw = new Redraw(REDRAW_MS, () => this.#version++);
  /** The toy plane: each frame as it comes (the engine sends 20 a second), a second apart under prefers-reduced-motion. */
  #nextFrame: GanFrame | null = null;
  readonly #frameRedraw = new Redraw(0, () => (this.#frame = this.#nextFrame));

  /** Every GAN run in the engine's registry (saved ones too), to compare. */
  readonly registry: RunsStore;

  constructor(api: LabApi) {
    this.#api = api;
    this.registry = new RunsStore(api, 'gan');
    // The client names each run before starting it, so events that arrive before gan.start's reply are known.
    const mine = (id: string) => id === this.#runId;
    api.on('gan.step', (e) => {
      if (!mine(e.runId)) return;
      this.#push(e.step, e);
      this.#progress = { step: e.step, epoch: e.epoch, total: this.#stepsPerEpoch * this.form.epochs };
    });
    api.on('gan.samples', (e) => {
      if (!mine(e.runId)) return;
      this.#grid = e;
    });
    api.on('gan.epoch', (e) => {
      if (mine(e.runId) && e.score) this.#score = e.score;
      if (!mine(e.runId) || !this.#grid) return;
      // The grid of an epoch's end arrives right after its epoch event: keep the one shown then.
      queueMicrotask(() => this.#grid && (this.#epochGrids = [...this.#epochGrids, this.#grid].slice(-12)));
    });
    api.on('gan.frame', (f) => {
      if (!mine(f.runId)) return;
      this.#nextFrame = f;
      // A step taken while paused, and the last frame, show at once.
      if (this.#state !== 'running' || f.step === f.steps) this.#frameRedraw.now();
      else this.#frameRedraw.request();
      if (f.dLoss !== null && f.gLoss !== null) this.#push(f.step, { dLoss: f.dLoss, gLoss: f.gLoss, dReal: f.dReal ?? 0, dFake: f.dFake ?? 0 });
      this.#progress = { step: f.step, epoch: 0, total: f.steps };
    });
    api.on('gan.state', (s) => {
      if (mine(s.runId)) this.#state = s.state;
    });
    api.on('gan.done', (d) => {
      if (!mine(d.runId)) return;
      this.#done = d;
      this.#state = 'stopped';
      if (this.#nextFrame !== this.#frame) this.#frameRedraw.now();
      if (d.reason === 'diverged' || d.reason === 'failed') this.#error = d.message;
      this.#redraw.now();
    });
    api.on('engine.restarted', () => {
      this.#state = 'idle';
      this.#runId = null;
    });
  }

  #push(step: number, e: { dLoss: number; gLoss: number; dReal: number; dFake: number }): void {
    const c = this.#curves;
    c.d.push({ x: step, y: e.dLoss });
    c.g.push({ x: step, y: e.gLoss });
    c.dReal.push({ x: step, y: e.dReal });
    c.dFake.push({ x: step, y: e.dFake });
    this.#redraw.request();
  }

  get state() {
    return this.#state;
  }
  get active(): boolean {
    return this.#state === 'running' || this.#state === 'paused';
  }
  /** The id of the run shown now (the client names it before starting). */
  get runId(): string | null {
    return this.#runId;
  }
  get runMode(): GanMode | null {
    return this.#runMode;
  }
  get curves(): GanCurves {
    return this.#curves;
  }
  get version(): number {
    return this.#version;
  }
  get grid(): GanSamples | null {
    return this.#grid;
  }
  get epochGrids(): GanSamples[] {
    return this.#epochGrids;
  }
  get frame(): GanFrame | null {
    return this.#frame;
  }
  get done(): GanDone | null {
    return this.#done;
  }
  get error(): string | null {
    return this.#error;
  }
  get score(): GanScore | null {
    return this.#score;
  }
  /** "confident samples: 23% (real photos: 55%) · 7.9 classes": the status line's score. */
  get scoreText(): string | null {
    const s = this.#score;
    if (!s) return null;
    const pct = (x: number) => `${Math.round(100 * x)}%`;
    return `confident samples: ${pct(s.confident)}${s.real !== null ? ` (real photos: ${pct(s.real)})` : ''}${s.confident > 0 ? ` · ${s.spread.toFixed(1)} of ${s.classes.length} classes` : ''}`;
  }
  get progress() {
    return this.#progress;
  }
  clearError(): void {
    this.#error = null;
  }

  /**
   * The next image run continues this GAN file (its networks; latent size and width are the file's):
   * the form shows the file's latent size and width (read from its layers), and they cannot be changed.
   */
  continueWith(from: ContinueFrom, shape?: { latent: number; width: number } | null): void {
    this.setMode('image');
    if (shape) Object.assign(this.form, shape);
    this.continueFrom = from;
  }

  /** Switch mode, with that mode's usual learning rates. */
  setMode(mode: GanMode): void {
    if (this.form.mode === mode) return;
    Object.assign(this.form, { mode, ...(mode === 'image' ? IMAGE_DEFAULTS : TOY_DEFAULTS) });
  }

  config(paused: boolean): GanConfig {
    const f = this.form;
    const common = { seed: f.seed, batchSize: f.batchSize, lrG: f.lrG, lrD: f.lrD, beta1: f.beta1, dSteps: f.dSteps, nonSaturating: f.nonSaturating, paused };
    const from = this.continueFrom;
    return f.mode === 'image'
      ? { mode: 'image', ...common, epochs: f.epochs, latent: f.latent, width: f.width, sampleEvery: f.sampleEvery, ...(from ? { model: from.path } : {}) }
      : { mode: 'toy', ...common, toy: f.toy, steps: f.steps, hidden: f.hidden, layers: f.layers, ...(this.delay > 0 ? { delay: this.delay } : {}) };
  }

  async start(paused = false): Promise<void> {
    this.#error = null;
    const cfg = this.config(paused);
    this.#curves = { d: [], g: [], dReal: [], dFake: [] };
    this.#grid = null;
    this.#epochGrids = [];
    this.#frame = null;
    this.#nextFrame = null;
    this.#done = null;
    this.#score = null;
    const runId = newRunId();
    this.#runId = runId;
    this.#runMode = cfg.mode;
    this.#progress = null;
    this.#version++;
    try {
      const r = await this.#api.call('gan.start', { ...cfg, runId });
      this.#stepsPerEpoch = r.stepsPerEpoch;
      if (!this.#done) this.#state = paused ? 'paused' : 'running';
      this.#progress ??= { step: 0, epoch: 0, total: cfg.mode === 'image' ? r.stepsPerEpoch * cfg.epochs : cfg.steps };
      if (cfg.mode === 'toy') this.#progress = { ...this.#progress, total: cfg.steps };
      this.#version++;
    } catch (e) {
      this.#runId = null;
      this.#runMode = null;
      this.#error = asLabError(e).message;
    }
  }

  /** A new speed: kept for the next toy run and sent to the one in progress. */
  async setSpeed(delay: number): Promise<void> {
    this.delay = delay;
    if (!this.active || this.#runMode !== 'toy') return;
    try {
      await this.#api.call('gan.speed', { delay });
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }

  async control(action: 'pause' | 'resume' | 'step' | 'stop', steps?: number): Promise<void> {
    try {
      const r = await this.#api.call('gan.control', steps === undefined ? { action } : { action, steps });
      if (this.#state !== 'stopped') this.#state = r.state;
    } catch (e) {
      this.#error = asLabError(e).message;
    }
  }
}
