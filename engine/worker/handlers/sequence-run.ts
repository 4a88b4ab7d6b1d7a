/**
 * One Sequence-view run at a time in the engine: a SequenceTrainer (engine/session/sequence.ts) on
 * image rows or a generated series, driven by sequence.control and streamed as sequence.* events.
 * Batch events are thinned to about ten a second while running (every one while stepping). The gate
 * traces of the chosen probe sequence are sent before training, after every epoch, after every step
 * while paused, and about twice a second while running; sequence.sample picks another sequence.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Rng } from '../../core/rng.js';
import { ModelFileError, writeModelFile } from '../../io/index.js';
import { sequenceToFile } from '../../io/sequence.js';
import '../../layers/index.js';
import { sequenceSpec } from '../../models/sequence.js';
import { Sequential } from '../../models/sequential.js';
import { createOptimizer, type OptimizerSpec } from '../../optim/index.js';
import { LabError, type EpochMetrics } from '../../protocol/contract.js';
import type { SeqConfig, SeqDone, SeqGates, SeqStarted } from '../../protocol/sequence.js';
import { SequenceTrainer } from '../../session/sequence.js';
import type { Context } from '../server.js';
import { toOptimizerSpec } from '../../session/classifier-run.js';
import { finiteProbe, probe } from './sequence-probe.js';
import { probeIndices, sequenceData, type SeqData } from './sequence-source.js';

const BATCH_EVENT_MS = 100;
const GATES_EVENT_MS = 500;
const DEFAULT_PROBE = 32;

interface SeqRun {
  id: number;
  cfg: SeqConfig;
  model: Sequential;
  data: SeqData;
  trainer: SequenceTrainer;
  probe: Int32Array;
  sample: number;
  step: number;
  done: SeqDone | null;
}

let run: SeqRun | null = null;
let nextId = 1;

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });
const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

function optimizer(cfg: SeqConfig): OptimizerSpec {
  const spec = toOptimizerSpec({ type: cfg.optimizer ?? 'adam', lr: cfg.lr });
  try {
    createOptimizer(spec);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  return spec;
}

/** The current run (finished or not), for the other handlers and tests. */
export function sequenceRun(): SeqRun | null {
  return run;
}

export function startSequence(cfg: SeqConfig, ctx: Context): SeqStarted {
  if (run && !run.done) throw new LabError({ message: 'a sequence run is in progress: stop it first', code: 'unavailable' });
  const data = sequenceData(cfg);
  const { source } = data;
  const spec = optimizer(cfg);
  let model: Sequential;
  let trainer: SequenceTrainer;
  try {
    model = new Sequential(sequenceSpec({ cell: cfg.cell, steps: source.steps, features: source.features, outputs: source.outputs, units: cfg.units, layers: cfg.layers, kernel: cfg.kernel ?? 5 }), new Rng(cfg.seed));
    trainer = new SequenceTrainer({
      model,
      source,
      train: data.train,
      val: data.val,
      // Gate traces are measured here, for the sample the user picks.
      settings: { epochs: cfg.epochs, batchSize: cfg.batchSize, seed: cfg.seed, optimizer: spec, clipNorm: cfg.clipNorm, gates: { probe: 0, sample: null } },
    });
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const indices = probeIndices(data, cfg.probe ?? DEFAULT_PROBE);
  const id = nextId++;
  const r: SeqRun = { id, cfg, model, data, trainer, probe: indices, sample: Math.min(cfg.sample ?? 0, Math.max(0, indices.length - 1)), step: 0, done: null };
  run = r;
  const batches = Math.ceil(data.train.length / cfg.batchSize);
  const label = cfg.label?.trim() || `${cfg.cell} ${cfg.units}×${cfg.layers} · ${cfg.task}`;
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
        ctx.emit('sequence.epoch', { runId: id, epochs: e.epochs, metrics });
        lastGates = performance.now();
        sendGates(r, e.epoch, ctx);
      }
    });
  // Start after the reply has gone out, so the renderer knows the run before its first event.
  setImmediate(() => {
    sendGates(r, 0, ctx);
    void go().then(
      (d) => finish(r, d.reason, d.message, ctx),
      (e: unknown) => finish(r, 'failed', `sequence training failed: ${(e as Error).message}`, ctx),
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

/** The gate traces of the run's chosen sample now, or null when there is none to send (no probe set, non-finite numbers). */
function gates(r: SeqRun, epoch: number): SeqGates | null {
  if (r.probe.length === 0) return null;
  const p = probe(r.model, r.data.source, r.probe, r.sample);
  if (!finiteProbe(p)) return null;
  return { runId: r.id, epoch, step: r.step, sample: r.sample, label: p.label, target: p.target, input: p.input, output: p.output, traces: p.traces };
}

function sendGates(r: SeqRun, epoch: number, ctx: Context): void {
  const g = gates(r, epoch);
  if (g) ctx.emit('sequence.gates', g);
}

function finish(r: SeqRun, reason: SeqDone['reason'], message: string, ctx: Context): void {
  r.done = { runId: r.id, reason, message, epochs: r.trainer.epoch };
  r.trainer.control.stop();
  ctx.emit('sequence.state', { runId: r.id, state: 'stopped' });
  ctx.emit('sequence.done', r.done);
}

function need(): SeqRun {
  if (!run) throw new LabError({ message: 'there is no sequence run: start one first', code: 'unavailable' });
  return run;
}

export function controlSequence(action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined, ctx: Context): { state: 'running' | 'paused' | 'stopped' } {
  if (!run || run.done) throw new LabError({ message: 'no sequence run is in progress', code: 'unavailable' });
  const c = run.trainer.control;
  if (action === 'step') {
    c.pause();
    c.step(steps ?? 1);
  } else c[action]();
  ctx.emit('sequence.state', { runId: run.id, state: c.state });
  return { state: c.state };
}

/** Draw probe sequence `index` from now on; its traces with the network as it is now. */
export function sampleSequence(index: number): SeqGates {
  const r = need();
  if (index >= r.probe.length) throw invalid(`sequence ${index} is not in the probe set (${r.probe.length} sequences)`);
  r.sample = index;
  const g = gates(r, r.trainer.epoch);
  if (!g) throw new LabError({ message: 'the network gives numbers that are not finite: nothing to draw', code: 'failed' });
  return g;
}

export async function exportSequence(path: string): Promise<{ path: string; bytes: number }> {
  const r = need();
  const abs = resolve(path);
  const { cfg, data } = r;
  try {
    const file = sequenceToFile({
      model: r.model,
      data: data.data,
      task: data.source.task,
      classes: data.source.classes,
      training: {
        seed: cfg.seed,
        settings: { task: cfg.task, cell: cfg.cell, units: cfg.units, layers: cfg.layers, kernel: cfg.kernel ?? 5, epochs: cfg.epochs, batchSize: cfg.batchSize, optimizer: cfg.optimizer ?? 'adam', lr: cfg.lr, clipNorm: cfg.clipNorm, n: data.source.n, ...(cfg.valFraction !== undefined ? { valFraction: cfg.valFraction } : {}) },
        history: r.trainer.history,
      },
      optimizer: r.trainer.optimizer,
    });
    await writeModelFile(abs, file);
  } catch (e) {
    throw new LabError({ message: e instanceof ModelFileError ? e.message : (e as Error).message, code: 'failed' });
  }
  return { path: abs, bytes: (await stat(abs)).size };
}
