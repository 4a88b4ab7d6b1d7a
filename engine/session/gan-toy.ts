/**
 * The 2-D GAN, as GAN Lab shows it: small MLPs learn to turn 2-D noise into points that look like one of
 * the toy sets (engine/data/toy.ts). Each frame carries the generator's output cloud (from fixed noise, so
 * the points move smoothly), the real cloud and D's probability of "real" over a grid of the plane (the
 * decision surface), and the generator's gradient at each generated point: d(the point's own G loss)/d(point),
 * whose negative is where the generator's update pushes the point (GAN Lab's arrows). Pause, resume,
 * step, stop and a delay per step (slow motion) through RunControl; while slowed, every step sends a frame.
 */
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { toySet, type ToyName } from '../data/toy.js';
import '../layers/index.js';
import { Gan, sigmoid } from '../models/gan.js';
import { energyDistance } from '../models/gan-metrics.js';
import { mlp2dSpecs } from '../models/gan-presets.js';
import { GanStepper, type GanStepResult } from '../models/gan-step.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RunControl } from './control.js';
import { divergenceMessage } from './gan.js';
import { plural } from '../protocol/words.js';

export interface ToyGanSettings {
  toy: ToyName;
  /** Points in the real set (default 512). */
  points: number;
  seed: number;
  /** Generator updates to run (default 2000). */
  steps: number;
  batchSize: number;
  latent: number;
  hidden: number;
  layers: number;
  dSteps: number;
  nonSaturating: boolean;
  optimizerG: OptimizerSpec;
  optimizerD: OptimizerSpec;
  /** A frame every this many steps (default 10; the first and last step always send one). */
  every: number;
  /** Decision surface: resolution x resolution cells over [-extent, extent]^2 (defaults 32, 2). */
  resolution: number;
  extent: number;
  /** Generated points shown per frame (default 256). */
  shown: number;
}

export const TOY_GAN_DEFAULTS: Readonly<ToyGanSettings> = Object.freeze({
  toy: 'rings',
  points: 512,
  seed: 1,
  steps: 2000,
  batchSize: 64,
  latent: 2,
  hidden: 32,
  layers: 2,
  dSteps: 1,
  nonSaturating: true,
  optimizerG: Object.freeze({ type: 'adam', lr: 1e-3, beta1: 0.5 }) as OptimizerSpec,
  optimizerD: Object.freeze({ type: 'adam', lr: 1e-3, beta1: 0.5 }) as OptimizerSpec,
  every: 10,
  resolution: 32,
  extent: 2,
  shown: 256,
});

export interface ToyGanFrame {
  type: 'frame';
  step: number;
  steps: number;
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  /** Generated points [shown, 2], row-major. */
  generated: Float32Array;
  /** The real set [points, 2]. */
  real: Float32Array;
  /** d(G loss of each generated point)/d(point) [shown, 2]: the generator moves the points against it. */
  gradient: Float32Array;
  /** D's probability that a point is real at cell centres, row by row from (-extent, -extent). */
  surface: { resolution: number; extent: number; prob: Float32Array };
}

export type ToyGanEvent = ToyGanFrame | { type: 'done'; reason: 'completed' | 'stopped' | 'diverged'; message: string; step: number };

export class ToyGanTrainer {
  readonly control = new RunControl();
  readonly settings: Readonly<ToyGanSettings>;
  readonly gan: Gan;
  readonly real: Float32Array;
  readonly optG: Optimizer;
  readonly optD: Optimizer;
  readonly #stepper: GanStepper;
  readonly #rng: Rng;
  readonly #noise;
  readonly #cells;
  #step = 0;
  #last: GanStepResult | null = null;

  constructor(settings: Partial<ToyGanSettings> = {}) {
    const s = { ...TOY_GAN_DEFAULTS, ...settings };
    for (const k of ['points', 'steps', 'batchSize', 'every', 'resolution', 'shown'] as const) {
      if (!Number.isInteger(s[k]) || s[k] < 1) throw new Error(`2-D GAN: ${k} must be a positive integer, got ${s[k]}`);
    }
    if (!(s.extent > 0)) throw new Error(`2-D GAN: extent must be positive, got ${s.extent}`);
    this.settings = Object.freeze(s);
    const rng = new Rng(s.seed);
    this.real = toySet(s.toy, s.points, new Rng(s.seed ^ 0x70ee)).x;
    this.gan = new Gan(mlp2dSpecs({ latent: s.latent, hidden: s.hidden, layers: s.layers }), rng);
    this.optG = createOptimizer(s.optimizerG);
    this.optD = createOptimizer(s.optimizerD);
    this.#stepper = new GanStepper(this.gan, this.optD, this.optG, s.batchSize, { dSteps: s.dSteps, nonSaturating: s.nonSaturating });
    this.#rng = new Rng(s.seed ^ 0x5eed);
    this.#noise = this.gan.sampleLatent(s.shown, new Rng(s.seed ^ 0xf1ed));
    const r = s.resolution;
    const cells = new Float32Array(r * r * 2);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < r; j++) {
        cells[2 * (i * r + j)] = -s.extent + ((j + 0.5) * 2 * s.extent) / r;
        cells[2 * (i * r + j) + 1] = -s.extent + ((i + 0.5) * 2 * s.extent) / r;
      }
    }
    this.#cells = tensor([r * r, 2], cells);
  }

  get step(): number {
    return this.#step;
  }

  /** One round of the game on a random batch of the real set (drawn with replacement). */
  stepOnce(): GanStepResult {
    const n = this.settings.points;
    const B = this.settings.batchSize;
    const r = this.#stepper.step((out) => {
      for (let k = 0; k < B; k++) {
        const i = this.#rng.int(n);
        out[2 * k] = this.real[2 * i];
        out[2 * k + 1] = this.real[2 * i + 1];
      }
      return B;
    }, this.#rng);
    if (r.problem === null) this.#step++;
    this.#last = r;
    return r;
  }

  /** The generator's output cloud for the fixed noise. */
  generated(): Float32Array {
    return new Float32Array(this.gan.generate(this.#noise, new Rng(0)).data);
  }

  /**
   * The gradient of each point's own generator loss with respect to the point, through D in inference
   * mode: non-saturating l = -log D(x), else l = log(1 - D(x)). Rows are independent (D has no batch
   * statistics in inference), so row i is dl_i/dx_i. D's parameter grads are left as they were.
   */
  pointGradient(points: Float32Array): Float32Array {
    const n = points.length / 2;
    if (!Number.isInteger(n)) throw new Error(`2-D GAN: points must be [n, 2], got ${points.length} values`);
    const d = this.gan.discriminator;
    const saved = d.params().map((p) => new Float32Array(p.grad));
    const { y, caches } = d.forward(tensor([n, 2], new Float32Array(points)), { training: false, rng: new Rng(0) });
    const dz = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(y.data[i]);
      dz[i] = this.settings.nonSaturating ? p - 1 : -p;
    }
    const dx = d.backward(caches, tensor([n, 1], dz));
    d.params().forEach((p, i) => p.grad.set(saved[i]));
    return new Float32Array(dx.data);
  }

  frame(): ToyGanFrame {
    const l = this.#last;
    const s = this.settings;
    const generated = this.generated();
    return {
      type: 'frame',
      step: this.#step,
      steps: s.steps,
      dLoss: l?.dLoss ?? Number.NaN,
      gLoss: l?.gLoss ?? Number.NaN,
      dReal: l?.dReal ?? Number.NaN,
      dFake: l?.dFake ?? Number.NaN,
      generated,
      real: this.real,
      gradient: this.pointGradient(generated),
      surface: { resolution: s.resolution, extent: s.extent, prob: this.gan.judge(this.#cells, new Rng(0)) },
    };
  }

  /** Energy distance between the generated cloud and the real set (lower is closer). */
  distance(): number {
    return energyDistance(this.generated(), this.real);
  }

  async run(onEvent: (e: ToyGanEvent) => void = () => {}): Promise<ToyGanEvent & { type: 'done' }> {
    const s = this.settings;
    const finish = (reason: 'completed' | 'stopped' | 'diverged', message: string) => {
      const e = { type: 'done' as const, reason, message, step: this.#step };
      onEvent(e);
      return e;
    };
    if (this.#step === 0) onEvent(this.frame());
    while (this.#step < s.steps) {
      if (!(await this.control.checkpoint())) return finish('stopped', `stopped after step ${this.#step}`);
      const r = this.stepOnce();
      if (r.problem !== null) return finish('diverged', divergenceMessage(this.#step + 1, r.problem, this.optD.lr, this.optG.lr));
      if (this.#step % s.every === 0 || this.#step === s.steps || this.control.state === 'paused' || this.control.delay > 0) onEvent(this.frame());
    }
    return finish('completed', `trained ${plural(s.steps, 'step')}`);
  }
}
