/** Loss and accuracy (with a confusion matrix) or mean squared error of a sequence model on a subset (inference mode). */
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import type { SequenceSource } from '../data/series.js';
import { meanSquaredError, softmaxCrossEntropy } from '../losses/index.js';
import type { Sequential } from '../models/sequential.js';

export interface SequenceEvaluation {
  /** Cross-entropy (classify) or mean squared error (regress). */
  loss: number;
  /** Classify only; null for regression. */
  accuracy: number | null;
  n: number;
  /** confusion[actual][predicted] (classify), else null. */
  confusion: number[][] | null;
}

/** The samples of `indices` a model can be scored on: labelled with a known class, or any for regression. */
export function scorable(source: SequenceSource, indices: Int32Array): Int32Array {
  const labels = source.labels;
  return labels ? indices.filter((i) => labels[i] >= 0 && labels[i] < source.outputs) : indices;
}

/** Labels or targets of samples indices[start .. start+count), into the front of out. */
export function fillTargets(source: SequenceSource, indices: Int32Array, start: number, count: number, out: Int32Array | Float32Array): void {
  const k = source.outputs;
  for (let j = 0; j < count; j++) {
    const i = indices[start + j];
    if (source.labels) out[j] = source.labels[i];
    else for (let o = 0; o < k; o++) out[j * k + o] = source.targets![i * k + o];
  }
}

export function checkModelFits(model: Sequential, source: SequenceSource): void {
  const [steps, features] = model.inputShape;
  if (model.inputShape.length !== 2 || steps !== source.steps || features !== source.features) {
    throw new Error(`the model reads sequences of [${model.inputShape.join('x')}] but the data are ${source.steps} steps of ${source.features} features`);
  }
  const out = model.outputShape.reduce((a, b) => a * b, 1);
  if (out !== source.outputs) throw new Error(`the model has ${out} outputs but the data have ${source.outputs} ${source.task === 'classify' ? 'classes' : 'targets'}`);
}

export function evaluateSequences(model: Sequential, source: SequenceSource, allIndices: Int32Array, batchSize = 256): SequenceEvaluation {
  checkModelFits(model, source);
  const indices = scorable(source, allIndices);
  const k = source.outputs;
  const per = source.steps * source.features;
  const classify = source.task === 'classify';
  const confusion = classify ? Array.from({ length: k }, () => new Array<number>(k).fill(0)) : null;
  const xBuf = new Float32Array(batchSize * per);
  const yBuf = classify ? new Int32Array(batchSize) : new Float32Array(batchSize * k);
  const rng = new Rng(0);
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const count = Math.min(batchSize, indices.length - start);
    source.fill(indices, start, count, xBuf);
    fillTargets(source, indices, start, count, yBuf);
    const y = model.predict(tensor([count, source.steps, source.features], xBuf.subarray(0, count * per)), rng);
    if (confusion) {
      const labels = (yBuf as Int32Array).subarray(0, count);
      for (let i = 0; i < count; i++) {
        let arg = 0;
        for (let j = 1; j < k; j++) if (y.data[i * k + j] > y.data[i * k + arg]) arg = j;
        confusion[labels[i]][arg]++;
        if (arg === labels[i]) correct++;
      }
      lossSum += softmaxCrossEntropy(y, labels).loss * count;
    } else {
      lossSum += meanSquaredError(y, yBuf.subarray(0, count * k)).loss * count;
    }
    n += count;
  }
  return { loss: n ? lossSum / n : NaN, accuracy: classify ? (n ? correct / n : NaN) : null, n, confusion };
}
