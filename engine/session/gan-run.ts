/**
 * GAN runs in the engine: a DCGAN on the loaded folder (GanTrainer) or the 2-D toy GAN
 * (ToyGanTrainer), one training at a time, driven by gan.control and streamed as gan.* events, and
 * registered in the run registry like every run (the image GAN's model is saved with it). Step events
 * are thinned to about ten a second and toy frames to about twenty while running (every one while
 * stepping). The last image GAN (running, paused or finished) can be written to a "gan" model file by
 * gan.export, also after a toy run: the two are kept apart.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/folder.js';
import type { Normalization } from '../data/normalize.js';
import { ganToFile, type GanFile, type LoadedGan } from '../io/gan.js';
import { ModelFileError, writeModelFile } from '../io/index.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import { LabError } from '../protocol/contract.js';
import type { GanConfig, GanDone, GanScore } from '../protocol/gan.js';
import { newRunId } from '../protocol/runs.js';
import type { RunControl } from './control.js';
import type { EventSink } from './events.js';
import { GanTrainer } from './gan.js';
import { loadScoreClassifier, scoreFits, scoreGenerator, scoreImages } from './gan-score.js';
import { ToyGanTrainer } from './gan-toy.js';
import type { RunRegistry } from './runs.js';

const STEP_EVENT_MS = 100;
const FRAME_MS = 50;

interface GanRun {
  id: string;
  control: RunControl;
  done: GanDone | null;
  /** The image GAN's trainer and what built it; null for the 2-D toy. */
  image: { trainer: GanTrainer; gan: Gan; normalization: Normalization; latent: number; width: number; prior?: readonly object[] } | null;
}

/** Toy runs record about this many rows of history (one per emitted frame at most). */
const TOY_HISTORY_ROWS = 200;

/** The score's classifier, loaded once (null when it is missing). */
let scoreClassifier: Promise<Awaited<ReturnType<typeof loadScoreClassifier>> | null> | null = null;

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
const unit = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

function adam(lr: number, beta1: number | undefined): OptimizerSpec {
  const spec: OptimizerSpec = { type: 'adam', lr, beta1: beta1 ?? 0.5 };
  try {
    createOptimizer(spec);
  } catch (e) {
    throw new LabError({ message: (e as Error).message, code: 'invalid' });
  }
  return spec;
}

/** The image GAN of a run as a "gan" model file: both networks, their Adam states and the epochs so far. */
function imageFile(image: NonNullable<GanRun['image']>): GanFile {
  const { trainer, gan, normalization, latent, width } = image;
  // A continued GAN keeps the file's epochs before this run's, numbered on from them.
  const prior = image.prior ?? [];
  const history = [...prior, ...trainer.history.map((h) => ({ ...h, epoch: h.epoch + prior.length }))];
  return ganToFile({
    gan,
    normalization,
    training: { seed: trainer.settings.seed, settings: { ...trainer.settings, preset: 'dcgan', width, latent }, history },
    optimizers: { generator: trainer.optG, discriminator: trainer.optD },
  });
}

export class GanRuns {
  readonly registry: RunRegistry;
  /** The run training now or last (either mode), and the last image GAN (kept for export after a toy run). */
  #run: GanRun | null = null;
  #image: GanRun | null = null;

  constructor(registry: RunRegistry) {
    this.registry = registry;
  }

  /** `from`: the GAN file an image run continues (cfg.model, read by the caller), its networks and optimizer states. */
  start(cfg: GanConfig, set: ImageSet | null, ctx: EventSink, from?: LoadedGan): { runId: string; stepsPerEpoch: number; images: number } {
    const run = this.#run;
    if (run && !run.done) throw new LabError({ message: 'a GAN run is in progress: stop it first', code: 'unavailable' });
    if (cfg.runId !== undefined && this.registry.has(cfg.runId)) throw new LabError({ message: `a run with id "${cfg.runId}" exists already`, code: 'invalid' });
    const id = cfg.runId ?? newRunId();
    const registry = this.registry;
    const common = {
      seed: cfg.seed,
      batchSize: cfg.batchSize,
      optimizerG: adam(cfg.lrG, cfg.beta1),
      optimizerD: adam(cfg.lrD, cfg.beta1),
      dSteps: cfg.dSteps ?? 1,
      nonSaturating: cfg.nonSaturating ?? true,
    };
    let result: { runId: string; stepsPerEpoch: number; images: number };
    let go: () => Promise<{ reason: GanDone['reason']; message: string; step: number }>;
    let control: RunControl;
    let image: GanRun['image'] = null;
    if (cfg.mode === 'toy') {
      let toy: ToyGanTrainer;
      try {
        toy = new ToyGanTrainer({ ...common, toy: cfg.toy, steps: cfg.steps, ...(cfg.hidden ? { hidden: cfg.hidden } : {}), ...(cfg.layers ? { layers: cfg.layers } : {}) });
      } catch (e) {
        throw new LabError({ message: (e as Error).message, code: 'invalid' });
      }
      control = toy.control;
      if (cfg.delay) control.setDelay(cfg.delay);
      let last = 0;
      const every = Math.max(1, Math.ceil(cfg.steps / TOY_HISTORY_ROWS));
      let recorded = -1;
      go = () =>
        toy.run((e) => {
          if (e.type !== 'frame') return;
          const now = performance.now();
          if (toy.control.state === 'running' && now - last < FRAME_MS && e.step !== e.steps && e.step !== 0) return;
          last = now;
          if (e.step > 0 && (Math.floor(e.step / every) > Math.floor(recorded / every) || e.step === e.steps)) {
            recorded = e.step;
            registry.addEpoch(id, { epoch: e.step, lossD: fin(e.dLoss), lossG: fin(e.gLoss), dReal: fin(e.dReal), dFake: fin(e.dFake) });
          }
          ctx.emit('gan.frame', {
            runId: id,
            step: e.step,
            steps: e.steps,
            dLoss: fin(e.dLoss),
            gLoss: fin(e.gLoss),
            dReal: fin(e.dReal),
            dFake: fin(e.dFake),
            generated: e.generated,
            real: e.real,
            surface: e.surface,
            gradient: e.gradient,
          });
        });
      result = { runId: id, stepsPerEpoch: cfg.steps, images: toy.settings.points };
    } else {
      if (!set) throw new LabError({ message: 'no folder is loaded: open one in Data first (or train the 2-D toy GAN)', code: 'unavailable' });
      if (set.width !== set.height) throw new LabError({ message: `the image GAN needs square images; the folder is loaded as ${set.width}x${set.height}`, code: 'invalid' });
      let trainer: GanTrainer;
      let gan: Gan;
      const fileWidth = from?.training.settings.width;
      const latent = from ? from.gan.latent : cfg.latent ?? 64;
      const width = from && typeof fileWidth === 'number' ? fileWidth : cfg.width ?? 16;
      const normalization: Normalization = from ? from.normalization : { kind: 'symmetric' };
      if (from && (from.input.width !== set.width || from.input.channels !== set.channels)) {
        throw new LabError({ message: `the GAN makes ${from.input.width}x${from.input.height} ${from.input.channels === 1 ? 'greyscale' : 'colour'} images; load the folder at that size and colour to continue it (it is loaded as ${set.width}x${set.height}, ${set.channels === 1 ? 'greyscale' : 'colour'})`, code: 'invalid' });
      }
      if (from?.optimizers) {
        from.optimizers.generator.lr = cfg.lrG;
        from.optimizers.discriminator.lr = cfg.lrD;
      }
      try {
        gan = from ? from.gan : new Gan(dcganSpecs({ channels: set.channels, size: set.width, latent, width }), new Rng(cfg.seed));
        trainer = new GanTrainer({
          gan,
          set,
          normalization,
          settings: { ...common, epochs: cfg.epochs, sampleEvery: cfg.sampleEvery ?? 0, gridSize: cfg.gridSize ?? 64 },
          ...(from?.optimizers ? { optimizers: from.optimizers } : {}),
        });
      } catch (e) {
        throw new LabError({ message: (e as Error).message, code: 'invalid' });
      }
      control = trainer.control;
      image = { trainer, gan, normalization, latent, width, ...(from ? { prior: from.training.history } : {}) };
      let last = 0;
      go = () =>
        trainer.run((e) => {
          if (e.type === 'step') {
            const now = performance.now();
            if (trainer.control.state === 'running' && now - last < STEP_EVENT_MS && e.batch !== e.batches) return;
            last = now;
            if (!Number.isFinite(e.dLoss) || !Number.isFinite(e.gLoss)) return;
            ctx.emit('gan.step', { runId: id, step: e.step, epoch: e.epoch, dLoss: e.dLoss, gLoss: e.gLoss, dReal: unit(e.dReal), dFake: unit(e.dFake) });
          } else if (e.type === 'samples') {
            ctx.emit('gan.samples', { runId: id, step: e.step, epoch: e.epoch, n: e.n, channels: e.channels, height: e.height, width: e.width, pixels: e.pixels });
          } else if (e.type === 'epoch') {
            if (!Number.isFinite(e.dLoss) || !Number.isFinite(e.gLoss)) return;
            const score = scoreEpoch();
            const figures: Record<string, number | null> = score ? { confident: score.confident, confidentReal: score.real, classSpread: score.spread } : {};
            registry.addEpoch(id, { epoch: e.epoch, lossD: e.dLoss, lossG: e.gLoss, dReal: unit(e.dReal), dFake: unit(e.dFake), seconds: e.seconds, ...figures });
            ctx.emit('gan.epoch', { runId: id, epoch: e.epoch, epochs: e.epochs, dLoss: e.dLoss, gLoss: e.gLoss, dReal: unit(e.dReal), dFake: unit(e.dFake), seconds: e.seconds, ...(score ? { score } : {}) });
          }
        });
      result = { runId: id, stepsPerEpoch: trainer.stepsPerEpoch, images: set.n };
      // The confident-samples score (gan-score.ts) after each epoch, when the images fit its classifier.
      let scorer: { clf: NonNullable<Awaited<typeof scoreClassifier>>; real: number } | null = null;
      const scoreEpoch = (): GanScore | null => {
        if (!scorer) return null;
        const s = scoreGenerator(scorer.clf, gan, normalization);
        return { confident: s.confident, real: scorer.real, spread: s.spread, perClass: s.perClass, classes: s.classes };
      };
      // The grid before any training: the noise the generator starts from.
      const first = trainer.samples();
      const train = go;
      go = async () => {
        ctx.emit('gan.samples', { runId: id, step: 0, epoch: 0, ...first });
        scoreClassifier ??= loadScoreClassifier().catch(() => null);
        const clf = await scoreClassifier;
        if (clf && scoreFits(clf, [set.channels, set.height, set.width])) scorer = { clf, real: scoreImages(clf, set).confident };
        return train();
      };
    }
    const r: GanRun = { id, control, done: null, image };
    this.#run = r;
    if (image) this.#image = r;
    const config: Record<string, unknown> = { ...cfg };
    delete config.runId;
    delete config.paused;
    delete config.name;
    registry.create('gan', config, { id, name: cfg.name ?? '' });
    if (cfg.paused) control.pause();
    ctx.emit('gan.state', { runId: id, state: control.state });
    // Start after the reply has gone out (the client named the run, so early events are known anyway).
    setImmediate(() =>
      void go().then(
        (d) => this.#finish(r, d.reason, d.message, d.step, ctx),
        (e: unknown) => this.#finish(r, 'failed', `GAN training failed: ${(e as Error).message}`, 0, ctx),
      ),
    );
    return result;
  }

  #finish(r: GanRun, reason: GanDone['reason'], message: string, step: number, ctx: EventSink): void {
    r.done = { runId: r.id, reason, message, step };
    r.control.stop();
    ctx.emit('gan.state', { runId: r.id, state: 'stopped' });
    ctx.emit('gan.done', r.done);
    const history = this.registry.get(r.id).history;
    const lastRow = history.at(-1);
    const figures = {
      lossD: lastRow?.lossD ?? null, lossG: lastRow?.lossG ?? null, dReal: lastRow?.dReal ?? null, dFake: lastRow?.dFake ?? null, steps: step,
      ...(lastRow && 'confident' in lastRow ? { confident: lastRow.confident, confidentReal: lastRow.confidentReal ?? null, classSpread: lastRow.classSpread ?? null } : {}),
    };
    let model: GanFile | null = null;
    if (r.image && reason !== 'diverged') {
      try {
        model = imageFile(r.image);
      } catch {
        model = null; // a model that cannot be written (NaN weights) is not saved
      }
    }
    void this.registry.finish(r.id, { outcome: { reason, message }, figures, model });
  }

  control(action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined, ctx: EventSink): { state: 'running' | 'paused' | 'stopped' } {
    const run = this.#run;
    if (!run || run.done) throw new LabError({ message: 'no GAN run is in progress', code: 'unavailable' });
    const c = run.control;
    if (action === 'step') {
      c.pause();
      c.step(steps ?? 1);
    } else c[action]();
    if (c.state === 'running' || c.state === 'paused') this.registry.setState(run.id, c.state);
    ctx.emit('gan.state', { runId: run.id, state: c.state });
    return { state: c.state };
  }

  /** Slow motion: each step of the run in progress waits `delay` ms (0: full speed). */
  speed(delay: number): { delay: number } {
    const run = this.#run;
    if (!run || run.done) throw new LabError({ message: 'no GAN run is in progress', code: 'unavailable' });
    run.control.setDelay(delay);
    return { delay: run.control.delay };
  }

/**
 * Write the current (or last) image GAN to a "gan" model file: both networks, their Adam states (so
 * training can resume) and the epochs so far. Atomic: on failure an earlier file at `path` is untouched.
 */
  async export(path: string): Promise<{ path: string; bytes: number }> {
    const image = this.#image?.image;
    if (!image) {
      const toy = this.#run && !this.#run.image;
      throw new LabError({ message: toy ? 'the 2-D toy GAN is not a model-file kind: only an image GAN can be exported (train one on Images)' : 'there is no GAN to export: train an image GAN first', code: 'unavailable' });
    }
    const abs = resolve(path);
    try {
      await writeModelFile(abs, imageFile(image));
    } catch (e) {
      throw new LabError({ message: e instanceof ModelFileError ? e.message : (e as Error).message, code: 'failed' });
    }
    return { path: abs, bytes: (await stat(abs)).size };
  }
}
