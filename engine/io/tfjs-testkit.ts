/**
 * Test helpers for the TensorFlow.js export (imported by tests only: @tensorflow/tfjs is a dev
 * dependency and never runs in the engine). Loads exports the ways the README shows and runs Locus
 * and TensorFlow.js on the same NCHW batch.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { sizeOf, tensor, type Tensor } from '../core/tensor.js';
import '../layers/index.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import type { Sequential } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';
import type { TfjsExport, TfjsSingleJson } from './tfjs.js';

export { tf };

function arrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Load an in-memory export with tf.io.fromMemory. */
export function loadExport(e: TfjsExport): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: e.modelJson.modelTopology,
      weightSpecs: e.modelJson.weightsManifest[0].weights,
      weightData: arrayBuffer(e.weightData),
      userDefinedMetadata: e.modelJson.userDefinedMetadata,
    }),
  );
}

/** The README's snippet for the single-file variant (Node flavour of the base64 decode). */
export function loadSingleJson(j: TfjsSingleJson): Promise<tf.LayersModel> {
  const bytes = Buffer.from(j.weightDataBase64, 'base64');
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: j.modelTopology,
      weightSpecs: j.weightsManifest[0].weights,
      weightData: arrayBuffer(bytes),
      userDefinedMetadata: j.userDefinedMetadata,
    }),
  );
}

/** A small IOHandler reading model.json and the weight files it lists from a folder (no tfjs-node needed). */
export function folderHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const j = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const specs = j.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
      const parts = await Promise.all(j.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFile(join(dir, p)))));
      const weightData = arrayBuffer(new Uint8Array(Buffer.concat(parts)));
      return { modelTopology: j.modelTopology, weightSpecs: specs, weightData, userDefinedMetadata: j.userDefinedMetadata };
    },
  };
}

/** Run a loaded TensorFlow.js model on an NCHW (or flat) batch; the output comes back in Locus's layout. */
export function tfPredict(m: tf.LayersModel, x: Tensor): Tensor {
  const y = tf.tidy(() => {
    let t: tf.Tensor = tf.tensor(x.data, [...x.shape]);
    if (x.shape.length === 4) t = tf.transpose(t, [0, 2, 3, 1]);
    const out = m.predict(t) as tf.Tensor;
    return out.shape.length === 4 ? tf.transpose(out, [0, 3, 1, 2]) : out;
  });
  const result = tensor(y.shape, y.dataSync() as Float32Array);
  y.dispose();
  return result;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A fixed batch of n samples of the given per-sample shape, values in about [-1, 1]. */
export function batch(n: number, shape: readonly number[], seed = 7): Tensor {
  const r = new Rng(seed);
  return tensor([n, ...shape], Array.from({ length: n * sizeOf(shape) }, () => 2 * r.next() - 1));
}

/** A few Adam steps on random data and labels, so weights and BatchNorm statistics leave their initial values. */
export function trainSteps(model: Sequential, steps = 3, seed = 3): void {
  const rng = new Rng(seed);
  const opt = createOptimizer({ type: 'adam', lr: 0.01 });
  const classes = model.outputShape[0];
  for (let s = 0; s < steps; s++) {
    const x = batch(6, model.inputShape, rng.nextU32());
    const labels = Int32Array.from({ length: 6 }, (_, i) => i % classes);
    const { y, caches } = model.forward(x, { training: true, rng });
    model.zeroGrads();
    model.backward(caches, softmaxCrossEntropy(y, labels).grad);
    opt.step(model.params());
  }
}
