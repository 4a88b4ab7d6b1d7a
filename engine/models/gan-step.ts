/**
 * One round of the two-player game (Goodfellow et al. 2014, Algorithm 1):
 *  1. k times, with G fixed: update D to maximize  mean log D(x) + mean log(1 - D(G(z)))
 *     on a real batch x and a fresh fake batch G(z), i.e. minimize BCE(D(x), 1) + BCE(D(G(z)), 0);
 *  2. once, with D fixed: update G to minimize mean log(1 - D(G(z)))  (saturating), or, by default, to
 *     maximize mean log D(G(z)) (non-saturating: the same fixed point, strong gradients early on).
 * Details that matter:
 *  - D sees the real and the fake batch in two separate forward passes, so a batchNorm in D normalizes
 *    each with its own statistics (as the DCGAN reference code does), and its gradients add up in D's
 *    grads before the single D update;
 *  - D's updates do not backpropagate to D's input (nothing uses the gradient with respect to an image
 *    there); only the G update does;
 *  - the G update reuses the last D step's fake batch and G's forward cache (no second G forward);
 *  - in the G update the gradient flows through D into G; D's backward is told its parameter gradients
 *    are not wanted (its dense and conv2d layers skip them), and whatever D's grads get there is ignored
 *    (zeroed before D's next update) and only G's optimizer steps; D's running statistics (batchNorm
 *    buffers) are restored after that forward pass, so the G update leaves D exactly as it was;
 *  - nothing is applied when a loss or gradient is NaN or infinite: the step reports the problem instead.
 */
import type { Arena } from '../core/arena.js';
import type { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import type { Param } from '../layers/layer.js';
import { binaryCrossEntropyFromLogits } from '../losses/index.js';
import { gradNorm } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { sigmoid, type Gan } from './gan.js';
import { trainingArena } from './sequential.js';

export interface GanStepSettings {
  /** Discriminator updates per generator update (k, default 1). */
  dSteps: number;
  /** Generator maximizes log D(G(z)) (default) instead of minimizing log(1 - D(G(z))). */
  nonSaturating: boolean;
}

export const GAN_STEP_DEFAULTS: Readonly<GanStepSettings> = Object.freeze({ dSteps: 1, nonSaturating: true });

export interface GanStepResult {
  /** D's loss, BCE(D(x), 1) + BCE(D(G(z)), 0), averaged over the k D updates. */
  dLoss: number;
  /** The generator objective being minimized: -mean log D(G(z)) (non-saturating) or mean log(1 - D(G(z))). */
  gLoss: number;
  /** Mean D(x) on the last real batch and mean D(G(z)) on the last fake batch, before D's update. */
  dReal: number;
  dFake: number;
  /** Global gradient norms of the last D update and of the G update. */
  dGradNorm: number;
  gGradNorm: number;
  /** Why nothing more was applied (a NaN or infinite loss or gradient), or null. */
  problem: string | null;
}

/** What a G update needs from a forward pass of G. */
export interface GeneratorPass {
  y: Tensor;
  caches: unknown[];
}

/**
 * The generator's loss on a fake batch and its gradient: D forward (training mode, running statistics
 * restored afterwards), the loss, D backward to the fake samples, G backward into G's grads (ADDED;
 * the caller zeroes them). D's layers skip their parameter gradients where they can (paramGrads false);
 * D's grads may still be touched and must be zeroed before D's next update.
 */
export function generatorBackward(
  gan: Gan, pass: GeneratorPass, nonSaturating: boolean, rng: Rng, gradOut?: Float32Array, arena?: Arena,
): { loss: number; dFake: number } {
  const d = gan.discriminator;
  const saved = d.buffers().map((b) => new Float32Array(b.value));
  const { y: logits, caches } = d.forward(pass.y, { training: true, rng, arena });
  d.buffers().forEach((b, i) => b.value.set(saved[i]));
  const n = logits.data.length;
  const { loss, grad } = binaryCrossEntropyFromLogits(logits, targetsOf(nonSaturating ? 1 : 0, n), gradOut);
  if (!nonSaturating) for (let i = 0; i < n; i++) grad.data[i] = -grad.data[i];
  const dy = d.backward(caches, grad, true, arena, false);
  gan.generator.backward(pass.caches, dy, false, arena);
  return { loss: nonSaturating ? loss : -loss, dFake: meanSigmoid(logits.data) };
}

/**
 * Runs rounds of the game with preallocated batch buffers. `nextReal(out)` writes up to `batch` real
 * samples (normalized, sample after sample) into out and returns how many it wrote (at least 1).
 */
export class GanStepper {
  readonly batch: number;
  readonly settings: Readonly<GanStepSettings>;
  readonly #gan: Gan;
  readonly #optD: Optimizer;
  readonly #optG: Optimizer;
  readonly #dParams: Param[];
  readonly #gParams: Param[];
  readonly #real: Float32Array;
  readonly #z: Float32Array;
  readonly #grad: Float32Array;
  /** Every activation and gradient of a round, the same arrays each round (reset at its start). */
  readonly #arena = trainingArena();

  constructor(gan: Gan, optD: Optimizer, optG: Optimizer, batch: number, settings: Partial<GanStepSettings> = {}) {
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`gan: batch size must be a positive integer, got ${batch}`);
    const s = { ...GAN_STEP_DEFAULTS, ...settings };
    if (!Number.isInteger(s.dSteps) || s.dSteps < 1 || s.dSteps > 100) throw new Error(`gan: dSteps must be an integer from 1 to 100, got ${s.dSteps}`);
    this.batch = batch;
    this.settings = Object.freeze(s);
    this.#gan = gan;
    this.#optD = optD;
    this.#optG = optG;
    this.#dParams = gan.discriminator.params();
    this.#gParams = gan.generator.params();
    this.#real = new Float32Array(batch * gan.sampleSize);
    this.#z = new Float32Array(batch * gan.latent);
    this.#grad = new Float32Array(batch);
  }

  /** The buffer handed to nextReal (batch x sampleSize floats). */
  get realBuffer(): Float32Array {
    return this.#real;
  }

  step(nextReal: (out: Float32Array) => number, rng: Rng): GanStepResult {
    const gan = this.#gan;
    this.#arena.reset();
    const arena = this.#arena;
    const ctx = { training: true, rng, arena };
    const r: GanStepResult = { dLoss: 0, gLoss: Number.NaN, dReal: Number.NaN, dFake: Number.NaN, dGradNorm: Number.NaN, gGradNorm: Number.NaN, problem: null };
    let pass: GeneratorPass | null = null;
    for (let k = 0; k < this.settings.dSteps; k++) {
      const count = nextReal(this.#real);
      if (!Number.isInteger(count) || count < 1 || count > this.batch) throw new Error(`gan: nextReal returned ${count}, expected 1..${this.batch}`);
      for (const p of this.#dParams) p.grad.fill(0);
      const real = tensor([count, ...gan.sampleShape], this.#real.subarray(0, count * gan.sampleSize));
      const dr = gan.discriminator.forward(real, ctx);
      const lossR = binaryCrossEntropyFromLogits(dr.y, targetsOf(1, count), this.#grad);
      gan.discriminator.backward(dr.caches, lossR.grad, false, arena);
      pass = gan.generator.forward(gan.sampleLatent(count, rng, this.#z), ctx);
      const df = gan.discriminator.forward(pass.y, ctx);
      const lossF = binaryCrossEntropyFromLogits(df.y, targetsOf(0, count), this.#grad);
      gan.discriminator.backward(df.caches, lossF.grad, false, arena);
      r.dReal = meanSigmoid(dr.y.data);
      r.dFake = meanSigmoid(df.y.data);
      r.dGradNorm = gradNorm(this.#dParams);
      const loss = lossR.loss + lossF.loss;
      r.dLoss += loss / this.settings.dSteps;
      if (!Number.isFinite(loss) || !Number.isFinite(r.dGradNorm)) {
        r.problem = `the discriminator's ${Number.isFinite(loss) ? 'gradient' : 'loss'} is ${Number.isFinite(loss) ? r.dGradNorm : loss}`;
        return r;
      }
      this.#optD.step(this.#dParams);
    }
    for (const p of this.#gParams) p.grad.fill(0);
    const g = generatorBackward(gan, pass!, this.settings.nonSaturating, rng, this.#grad, arena);
    r.gLoss = g.loss;
    r.gGradNorm = gradNorm(this.#gParams);
    if (!Number.isFinite(g.loss) || !Number.isFinite(r.gGradNorm)) {
      r.problem = `the generator's ${Number.isFinite(g.loss) ? 'gradient' : 'loss'} is ${Number.isFinite(g.loss) ? r.gGradNorm : g.loss}`;
      return r;
    }
    this.#optG.step(this.#gParams);
    return r;
  }
}

let ones = new Float32Array(64).fill(1);
let zeros = new Float32Array(64);

/** Constant targets (all 1 = real, all 0 = fake) of length n: shared, grown on demand, only read. */
function targetsOf(label: 0 | 1, n: number): Float32Array {
  if (ones.length < n) {
    ones = new Float32Array(n).fill(1);
    zeros = new Float32Array(n);
  }
  return (label === 1 ? ones : zeros).subarray(0, n);
}

function meanSigmoid(logits: Float32Array): number {
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += sigmoid(logits[i]);
  return logits.length ? s / logits.length : Number.NaN;
}
