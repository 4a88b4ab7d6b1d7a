/**
 * The training loop for CNN and MLP classifiers on an image set: seeded shuffles, mini-batches,
 * optimizer steps, optional gradient clipping, hints (virtual examples as extra data or as an invariance
 * penalty, hints.ts), validation each epoch, early stopping with restore of the best weights, NaN/Inf
 * detection that stops the run and names the layer, per-layer telemetry when asked (telemetry.ts), and
 * pause/resume/step/stop through RunControl. Events are plain objects so they cross process boundaries.
 */
import { Rng } from '../core/rng.js';
import { allFinite, tensor } from '../core/tensor.js';
import { augmentImages } from '../data/augment.js';
import { fillBatch, fillLabels } from '../data/batch.js';
import type { ImageSet } from '../data/folder.js';
import { normalizeInto, type Normalization } from '../data/normalize.js';
import { selfOwnedZeros } from '../kernels/resident.js';
import type { Param } from '../layers/layer.js';
import { trainingArena, type Sequential } from '../models/sequential.js';
import { clipGradNorm, createOptimizer, gradNorm, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RunControl } from './control.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { batchObjective, checkHints, type CheckedHints, type HintSettings } from './hints.js';
import { describeParam, paramGroups, type LayerGroup } from './layer-groups.js';
import { forwardTraced, snapshotWeights, stepTelemetry, type LayerTelemetry } from './telemetry.js';
import { plural } from '../protocol/words.js';

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  optimizer: OptimizerSpec;
  /** Clip the global gradient norm to this value (0 or absent = no clipping). */
  clipNorm?: number;
  /** Stop when validation loss has not improved for `patience` epochs; restore the best weights. */
  earlyStopping?: { patience: number; restoreBest: boolean } | null;
  /** Virtual examples (augment) or an invariance penalty (penalty); absent or null = none. */
  hints?: HintSettings | null;
  /**
   * Per-layer telemetry every this many steps (0 or absent: only at the last batch of each epoch and
   * when requestTelemetry() was called). It costs one copy of the weights and a pass over the outputs.
   */
  telemetryEvery?: number;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number | null;
  valAcc: number | null;
  lr: number;
  seconds: number;
}

export type TrainEvent =
  | { type: 'batch'; epoch: number; batch: number; batches: number; step: number; loss: number; gradNorm: number; lr: number }
  | ({ type: 'epoch'; epochs: number } & EpochMetrics)
  | LayerTelemetry
  | {
      type: 'done';
      reason: 'completed' | 'stopped' | 'early-stopped' | 'diverged';
      message: string;
      bestEpoch: number | null;
      /** Validation confusion matrix [actual][predicted] of the final weights (null without validation images or after divergence). */
      confusion: number[][] | null;
    };
export type DoneEvent = Extract<TrainEvent, { type: 'done' }>;

export interface ClassifierTrainerInit {
  model: Sequential;
  set: ImageSet;
  train: Int32Array;
  val: Int32Array;
  normalization: Normalization;
  settings: TrainSettings;
  /** An optimizer to continue with (resume); otherwise one is created from settings.optimizer. */
  optimizer?: Optimizer;
}

export class ClassifierTrainer {
  readonly control = new RunControl();
  readonly history: EpochMetrics[] = [];
  readonly optimizer: Optimizer;
  readonly #init: ClassifierTrainerInit;
  readonly #params: Param[];
  readonly #rng: Rng;
  readonly #augRng: Rng;
  readonly #hints: CheckedHints | null;
  readonly #groups: LayerGroup[];
  #epoch = 0;
  #step = 0;
  #telemetryWanted = false;

  constructor(init: ClassifierTrainerInit) {
    const { settings, set, model } = init;
    if (!(settings.epochs >= 1)) throw new Error('epochs must be at least 1');
    if (!(settings.batchSize >= 1)) throw new Error('batch size must be at least 1');
    if (init.train.length === 0) throw new Error('no training images');
    const per = set.channels * set.height * set.width;
    const need = model.inputShape.reduce((a, b) => a * b, 1);
    if (per !== need) {
      throw new Error(
        `the model expects inputs of ${model.inputShape.join('x')} but the images are ${set.channels}x${set.height}x${set.width}`,
      );
    }
    const k = model.outputShape.reduce((a, b) => a * b, 1);
    const maxLabel = init.train.reduce((m, i) => Math.max(m, set.labels[i]), -1);
    if (model.outputShape.length !== 1 || maxLabel >= k) {
      throw new Error(`the model gives ${model.outputShape.join('x')} outputs but the training images have ${maxLabel + 1} classes`);
    }
    if (init.train.some((i) => set.labels[i] < 0)) throw new Error('the training indices include unlabelled images');
    const every = settings.telemetryEvery ?? 0;
    if (!(Number.isInteger(every) && every >= 0)) throw new Error(`telemetryEvery must be a whole number >= 0, got ${every}`);
    this.#init = init;
    this.#params = model.params();
    this.#groups = paramGroups(model);
    this.optimizer = init.optimizer ?? createOptimizer(settings.optimizer);
    this.#rng = new Rng(settings.seed ^ 0x5eed);
    this.#augRng = new Rng(settings.seed ^ 0xa09e);
    this.#hints = settings.hints ? checkHints(settings.hints) : null;
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.#step;
  }

  /** Change the learning rate; the next step uses it (also while paused). */
  setLr(lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`learning rate must be a finite number >= 0, got ${lr}`);
    this.optimizer.lr = lr;
  }

  /** Emit per-layer telemetry for the next step. */
  requestTelemetry(): void {
    this.#telemetryWanted = true;
  }

  /** Epochs completed so far. */
  get epoch(): number {
    return this.#epoch;
  }

  async run(onEvent: (e: TrainEvent) => void = () => {}): Promise<DoneEvent> {
    const { model, set, train, val, normalization: norm, settings } = this.#init;
    const B = settings.batchSize;
    const hw = set.height * set.width;
    const per = set.channels * hw;
    const hints = this.#hints;
    const rowsMax = hints ? 2 * B : B;
    // In the kernel memory when the wasm kernels run, so the first layer reads the batch in place.
    const xBuf = selfOwnedZeros(rowsMax * per);
    const yBuf = new Int32Array(B);
    const virtual = hints ? new Uint8Array(B * per) : null;
    const every = settings.telemetryEvery ?? 0;
    const order = new Int32Array(train);
    const batches = Math.ceil(order.length / B);
    let best = { loss: Infinity, epoch: 0, weights: null as Float32Array[] | null, buffers: null as Float32Array[] | null };
    let sinceBest = 0;
    const buffers = model.buffers();
    // Each batch's activations and gradients: the same arrays every batch (none is used after its batch).
    const arena = trainingArena();
    const finish = (reason: DoneEvent['reason'], message: string): DoneEvent => {
      const confusion = reason !== 'diverged' && val.length > 0 ? evaluate(model, set, val, norm).confusion : null;
      const e: DoneEvent = { type: 'done', reason, message, bestEpoch: best.epoch || null, confusion };
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
        const start = b * B;
        const count = Math.min(B, order.length - start);
        fillBatch(set, order, start, count, norm, xBuf);
        fillLabels(set, order, start, count, yBuf);
        let rows = count;
        if (hints && virtual) {
          // One virtual example per image, after the real ones.
          augmentImages(set.pixels, order, start, count, set, this.#augRng, hints.augment, virtual);
          normalizeInto(virtual, 0, count, set.channels, hw, norm, xBuf, count * per);
          rows = 2 * count;
        }
        const x = tensor([rows, ...model.inputShape], xBuf.subarray(0, rows * per));
        const labels = yBuf.subarray(0, count);
        arena.reset();
        const ctx = { training: true, rng: this.#rng, arena };
        const stats = this.#telemetryWanted || b === batches - 1 || (every > 0 && (this.#step + 1) % every === 0);
        if (stats) this.#telemetryWanted = false;
        const fwd = stats ? forwardTraced(model, x, ctx) : { ...model.forward(x, ctx), outputs: [] };
        const { y, caches } = fwd;
        const { loss, grad } = batchObjective(y, labels, count, hints);
        // The grads are overwritten with this batch's (no zeroing pass where a layer can write them).
        model.backward(caches, grad, false, arena, 'set');
        let gnorm: number;
        if (settings.clipNorm && settings.clipNorm > 0) gnorm = clipGradNorm(this.#params, settings.clipNorm);
        else gnorm = gradNorm(this.#params);
        if (!Number.isFinite(loss) || !Number.isFinite(gnorm)) {
          return finish('diverged', this.#divergence(x, loss, b));
        }
        const before = stats ? snapshotWeights(this.#groups) : null;
        this.optimizer.step(this.#params);
        this.#step++;
        lossSum += loss * count;
        correct += countCorrect(y.data, labels, y.shape[1]);
        seen += count;
        onEvent({ type: 'batch', epoch: this.#epoch + 1, batch: b + 1, batches, step: this.#step, loss, gradNorm: gnorm, lr: this.optimizer.lr });
        if (before) {
          onEvent(stepTelemetry(model, this.#groups, before, fwd.outputs, this.#epoch + 1, this.#step));
        }
      }
      const bad = this.#params.find((p) => !allFinite(p.value));
      if (bad) return finish('diverged', `training diverged: ${describeParam(model, bad)} became NaN or infinite in epoch ${this.#epoch + 1}; ${lowerLr(this.optimizer.lr)}`);
      this.#epoch++;
      let v: Evaluation | null = null;
      if (val.length > 0) v = evaluate(model, set, val, norm);
      const m: EpochMetrics = {
        epoch: this.#epoch,
        trainLoss: lossSum / seen,
        trainAcc: correct / seen,
        valLoss: v ? v.loss : null,
        valAcc: v ? v.accuracy : null,
        lr: this.optimizer.lr,
        seconds: (performance.now() - t0) / 1000,
      };
      this.history.push(m);
      onEvent({ type: 'epoch', epochs: settings.epochs, ...m });
      const es = settings.earlyStopping;
      if (es && v) {
        if (v.loss < best.loss) {
          best = { loss: v.loss, epoch: this.#epoch, weights: null, buffers: null };
          if (es.restoreBest) {
            best.weights = this.#params.map((p) => new Float32Array(p.value));
            best.buffers = buffers.map((p) => new Float32Array(p.value));
          }
          sinceBest = 0;
        } else if (++sinceBest >= es.patience) {
          if (es.restoreBest && best.weights && best.buffers) {
            this.#params.forEach((p, i) => p.value.set(best.weights![i]));
            buffers.forEach((p, i) => p.value.set(best.buffers![i]));
          }
          return finish(
            'early-stopped',
            `early stopping after epoch ${this.#epoch}: validation loss has not improved for ${plural(es.patience, 'epoch')}` +
              (es.restoreBest ? `; weights of epoch ${best.epoch} restored` : ''),
          );
        }
      }
    }
    return finish('completed', `trained ${plural(settings.epochs, 'epoch')}`);
  }

  /** Find where the numbers broke: the first layer whose output or gradients are not finite. */
  #divergence(x: ReturnType<typeof tensor>, loss: number, batch: number): string {
    const { model } = this.#init;
    const where = `epoch ${this.#epoch + 1}, batch ${batch + 1}`;
    let h = x;
    const ctx = { training: false, rng: new Rng(0) };
    for (let i = 0; i < model.layers.length; i++) {
      h = model.layers[i].forward(h, ctx).y;
      if (!allFinite(h.data)) {
        return `training diverged at ${where}: the output of layer ${i + 1} (${model.layers[i].type}) is NaN or infinite; ${lowerLr(this.optimizer.lr)}`;
      }
    }
    const p = this.#params.find((q) => !allFinite(q.grad));
    if (p) return `training diverged at ${where}: the gradient of ${describeParam(model, p)} is NaN or infinite; ${lowerLr(this.optimizer.lr)}`;
    return `training diverged at ${where}: the loss is ${loss}; ${lowerLr(this.optimizer.lr)}`;
  }
}

function lowerLr(lr: number): string {
  return `try a lower learning rate (now ${lr}, e.g. ${+(lr / 10).toPrecision(3)})`;
}

export function countCorrect(logits: Float32Array, labels: Int32Array, k: number): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    let arg = 0;
    for (let j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + arg]) arg = j;
    if (arg === labels[i]) c++;
  }
  return c;
}
