/**
 * The training loop for sequence models (recurrent or time-delay layers, then a read-out): seeded
 * shuffles, mini-batches, backpropagation through time, optional global gradient-norm clipping
 * (optim/clip.ts; recurrent nets need it more than most), validation each epoch, NaN/Inf detection that
 * stops the run, pause/resume/step/stop through RunControl, and gate telemetry: after each epoch the
 * gate activations over time of every recurrent layer on a probe batch (per-step means, and the full
 * [time, units] matrices of one chosen sample). Events are plain objects, as the classifier trainer's.
 */
import { Rng } from '../core/rng.js';
import { allFinite, tensor } from '../core/tensor.js';
import type { SequenceSource } from '../data/series.js';
import { selfOwnedZeros } from '../kernels/resident.js';
import type { Param } from '../layers/layer.js';
import { hasGateTrace, type GateTrace } from '../layers/recurrent.js';
import { meanSquaredError, softmaxCrossEntropy, type LossResult } from '../losses/index.js';
import { trainingArena, type Sequential } from '../models/sequential.js';
import { clipGradNorm, createOptimizer, gradNorm, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { countCorrect } from './classifier.js';
import { RunControl } from './control.js';
import { checkModelFits, evaluateSequences, fillTargets, scorable, type SequenceEvaluation } from './sequence-eval.js';

export interface SequenceTrainSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  optimizer: OptimizerSpec;
  /** Clip the global gradient norm to this value (0 or absent = no clipping). */
  clipNorm?: number;
  /** Gate telemetry after each epoch: probe batch size (0 = off; default 32) and the sample whose matrices are sent (default 0). */
  gates?: { probe: number; sample: number | null };
}

export interface SequenceEpochMetrics {
  epoch: number;
  trainLoss: number;
  /** null for regression. */
  trainAcc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  lr: number;
  seconds: number;
}

export type SequenceEvent =
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; gradNorm: number }
  | ({ type: 'epoch'; epochs: number } & SequenceEpochMetrics)
  | { type: 'gates'; epoch: number; traces: GateTrace[] }
  | { type: 'done'; reason: 'completed' | 'stopped' | 'diverged'; message: string };

export interface SequenceTrainerInit {
  model: Sequential;
  source: SequenceSource;
  train: Int32Array;
  val: Int32Array;
  settings: SequenceTrainSettings;
  /** An optimizer to continue with; otherwise one is created from settings.optimizer. */
  optimizer?: Optimizer;
}

export class SequenceTrainer {
  readonly control = new RunControl();
  readonly history: SequenceEpochMetrics[] = [];
  readonly optimizer: Optimizer;
  readonly #init: SequenceTrainerInit;
  readonly #params: Param[];
  readonly #train: Int32Array;
  readonly #rng: Rng;
  #epoch = 0;

  constructor(init: SequenceTrainerInit) {
    const { settings, model, source } = init;
    if (!(Number.isInteger(settings.epochs) && settings.epochs >= 1)) throw new Error('epochs must be a whole number, at least 1');
    if (!(Number.isInteger(settings.batchSize) && settings.batchSize >= 1)) throw new Error('batch size must be a whole number, at least 1');
    checkModelFits(model, source);
    this.#train = scorable(source, init.train);
    if (this.#train.length === 0) throw new Error('no training sequences (with a label)');
    this.#init = init;
    this.#params = model.params();
    this.optimizer = init.optimizer ?? createOptimizer(settings.optimizer);
    this.#rng = new Rng(settings.seed ^ 0x5eed);
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Loss and its gradient for a batch of model outputs. */
  #loss(y: ReturnType<typeof tensor>, targets: Int32Array | Float32Array, count: number): LossResult {
    const { source } = this.#init;
    if (source.task === 'classify') return softmaxCrossEntropy(y, (targets as Int32Array).subarray(0, count));
    return meanSquaredError(y, targets.subarray(0, count * source.outputs));
  }

  async run(onEvent: (e: SequenceEvent) => void = () => {}): Promise<SequenceEvent & { type: 'done' }> {
    const { model, source, val, settings } = this.#init;
    const B = settings.batchSize;
    const per = source.steps * source.features;
    const classify = source.task === 'classify';
    const xBuf = selfOwnedZeros(B * per); // in the kernel memory when the wasm kernels run: read in place
    const tBuf = classify ? new Int32Array(B) : new Float32Array(B * source.outputs);
    const order = new Int32Array(this.#train);
    const batches = Math.ceil(order.length / B);
    // Each batch's activations and gradients: the same arrays every batch (none is used after its batch).
    const arena = trainingArena();
    const finish = (reason: 'completed' | 'stopped' | 'diverged', message: string) => {
      const e = { type: 'done' as const, reason, message };
      onEvent(e);
      return e;
    };
    while (this.#epoch < settings.epochs) {
      const t0 = performance.now();
      this.#rng.shuffle(order);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        if (!(await this.control.checkpoint())) return finish('stopped', `stopped during epoch ${this.#epoch + 1}`);
        const count = Math.min(B, order.length - b * B);
        source.fill(order, b * B, count, xBuf);
        fillTargets(source, order, b * B, count, tBuf);
        const x = tensor([count, source.steps, source.features], xBuf.subarray(0, count * per));
        arena.reset();
        const { y, caches } = model.forward(x, { training: true, rng: this.#rng, arena });
        const { loss, grad } = this.#loss(y, tBuf, count);
        model.backward(caches, grad, false, arena, 'set'); // overwrites the grads with this batch's
        const gnorm = settings.clipNorm && settings.clipNorm > 0 ? clipGradNorm(this.#params, settings.clipNorm) : gradNorm(this.#params);
        if (!Number.isFinite(loss) || !Number.isFinite(gnorm)) {
          return finish('diverged', `training diverged at epoch ${this.#epoch + 1}, batch ${b + 1}: the ${Number.isFinite(loss) ? 'gradient norm' : 'loss'} is not finite; ${advice(this.optimizer.lr, settings.clipNorm)}`);
        }
        this.optimizer.step(this.#params);
        lossSum += loss * count;
        if (classify) correct += countCorrect(y.data, (tBuf as Int32Array).subarray(0, count), source.outputs);
        seen += count;
        onEvent({ type: 'batch', epoch: this.#epoch + 1, batch: b + 1, batches, loss, gradNorm: gnorm });
      }
      const bad = this.#params.find((p) => !allFinite(p.value));
      if (bad) return finish('diverged', `training diverged: parameter ${bad.name} became NaN or infinite in epoch ${this.#epoch + 1}; ${advice(this.optimizer.lr, settings.clipNorm)}`);
      this.#epoch++;
      const v: SequenceEvaluation | null = val.length > 0 ? evaluateSequences(model, source, val) : null;
      const m: SequenceEpochMetrics = {
        epoch: this.#epoch,
        trainLoss: lossSum / seen,
        trainAcc: classify ? correct / seen : null,
        valLoss: v ? v.loss : null,
        valAcc: v ? v.accuracy : null,
        lr: this.optimizer.lr,
        seconds: (performance.now() - t0) / 1000,
      };
      this.history.push(m);
      onEvent({ type: 'epoch', epochs: settings.epochs, ...m });
      const g = settings.gates ?? { probe: 32, sample: 0 };
      if (g.probe > 0) {
        const traces = gateTraces(model, source, val.length > 0 ? val : this.#train, g.probe, g.sample);
        if (traces.length) onEvent({ type: 'gates', epoch: this.#epoch, traces });
      }
    }
    return finish('completed', `trained ${settings.epochs} epoch${settings.epochs === 1 ? '' : 's'}`);
  }
}

function advice(lr: number, clip: number | undefined): string {
  return `try a lower learning rate (now ${lr}, e.g. ${+(lr / 10).toPrecision(3)})${clip ? '' : ' or clip the gradient norm (e.g. 1)'}`;
}

/**
 * Gate activations over time of every recurrent layer (top level) on the first `probe` of `indices`;
 * `sample` (an index into the probe batch) adds that sample's [time, units] matrices.
 */
export function gateTraces(model: Sequential, source: SequenceSource, indices: Int32Array, probe: number, sample: number | null = 0): GateTrace[] {
  const count = Math.min(probe, indices.length);
  if (count === 0) return [];
  const per = source.steps * source.features;
  const x = new Float32Array(count * per);
  source.fill(indices, 0, count, x);
  const { caches } = model.forward(tensor([count, source.steps, source.features], x), { training: false, rng: new Rng(0) });
  const out: GateTrace[] = [];
  model.layers.forEach((l, i) => {
    if (hasGateTrace(l)) {
      const s = sample !== null && sample < count ? sample : undefined;
      out.push({ ...l.gateTrace(caches[i], s), layer: `${i} ${l.type}` });
    }
  });
  return out;
}
