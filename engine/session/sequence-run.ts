/**
 * Sequence runs in the engine, one training at a time, registered in the run registry like every run: a SequenceTrainer (engine/session/sequence.ts) on
 * image rows or a generated series, driven by sequence.control and streamed as sequence.* events.
 * Batch events are thinned to about ten a second while running (every one while stepping). The gate
 * traces of the chosen probe sequence are sent before training, after every epoch, after every step
 * while paused, and about twice a second while running; sequence.sample picks another sequence.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Rng } from '../core/rng.js';
import { ModelFileError, writeModelFile } from '../io/index.js';
import { sequenceToFile, type LoadedSequence, type SequenceFile } from '../io/sequence.js';
import '../layers/index.js';
import { sequenceSpec } from '../models/sequence.js';
import { Sequential } from '../models/sequential.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import { LabError, type EpochMetrics } from '../protocol/contract.js';
import type { SeqConfig, SeqDone, SeqGates, SeqStarted } from '../protocol/sequence.js';
import { newRunId } from '../protocol/runs.js';
import { SequenceTrainer } from './sequence.js';
import { optimizerSpec } from './classifier-setup.js';
import type { EventSink } from './events.js';
import type { RunRegistry } from './runs.js';
import { finiteProbe, probe } from './sequence-probe.js';
import { continuedSequenceData, probeIndices, sequenceData, type SeqData, type SeqFolder } from './sequence-source.js';

const BATCH_EVENT_MS = 100;
const GATES_EVENT_MS = 500;
const DEFAULT_PROBE = 32;

interface SeqRun {
  id: string;
  cfg: SeqConfig;
  model: Sequential;
  data: SeqData;
  trainer: SequenceTrainer;
  probe: Int32Array;
  sample: number;
  step: number;
  done: SeqDone | null;
  /** The model file this run continues (its settings and epochs go before this run's in the saved file). */
  from?: LoadedSequence;
}


const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });
const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

function optimizer(cfg: SeqConfig): OptimizerSpec {
  const spec = optimizerSpec(cfg.optimizer ?? 'adam', { lr: cfg.lr });
  try {
    createOptimizer(spec);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  return spec;
}

/**
 * A sequence run's data, network and trainer, checked (a refusal says what is wrong): the same for a
 * run in the Sequence view and a variant of an experiment.
 */
export function setUpSequenceRun(cfg: SeqConfig, folder: SeqFolder | null, gates: { probe: number; sample: number | null }, from?: LoadedSequence): { data: SeqData; model: Sequential; trainer: SequenceTrainer } {
  const data = from ? continuedSequenceData(cfg, folder, from) : sequenceData(cfg, folder);
  const { source } = data;
  const spec = optimizer(cfg);
  if (from?.optimizer) from.optimizer.lr = cfg.lr;
  try {
    const model = from ? from.model : new Sequential(sequenceSpec({ cell: cfg.cell, steps: source.steps, features: source.features, outputs: source.outputs, units: cfg.units, layers: cfg.layers, kernel: cfg.kernel ?? 5 }), new Rng(cfg.seed));
    const trainer = new SequenceTrainer({
      model,
      source,
      train: data.train,
      val: data.val,
      settings: { epochs: cfg.epochs, batchSize: cfg.batchSize, seed: cfg.seed, optimizer: spec, clipNorm: cfg.clipNorm, gates },
      ...(from?.optimizer ? { optimizer: from.optimizer } : {}),
    });
    return { data, model, trainer };
  } catch (e) {
    throw invalid((e as Error).message);
  }
}

/** The model file of a sequence run (in the Sequence view, or a variant of an experiment): the network, its data description, the epochs so far, the optimizer. */
export function runFile(r: Pick<SeqRun, 'cfg' | 'data' | 'from' | 'model' | 'trainer'>): SequenceFile {
  const { cfg, data, from } = r;
  // A continued model keeps its architecture's settings and its epochs, this run's numbered on from them.
  const prior = from?.training.history ?? [];
  const arch = from ? from.training.settings : { task: cfg.task, cell: cfg.cell, units: cfg.units, layers: cfg.layers, kernel: cfg.kernel ?? 5 };
  return sequenceToFile({
    model: r.model,
    data: data.data,
    task: data.source.task,
    classes: data.source.classes,
    training: {
      seed: from ? from.training.seed : cfg.seed,
      settings: { ...arch, epochs: cfg.epochs, batchSize: cfg.batchSize, optimizer: cfg.optimizer ?? 'adam', lr: cfg.lr, clipNorm: cfg.clipNorm, n: data.source.n, ...(cfg.valFraction !== undefined ? { valFraction: cfg.valFraction } : {}), ...(from ? { continuedEpochs: prior.length } : {}) },
      history: [...prior, ...r.trainer.history.map((h) => ({ ...h, epoch: h.epoch + prior.length }))],
    },
    optimizer: r.trainer.optimizer,
  });
}

export class SequenceRuns {
  readonly registry: RunRegistry;
  #run: SeqRun | null = null;

  constructor(registry: RunRegistry) {
    this.registry = registry;
  }

  /** The current run (finished or not), for tests. */
  get current(): SeqRun | null {
    return this.#run;
  }

  /** `from`: the sequence model file the run continues (cfg.model, read by the caller). */
  start(cfg: SeqConfig, folder: SeqFolder | null, ctx: EventSink, from?: LoadedSequence): SeqStarted {
    const run = this.#run;
    if (run && !run.done) throw new LabError({ message: 'a sequence run is in progress: stop it first', code: 'unavailable' });
    if (cfg.runId !== undefined && this.registry.has(cfg.runId)) throw new LabError({ message: `a run with id "${cfg.runId}" exists already`, code: 'invalid' });
    const registry = this.registry;
    // Gate traces are measured here (sendGates), for the sample the user picks.
    const { data, model, trainer } = setUpSequenceRun(cfg, folder, { probe: 0, sample: null }, from);
    const { source } = data;
    const indices = probeIndices(data, cfg.probe ?? DEFAULT_PROBE);
    const id = cfg.runId ?? newRunId();
    const r: SeqRun = { id, cfg, model, data, trainer, probe: indices, sample: Math.min(cfg.sample ?? 0, Math.max(0, indices.length - 1)), step: 0, done: null, ...(from ? { from } : {}) };
    this.#run = r;
    const batches = Math.ceil(data.train.length / cfg.batchSize);
    const fileCell = from?.training.settings.cell;
    const label = cfg.label?.trim() || (from ? `${typeof fileCell === 'string' ? fileCell : 'sequence model'} continued · ${cfg.task}` : `${cfg.cell} ${cfg.units}×${cfg.layers} · ${cfg.task}`);
    const config: Record<string, unknown> = { ...cfg, optimizer: { type: cfg.optimizer ?? 'adam', lr: cfg.lr } };
    delete config.runId;
    delete config.paused;
    delete config.label;
    delete config.sample;
    delete config.probe;
    delete config.lr;
    registry.create('sequence', config, { id, name: cfg.label?.trim() ?? '' });
    if (cfg.paused) trainer.control.pause();
    ctx.emit('sequence.state', { runId: id, state: trainer.control.state });
    let lastBatch = 0;
    let lastGates = performance.now();
    const go = () =>
      trainer.run((e) => {
        if (e.type === 'batch') {
          r.step++;
          const stepping = trainer.control.state === 'paused';
          const now = performance.now();
          if (stepping || now - lastBatch >= BATCH_EVENT_MS || e.batch === e.batches) {
            lastBatch = now;
            if (Number.isFinite(e.loss) && Number.isFinite(e.gradNorm)) {
              ctx.emit('sequence.batch', { runId: id, epoch: e.epoch, batch: e.batch, batches: e.batches, step: r.step, loss: e.loss, gradNorm: e.gradNorm });
            }
          }
          if ((stepping || now - lastGates >= GATES_EVENT_MS) && e.batch !== e.batches) {
            lastGates = now;
            sendGates(r, e.epoch - 1, ctx);
          }
        } else if (e.type === 'epoch') {
          const metrics: EpochMetrics = { epoch: e.epoch, trainLoss: fin(e.trainLoss), trainAcc: e.trainAcc, valLoss: e.valLoss === null ? null : fin(e.valLoss), valAcc: e.valAcc, lr: e.lr, seconds: e.seconds };
          registry.addEpoch(id, { ...metrics });
          ctx.emit('sequence.epoch', { runId: id, epochs: e.epochs, metrics });
          lastGates = performance.now();
          sendGates(r, e.epoch, ctx);
        }
      });
    // Start after the reply has gone out, so the renderer knows the run before its first event.
    setImmediate(() => {
      sendGates(r, 0, ctx);
      void go().then(
        (d) => this.#finish(r, d.reason, d.message, ctx),
        (e: unknown) => this.#finish(r, 'failed', `sequence training failed: ${(e as Error).message}`, ctx),
      );
    });
    return {
      runId: id,
      label,
      steps: source.steps,
      features: source.features,
      kind: source.task,
      classes: [...source.classes],
      outputs: source.outputs,
      train: data.train.length,
      val: data.val.length,
      params: model.params().reduce((a, p) => a + p.value.length, 0),
      batches,
      probe: indices.length,
    };
  }

  #finish(r: SeqRun, reason: SeqDone['reason'], message: string, ctx: EventSink): void {
    r.done = { runId: r.id, reason, message, epochs: r.trainer.epoch };
    r.trainer.control.stop();
    ctx.emit('sequence.state', { runId: r.id, state: 'stopped' });
    ctx.emit('sequence.done', r.done);
    const last = r.trainer.history.at(-1);
    const figures = { trainLoss: fin(last?.trainLoss ?? NaN), valLoss: last?.valLoss === null || last?.valLoss === undefined ? null : fin(last.valLoss), trainAcc: last?.trainAcc ?? null, valAcc: last?.valAcc ?? null };
    let model: SequenceFile | null = null;
    if (reason !== 'diverged') {
      try {
        model = runFile(r);
      } catch {
        model = null;
      }
    }
    void this.registry.finish(r.id, { outcome: { reason, message }, figures, model });
  }

  #need(): SeqRun {
    if (!this.#run) throw new LabError({ message: 'there is no sequence run: start one first', code: 'unavailable' });
    return this.#run;
  }

  control(action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined, ctx: EventSink): { state: 'running' | 'paused' | 'stopped' } {
    const run = this.#run;
    if (!run || run.done) throw new LabError({ message: 'no sequence run is in progress', code: 'unavailable' });
    const c = run.trainer.control;
    if (action === 'step') {
      c.pause();
      c.step(steps ?? 1);
    } else c[action]();
    if (c.state === 'running' || c.state === 'paused') this.registry.setState(run.id, c.state);
    ctx.emit('sequence.state', { runId: run.id, state: c.state });
    return { state: c.state };
  }

  /** Draw probe sequence `index` from now on; its traces with the network as it is now. */
  sample(index: number): SeqGates {
    const r = this.#need();
    if (index >= r.probe.length) throw invalid(`sequence ${index} is not in the probe set (${r.probe.length} sequences)`);
    r.sample = index;
    const g = gates(r, r.trainer.epoch);
    if (!g) throw new LabError({ message: 'the network gives numbers that are not finite: nothing to draw', code: 'failed' });
    return g;
  }

  async export(path: string): Promise<{ path: string; bytes: number }> {
    const r = this.#need();
    const abs = resolve(path);
    try {
      await writeModelFile(abs, runFile(r));
    } catch (e) {
      throw new LabError({ message: e instanceof ModelFileError ? e.message : (e as Error).message, code: 'failed' });
    }
    return { path: abs, bytes: (await stat(abs)).size };
  }
}

/** The gate traces of the run's chosen sample now, or null when there is none to send (no probe set, non-finite numbers). */
function gates(r: SeqRun, epoch: number): SeqGates | null {
  if (r.probe.length === 0) return null;
  const p = probe(r.model, r.data.source, r.probe, r.sample);
  if (!finiteProbe(p)) return null;
  return { runId: r.id, epoch, step: r.step, sample: r.sample, label: p.label, target: p.target, input: p.input, output: p.output, traces: p.traces };
}

function sendGates(r: SeqRun, epoch: number, ctx: EventSink): void {
  const g = gates(r, epoch);
  if (g) ctx.emit('sequence.gates', g);
}
