/**
 * A generative adversarial network: a generator G (latent code z -> sample) and a discriminator D
 * (sample -> one logit, the log-odds that the sample is real), both Sequential networks built from JSON.
 * The training step lives in gan-step.ts; latent codes, grids and interpolation in gan-latent.ts.
 */
import type { Rng } from '../core/rng.js';
import { shapeEq, shapeStr, sizeOf, tensor, type Tensor } from '../core/tensor.js';
import type { GanSpecs } from './gan-presets.js';
import { Sequential } from './sequential.js';

export class Gan {
  readonly generator: Sequential;
  readonly discriminator: Sequential;
  /** Size of a latent code. */
  readonly latent: number;
  /** Per-sample shape of what G makes and D judges, e.g. [1, 28, 28] or [2]. */
  readonly sampleShape: readonly number[];

  constructor(specs: GanSpecs, rng: Rng) {
    const g = specs.generator;
    if (g.input.length !== 1) throw new Error(`gan: the generator's input must be a flat latent code [n], got ${shapeStr(g.input)}`);
    this.generator = new Sequential(g, rng);
    this.discriminator = new Sequential(specs.discriminator, rng);
    this.latent = g.input[0];
    this.sampleShape = this.generator.outputShape;
    if (!shapeEq(this.generator.outputShape, this.discriminator.inputShape)) {
      throw new Error(
        `gan: the generator makes ${shapeStr(this.generator.outputShape)} but the discriminator takes ${shapeStr(this.discriminator.inputShape)}`,
      );
    }
    if (!shapeEq(this.discriminator.outputShape, [1])) {
      throw new Error(`gan: the discriminator must output one logit ([1]), it outputs ${shapeStr(this.discriminator.outputShape)}`);
    }
  }

  specs(): GanSpecs {
    return { generator: this.generator.spec(), discriminator: this.discriminator.spec() };
  }

  /** Values per sample. */
  get sampleSize(): number {
    return sizeOf(this.sampleShape);
  }

  /** Samples for latent codes z [n, latent], in inference mode (BatchNorm uses its running statistics). */
  generate(z: Tensor, rng: Rng): Tensor {
    return this.generator.predict(z, rng);
  }

  /** D(x) = sigmoid(logit) per sample of x [n, ...sampleShape], in inference mode. */
  judge(x: Tensor, rng: Rng): Float32Array {
    const logits = this.discriminator.predict(x, rng).data;
    const p = new Float32Array(logits.length);
    for (let i = 0; i < p.length; i++) p[i] = sigmoid(logits[i]);
    return p;
  }

  /** n latent codes drawn from N(0, 1) into `out` (or a new tensor). */
  sampleLatent(n: number, rng: Rng, out?: Float32Array): Tensor {
    const need = n * this.latent;
    const d = out ? out.subarray(0, need) : new Float32Array(need);
    if (d.length < need) throw new Error(`gan: latent buffer holds ${d.length} values, needs ${need}`);
    for (let i = 0; i < need; i++) d[i] = rng.normal();
    return tensor([n, this.latent], d);
  }
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
