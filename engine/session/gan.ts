/**
 * Training a GAN on an image folder: seeded shuffles, rounds of the two-player game (models/gan-step.ts),
 * a sample grid from a fixed seeded set of latent codes every N steps and after every epoch (so the grids
 * show progress), per-epoch history, pause/resume/step/stop through RunControl, and a NaN or infinite
 * loss or gradient stopping the run with a clear message. Events are plain objects (typed arrays
 * included) so they cross process boundaries unchanged.
 */
import { Rng } from '../core/rng.js';
import { allFinite } from '../core/tensor.js';
import { fillBatch } from '../data/batch.js';
import type { ImageSet } from '../data/folder.js';
import type { Normalization } from '../data/normalize.js';
import type { Gan } from '../models/gan.js';
import { latentGrid, toPixels } from '../models/gan-latent.js';
import { GanStepper } from '../models/gan-step.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RunControl } from './control.js';
import { plural } from '../protocol/words.js';

export interface GanTrainSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  optimizerG: OptimizerSpec;
  optimizerD: OptimizerSpec;
  /** Discriminator updates per generator update (k). */
  dSteps: number;
  /** Generator maximizes log D(G(z)) (true) instead of minimizing log(1 - D(G(z))). */
  nonSaturating: boolean;
  /** A sample grid every this many generator steps (0 = only after each epoch). */
  sampleEvery: number;
  /** Samples in the grid, from fixed latent codes seeded by `seed` (default 64). */
  gridSize: number;
}

/**
 * DCGAN's choices (Adam beta1 0.5, k = 1, non-saturating loss) with faster rates and smaller batches than
 * its 2e-4 and 64: G at 2e-3 and D at 5e-4, batch 32. On 2,000 Fashion-MNIST images G at 2e-3 scores
 * about 32% confident samples after 2,000 steps where G at 1e-3 scores 27% and 2e-4/64 stays under 1%
 * (docs/gans.md).
 */
export const GAN_TRAIN_DEFAULTS: Readonly<GanTrainSettings> = Object.freeze({
  epochs: 10,
  batchSize: 32,
  seed: 1,
  optimizerG: Object.freeze({ type: 'adam', lr: 2e-3, beta1: 0.5 }) as OptimizerSpec,
  optimizerD: Object.freeze({ type: 'adam', lr: 5e-4, beta1: 0.5 }) as OptimizerSpec,
  dSteps: 1,
  nonSaturating: true,
  sampleEvery: 0,
  gridSize: 64,
});

export interface GanEpochMetrics {
  epoch: number;
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  seconds: number;
}

export interface SampleGrid {
  /** n samples, 8-bit NCHW (denormalized from the generator's tanh output). */
  n: number;
  channels: number;
  height: number;
  width: number;
  pixels: Uint8Array;
}

export type GanEvent =
  | { type: 'step'; step: number; epoch: number; batch: number; batches: number; dLoss: number; gLoss: number; dReal: number; dFake: number }
  | ({ type: 'samples'; step: number; epoch: number } & SampleGrid)
  | ({ type: 'epoch'; epochs: number } & GanEpochMetrics)
  | { type: 'done'; reason: 'completed' | 'stopped' | 'diverged'; message: string; step: number };

export interface GanTrainerInit {
  gan: Gan;
  set: ImageSet;
  /** Which images to train on (default: all). */
  indices?: Int32Array;
  /** How pixels become inputs; 'symmetric' ([-1, 1]) matches a tanh generator. */
  normalization: Normalization;
  settings?: Partial<GanTrainSettings>;
  /** Optimizers to continue with (resume); otherwise created from the settings. */
  optimizers?: { generator: Optimizer; discriminator: Optimizer };
}

export class GanTrainer {
  readonly control = new RunControl();
  readonly history: GanEpochMetrics[] = [];
  readonly settings: Readonly<GanTrainSettings>;
  readonly optG: Optimizer;
  readonly optD: Optimizer;
  readonly #init: GanTrainerInit;
  readonly #stepper: GanStepper;
  readonly #rng: Rng;
  readonly #order: Int32Array;
  #pos: number;
  #epoch = 0;
  #step = 0;

  constructor(init: GanTrainerInit) {
    const s: GanTrainSettings = { ...GAN_TRAIN_DEFAULTS, ...init.settings };
    const { gan, set } = init;
    for (const k of ['epochs', 'batchSize', 'dSteps', 'gridSize'] as const) {
      if (!Number.isInteger(s[k]) || s[k] < 1) throw new Error(`GAN training: ${k} must be a positive integer, got ${s[k]}`);
    }
    if (!Number.isInteger(s.sampleEvery) || s.sampleEvery < 0) throw new Error(`GAN training: sampleEvery must be an integer >= 0, got ${s.sampleEvery}`);
    const image = [set.channels, set.height, set.width];
    if (gan.sampleShape.join('x') !== image.join('x')) {
      throw new Error(`the GAN makes ${gan.sampleShape.join('x')} samples but the images are ${image.join('x')}`);
    }
    this.#order = init.indices ? new Int32Array(init.indices) : Int32Array.from({ length: set.n }, (_, i) => i);
    if (this.#order.length === 0) throw new Error('no training images');
    this.#init = init;
    this.settings = Object.freeze(s);
    this.optG = init.optimizers?.generator ?? createOptimizer(s.optimizerG);
    this.optD = init.optimizers?.discriminator ?? createOptimizer(s.optimizerD);
    this.#stepper = new GanStepper(gan, this.optD, this.optG, s.batchSize, { dSteps: s.dSteps, nonSaturating: s.nonSaturating });
    this.#rng = new Rng(s.seed ^ 0x5eed);
    this.#pos = this.#order.length; // shuffle before the first batch
  }

  get epoch(): number {
    return this.#epoch;
  }

  get step(): number {
    return this.#step;
  }

  /** Generator steps per epoch: enough D batches to see every image once. */
  get stepsPerEpoch(): number {
    const batches = Math.ceil(this.#order.length / this.settings.batchSize);
    return Math.max(1, Math.ceil(batches / this.settings.dSteps));
  }

  /** The sample grid for the fixed latent codes (inference mode). */
  samples(): SampleGrid {
    const { gan, normalization } = this.#init;
    const z = latentGrid(gan.latent, this.settings.gridSize, this.settings.seed);
    const x = gan.generate(z, new Rng(0)); // inference draws nothing; the training stream stays untouched
    const [channels, height, width] = gan.sampleShape;
    return { n: this.settings.gridSize, channels, height, width, pixels: toPixels(x, normalization) };
  }

  async run(onEvent: (e: GanEvent) => void = () => {}): Promise<GanEvent & { type: 'done' }> {
    const { gan, set, normalization } = this.#init;
    const s = this.settings;
    const B = s.batchSize;
    const finish = (reason: 'completed' | 'stopped' | 'diverged', message: string) => {
      const e = { type: 'done' as const, reason, message, step: this.#step };
      onEvent(e);
      return e;
    };
    const nextReal = (out: Float32Array): number => {
      if (this.#pos >= this.#order.length) {
        this.#rng.shuffle(this.#order);
        this.#pos = 0;
      }
      const count = Math.min(B, this.#order.length - this.#pos);
      fillBatch(set, this.#order, this.#pos, count, normalization, out);
      this.#pos += count;
      return count;
    };
    const steps = this.stepsPerEpoch;
    while (this.#epoch < s.epochs) {
      const t0 = performance.now();
      const sum = { dLoss: 0, gLoss: 0, dReal: 0, dFake: 0 };
      for (let b = 0; b < steps; b++) {
        if (!(await this.control.checkpoint())) return finish('stopped', `stopped during epoch ${this.#epoch + 1} after step ${this.#step}`);
        const r = this.#stepper.step(nextReal, this.#rng);
        if (r.problem !== null) return finish('diverged', divergenceMessage(this.#step + 1, r.problem, this.optD.lr, this.optG.lr));
        this.#step++;
        sum.dLoss += r.dLoss;
        sum.gLoss += r.gLoss;
        sum.dReal += r.dReal;
        sum.dFake += r.dFake;
        onEvent({ type: 'step', step: this.#step, epoch: this.#epoch + 1, batch: b + 1, batches: steps, dLoss: r.dLoss, gLoss: r.gLoss, dReal: r.dReal, dFake: r.dFake });
        if (s.sampleEvery > 0 && this.#step % s.sampleEvery === 0) onEvent({ type: 'samples', step: this.#step, epoch: this.#epoch + 1, ...this.samples() });
      }
      const bad = [...gan.generator.params(), ...gan.discriminator.params()].find((p) => !allFinite(p.value));
      if (bad) return finish('diverged', divergenceMessage(this.#step, `parameter ${bad.name} became NaN or infinite`, this.optD.lr, this.optG.lr));
      this.#epoch++;
      const m: GanEpochMetrics = {
        epoch: this.#epoch,
        dLoss: sum.dLoss / steps,
        gLoss: sum.gLoss / steps,
        dReal: sum.dReal / steps,
        dFake: sum.dFake / steps,
        seconds: (performance.now() - t0) / 1000,
      };
      this.history.push(m);
      onEvent({ type: 'epoch', epochs: s.epochs, ...m });
      onEvent({ type: 'samples', step: this.#step, epoch: this.#epoch, ...this.samples() });
    }
    return finish('completed', `trained ${plural(s.epochs, 'epoch')} (${plural(this.#step, 'generator step')})`);
  }
}

/** The message a diverged GAN run stops with. */
export function divergenceMessage(step: number, problem: string, lrD: number, lrG: number): string {
  const lower = (lr: number) => +(lr / 10).toPrecision(3);
  return (
    `training diverged at step ${step}: ${problem}. ` +
    `Try lower learning rates (now D ${lrD} and G ${lrG}, e.g. ${lower(lrD)} and ${lower(lrG)})`
  );
}
