/**
 * The DCGAN bench workload: one full round of the game (a D update on a real and a fake batch, then a
 * G update through D) on 28x28 gray images, batch 64, the `locus gan` defaults (latent 64, width 16,
 * Adam 2e-4 / 0.5). Images per second counts the real images consumed; 64 / rate is the time per step.
 */
import { Rng } from '../core/rng.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { GanStepper } from '../models/gan-step.js';
import { createOptimizer } from '../optim/index.js';

export function dcganWorkload(name = 'dcgan-step', batch = 64): { name: string; batch: number; run: () => void } {
  const rng = new Rng(1);
  const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 64, width: 16 }), rng);
  const adam = () => createOptimizer({ type: 'adam', lr: 2e-4, beta1: 0.5 });
  const stepper = new GanStepper(gan, adam(), adam(), batch);
  const real = new Float32Array(batch * gan.sampleSize);
  for (let i = 0; i < real.length; i++) real[i] = rng.uniform(-1, 1);
  const nextReal = (out: Float32Array) => {
    out.set(real);
    return batch;
  };
  return { name, batch, run: () => void stepper.step(nextReal, rng) };
}
