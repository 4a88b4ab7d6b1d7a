/**
 * TensorFlow.js side of `npm run bench -- --compare` (dev only: loaded on demand by bench.ts, never by
 * the engine). The same workloads and shapes as bench.ts, channels-last as TF.js wants, on the pure-JS
 * `cpu` backend and on the `wasm` backend (one thread). A workload a backend cannot run is reported as
 * failing with the error's message (the wasm backend has no gradient kernel for convolutions). The
 * twins of the newer workloads (lstm-train, vgg64-train, vgg64-infer) build the nets of workloads.ts,
 * layer for layer (tfjs.test.ts checks their shapes and parameter counts).
 * compare.ts runs each job as this script in its own process, with a time limit.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { measureRates } from './timing.js';

type Tf = typeof import('@tensorflow/tfjs');

export interface TfjsResult {
  name: string;
  backend: string;
  img_per_s?: number;
  cpu_img_per_s?: number;
  fails?: string;
}

interface Job {
  name: string;
  batch: number;
  make: (tf: Tf) => () => void;
}

function lenet5(tf: Tf) {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function mlp(tf: Tf) {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** engine/bench/workloads.ts's vgg64 (presetSpec('vgg', [3, 64, 64], 10, { depth: 3 })), channels-last. */
export function vgg64(tf: Tf) {
  const layers: import('@tensorflow/tfjs').layers.Layer[] = [];
  for (const filters of [16, 32, 64]) {
    const first = layers.length === 0 ? { inputShape: [64, 64, 3] } : {};
    layers.push(
      tf.layers.conv2d({ ...first, filters, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
    );
  }
  layers.push(tf.layers.flatten(), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dense({ units: 10 }));
  return tf.sequential({ layers });
}

/** engine/bench/workloads.ts's lstm: one LSTM layer of 64 units over 28 steps x 28 features, its last state, dense 10. */
export function lstm(tf: Tf) {
  return tf.sequential({
    layers: [tf.layers.lstm({ inputShape: [28, 28], units: 64, recurrentInitializer: 'glorotUniform' }), tf.layers.dense({ units: 10 })],
  });
}

/** A training step (forward, softmax cross-entropy, backward, Adam) on a batch of `input`-shaped samples. */
function train(makeModel: (tf: Tf) => import('@tensorflow/tfjs').Sequential, batch: number, input: number[] = [28, 28, 1]) {
  return (tf: Tf) => {
    const model = makeModel(tf);
    const opt = tf.train.adam(1e-3);
    const x = tf.randomUniform([batch, ...input]);
    const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as import('@tensorflow/tfjs').Tensor1D, 10);
    return () => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as import('@tensorflow/tfjs').Tensor) as import('@tensorflow/tfjs').Scalar, false);
    };
  };
}

function infer(makeModel: (tf: Tf) => import('@tensorflow/tfjs').Sequential, batch: number, input: number[] = [28, 28, 1]) {
  return (tf: Tf) => {
    const model = makeModel(tf);
    const x = tf.randomUniform([batch, ...input]);
    return () => {
      const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
      y.dataSync();
      y.dispose();
    };
  };
}

/** engine/bench/gan.ts's DCGAN (latent 64, width 16) and one round: D on real and fake, then G through D. */
function dcgan(batch: number) {
  return (tf: Tf) => {
    const latent = 64;
    const gen = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [latent], units: 64 * 7 * 7, useBias: false }),
        tf.layers.reshape({ targetShape: [7, 7, 64] }),
        tf.layers.batchNormalization({ momentum: 0.9 }),
        tf.layers.reLU(),
        tf.layers.conv2dTranspose({ filters: 32, kernelSize: 4, strides: 2, padding: 'same', useBias: false }),
        tf.layers.batchNormalization({ momentum: 0.9 }),
        tf.layers.reLU(),
        tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
      ],
    });
    const dis = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 4, strides: 2, padding: 'same' }),
        tf.layers.leakyReLU({ alpha: 0.2 }),
        tf.layers.conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: 'same' }),
        tf.layers.leakyReLU({ alpha: 0.2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    const optD = tf.train.adam(2e-4, 0.5);
    const optG = tf.train.adam(2e-4, 0.5);
    const real = tf.randomUniform([batch, 28, 28, 1], -1, 1);
    const ones = tf.ones([batch, 1]);
    const zeros = tf.zeros([batch, 1]);
    const dVars = dis.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs').Variable);
    const gVars = gen.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs').Variable);
    const apply = (m: import('@tensorflow/tfjs').Sequential, t: import('@tensorflow/tfjs').Tensor) => m.apply(t, { training: true }) as import('@tensorflow/tfjs').Tensor;
    return () => {
      const z = tf.randomNormal([batch, latent]);
      optD.minimize(() => {
        const fake = apply(gen, z);
        return tf.add(tf.losses.sigmoidCrossEntropy(ones, apply(dis, real)), tf.losses.sigmoidCrossEntropy(zeros, apply(dis, fake))) as import('@tensorflow/tfjs').Scalar;
      }, false, dVars);
      optG.minimize(() => tf.losses.sigmoidCrossEntropy(ones, apply(dis, apply(gen, z))) as import('@tensorflow/tfjs').Scalar, false, gVars);
      z.dispose();
    };
  };
}

const JOBS: Job[] = [
  { name: 'lenet5-train', batch: 64, make: train(lenet5, 64) },
  { name: 'mlp-train', batch: 64, make: train(mlp, 64) },
  { name: 'lenet5-infer', batch: 256, make: infer(lenet5, 256) },
  { name: 'dcgan-step', batch: 64, make: dcgan(64) },
  { name: 'lstm-train', batch: 64, make: train(lstm, 64, [28, 28]) },
  { name: 'vgg64-train', batch: 32, make: train(vgg64, 32, [64, 64, 3]) },
  { name: 'vgg64-infer', batch: 32, make: infer(vgg64, 32, [64, 64, 3]) },
];

/**
 * Jobs the cpu backend is not asked to run, with the reason: on 2026-12-05 (2 cores, load 7) a warm-up
 * step and one timed step of vgg64-train did not finish within compare.ts's 240 s.
 */
const CPU_TOO_SLOW: Record<string, string> = {
  'vgg64-train': 'not run: a warm-up and one timed step took over 240 s on the cpu backend (2026-12-05)',
};

/** Names of the TF.js workloads (the same as bench.ts's). */
export const TFJS_JOBS: readonly string[] = JOBS.map((j) => j.name);

/** Run one job on one backend in this process. The cpu backend's conv jobs time one step after the warm-up. */
export async function runTfjsJob(backend: string, name: string, runs: number): Promise<TfjsResult> {
  const job = JOBS.find((j) => j.name === name);
  if (!job) throw new Error(`tfjs bench: unknown workload "${name}" (known: ${TFJS_JOBS.join(', ')})`);
  const slowReason = backend === 'cpu' ? CPU_TOO_SLOW[name] : undefined;
  if (slowReason) return { name, backend, fails: slowReason };
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    wasm.setThreadsCount(1);
  }
  await tf.setBackend(backend);
  await tf.ready();
  try {
    const run = job.make(tf);
    const slow = backend === 'cpu' && job.name !== 'mlp-train';
    const { wall, cpu } = measureRates(run, job.batch, slow ? 1 : runs, slow ? 0 : 1);
    return { name, backend, img_per_s: wall, cpu_img_per_s: cpu };
  } catch (e) {
    return { name, backend, fails: String((e as Error).message ?? e).split('\n')[0] };
  }
}

// Run as a script (one job per process, so the caller can time it out): --backend B --job NAME --runs N.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { backend: { type: 'string' }, job: { type: 'string' }, runs: { type: 'string' } } });
  const r = await runTfjsJob(values.backend ?? 'cpu', values.job ?? '', Number(values.runs ?? 5));
  console.log(`TFJS ${JSON.stringify(r)}`);
}
