/**
 * A sequence variant (time-delay net, simple RNN, LSTM or GRU on a generated task or on image rows):
 * the same set-up as a run in the Sequence view (setUpSequenceRun), kept as a sequence run. Its
 * figures: the last epoch's loss and accuracy (or error), and the epoch at which validation accuracy
 * first reached 90% (how fast it learned, where it did).
 */
import { LabError } from '../../protocol/contract.js';
import { SeqConfig } from '../../protocol/sequence.js';
import { runFile, setUpSequenceRun } from '../sequence-run.js';
import { type DriverResult, finite, type VariantContext } from './variant.js';

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

export async function sequenceVariant(ctx: VariantContext): Promise<DriverResult> {
  const config = { clipNorm: 0, ...ctx.config, seed: ctx.seed };
  const bad = SeqConfig.check(config, 'config');
  if (bad) throw invalid(`variant "${ctx.name}": ${bad}`);
  const cfg = config as SeqConfig;
  const set = ctx.data.set;
  const folder = set ? { set, split: { train: Int32Array.from(set.labels.keys()).filter((i) => i % 10 !== 0), val: Int32Array.from(set.labels.keys()).filter((i) => i % 10 === 0) } } : null;
  const { data, model, trainer } = setUpSequenceRun(cfg, folder, { probe: 0, sample: null });
  const params = model.params().reduce((a, p) => a + p.value.length, 0);
  const runId = ctx.registry?.create('sequence', { ...ctx.config, optimizer: { type: cfg.optimizer ?? 'adam', lr: cfg.lr }, experiment: ctx.experiment.id, variant: ctx.name, seed: ctx.seed }, { name: ctx.runName }).id ?? null;
  ctx.onCancel(() => trainer.control.stop());
  const history: Record<string, number | null>[] = [];
  let done;
  try {
    done = await trainer.run((e) => {
      if (e.type === 'batch') ctx.progress((e.epoch - 1 + e.batch / e.batches) / cfg.epochs, `epoch ${e.epoch}/${cfg.epochs} · loss ${e.loss.toFixed(4)}`);
      else if (e.type === 'epoch') {
        const row = { epoch: e.epoch, trainLoss: finite(e.trainLoss), trainAcc: finite(e.trainAcc), valLoss: finite(e.valLoss), valAcc: finite(e.valAcc), lr: e.lr, seconds: e.seconds };
        history.push(row);
        if (runId) ctx.registry?.addEpoch(runId, row);
      }
    });
  } catch (e) {
    done = { type: 'done' as const, reason: 'diverged' as const, message: (e as Error).message };
  }
  const last = history.at(-1);
  const reached = history.find((h) => (h.valAcc ?? h.trainAcc ?? 0) >= 0.9);
  const figures: Record<string, number | null> = {
    valAcc: last?.valAcc ?? null,
    valLoss: last?.valLoss ?? null,
    trainAcc: last?.trainAcc ?? null,
    trainLoss: last?.trainLoss ?? null,
    bestValAcc: history.reduce<number | null>((a, h) => (h.valAcc !== null && (a === null || h.valAcc > a) ? h.valAcc : a), null),
    epochsTo90: reached ? (reached.epoch as number) : null,
    params,
    epochs: history.length,
  };
  const outcome = { reason: done.reason, message: done.message };
  if (runId) {
    // The variant's model is kept with its run (continue it in the Sequence view, export it).
    let file = null;
    if (done.reason !== 'diverged') {
      try {
        file = runFile({ cfg, data, model, trainer });
      } catch {
        file = null;
      }
    }
    await ctx.registry?.finish(runId, { outcome, figures, model: file });
  }
  return { runId, config: { ...ctx.config }, history, traces: [], pictures: [], figures, outcome };
}
