/**
 * The GAN view's shapes in the contract (contract.ts lists the methods and events): an image GAN
 * (DCGAN) on the loaded folder with sample grids from fixed latent codes, or the 2-D toy GAN with its
 * real and generated clouds and the discriminator's surface.
 */
import { arr, bool, count, f32, type Infer, literal, nullable, num, obj, optional, str, tagged, u8 } from './guard.js';
import { RunId } from './runs.js';

export const TOY_SETS = ['blobs', 'moons', 'rings', 'spirals'] as const;
/** The slowest a watched run may go: milliseconds per step (gan.speed, train.speed). */
export const MAX_DELAY_MS = 2000;

const common = {
  seed: count(0xffffffff),
  batchSize: num({ int: true, min: 1, max: 1024 }),
  /** Adam learning rates of the generator and the discriminator; beta1 of both (DCGAN: 0.5). */
  lrG: num({ min: 0, max: 1 }),
  lrD: num({ min: 0, max: 1 }),
  beta1: optional(num({ min: 0, max: 0.999 })),
  /** Discriminator updates per generator update. */
  dSteps: optional(num({ int: true, min: 1, max: 20 })),
  /** The generator maximizes log D(G(z)) (default) instead of minimizing log(1 - D(G(z))). */
  nonSaturating: optional(bool),
  /** Start paused, to step. */
  paused: optional(bool),
  /** The run's id, chosen by the client (its events can be told apart before the reply); absent: the engine makes one. */
  runId: optional(RunId),
  /** The user's name for the run. */
  name: optional(str({ max: 100 })),
};

export const GanConfig = tagged('mode', {
  image: obj({
    mode: literal('image'),
    ...common,
    epochs: num({ int: true, min: 1, max: 10_000 }),
    latent: optional(num({ int: true, min: 1, max: 1024 })),
    /** Filters of the discriminator's first level (the generator mirrors it). */
    width: optional(num({ int: true, min: 1, max: 256 })),
    /** A new sample grid every this many generator steps (0: after each epoch only). */
    sampleEvery: optional(num({ int: true, min: 0, max: 100_000 })),
    /** Samples in the grid (default 64). */
    gridSize: optional(num({ int: true, min: 1, max: 256 })),
    /** Continue training the GAN saved in this "gan" model file (its networks, latent size and, when saved, optimizer states) instead of a new one. */
    model: optional(str({ min: 1, max: 4096 })),
  }),
  toy: obj({
    mode: literal('toy'),
    ...common,
    toy: literal(...TOY_SETS),
    steps: num({ int: true, min: 1, max: 1_000_000 }),
    hidden: optional(num({ int: true, min: 1, max: 512 })),
    layers: optional(num({ int: true, min: 1, max: 8 })),
    /** Slow motion: milliseconds each step waits (0 or absent: full speed); gan.speed changes it later. */
    delay: optional(num({ min: 0, max: MAX_DELAY_MS })),
  }),
});
export type GanConfig = Infer<typeof GanConfig>;

export const GanStepEvent = obj({
  runId: RunId,
  step: count(),
  epoch: count(),
  dLoss: num(),
  gLoss: num(),
  /** Mean D(x) on the real batch and D(G(z)) on the generated one. */
  dReal: num({ min: 0, max: 1 }),
  dFake: num({ min: 0, max: 1 }),
});
export type GanStepEvent = Infer<typeof GanStepEvent>;

export const GanSamples = obj({
  runId: RunId,
  step: count(),
  epoch: count(),
  n: count(),
  channels: count(),
  height: count(),
  width: count(),
  /** n images, 8-bit, planar (CHW). */
  pixels: u8(),
});
export type GanSamples = Infer<typeof GanSamples>;

/**
 * Share of generated samples a fixed Fashion-MNIST classifier gives a garment class with probability > 0.9
 * (`confident`), the same share on the folder's real images (`real`), the effective number of classes
 * among the confident samples (`spread`: 1 = one class) and their count per class (`classes` names them).
 */
export const GanScore = obj({
  confident: num({ min: 0, max: 1 }),
  real: nullable(num({ min: 0, max: 1 })),
  spread: num({ min: 0 }),
  perClass: arr(count(), { max: 64 }),
  classes: arr(str({ max: 100 }), { max: 64 }),
});
export type GanScore = Infer<typeof GanScore>;

export const GanEpoch = obj({
  runId: RunId,
  epoch: count(),
  epochs: count(),
  dLoss: num(),
  gLoss: num(),
  dReal: num({ min: 0, max: 1 }),
  dFake: num({ min: 0, max: 1 }),
  seconds: num({ min: 0 }),
  /** The confident-samples score after this epoch (engine/session/gan-score.ts), when the images fit its classifier (28x28 grey). */
  score: optional(GanScore),
});
export type GanEpoch = Infer<typeof GanEpoch>;

const lossOrNull = nullable(num());
export const GanFrame = obj({
  runId: RunId,
  step: count(),
  steps: count(),
  dLoss: lossOrNull,
  gLoss: lossOrNull,
  dReal: lossOrNull,
  dFake: lossOrNull,
  /** Generated points from fixed noise [n, 2] and the real set [m, 2], row-major. */
  generated: f32(),
  real: f32(),
  /** D's probability of "real" at cell centres, row by row from (-extent, -extent). */
  surface: obj({ resolution: count(), extent: num({ min: 0 }), prob: f32() }),
  /** d(each generated point's G loss)/d(point) [n, 2]: the generator moves the points against it. */
  gradient: optional(f32()),
});
export type GanFrame = Infer<typeof GanFrame>;

export const GAN_STATES = ['running', 'paused', 'stopped'] as const;
export const GanDone = obj({ runId: RunId, reason: literal('completed', 'stopped', 'diverged', 'failed'), message: str({ max: 4096 }), step: count() });
export type GanDone = Infer<typeof GanDone>;
