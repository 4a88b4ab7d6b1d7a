import { Rng } from '../core/rng.js';
import { channelStats } from '../data/batch.js';
import { splitIndices } from '../data/split.js';
import type { Normalization } from '../data/normalize.js';
import { classifierToFile, writeModelFile } from '../io/index.js';
import '../layers/index.js';
import { PRESETS, presetSpec, type PresetOptions } from '../models/presets.js';
import { Sequential } from '../models/sequential.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import { ClassifierTrainer, type TrainSettings } from '../session/classifier.js';
import type { HintSettings } from '../session/hints.js';
import { num, oneOf, parse, required } from './args.js';
import { LOAD_OPTIONS, LOAD_USAGE, loadFolder, loadOptions } from './load.js';
import { loadClassifier } from './model.js';
import { loadModelData } from './model-data.js';
import { checkInitArgs, continuedHistory, INIT_USAGE, lastEpoch, savedOptimizerSpec, savedValFraction } from './train-init.js';
import { LOCAL_TRAIN_USAGE, trainLocal } from './train-local.js';
import { Output, UsageError } from './output.js';

export const usage = `locus train --data DIR --out MODEL.json [options]
  Train a classifier on an image folder (one subfolder per class) and save it as a Locus model file.
  --model NAME        lenet5 (default), mlp, vgg, resnet or highway
${INIT_USAGE}
  --depth N           blocks of vgg (2), residual blocks per stage of resnet (1), gate blocks of highway (2)
  --batch-norm        BatchNorm after hidden conv and dense layers (mlp, vgg, resnet, highway)
${LOCAL_TRAIN_USAGE}
  --epochs N          passes over the training images (default 10)
  --optimizer NAME    adam (default), sgd, momentum, nesterov or rmsprop
  --lr X              learning rate (default 0.002 for adam, 0.001 for rmsprop, 0.01 otherwise)
  --batch N           mini-batch size (default 16)
  --seed N            random seed: the same seed, data and options give the same model (default 1)
  --val F             fraction of each class held out for validation (default 0.1)
  --activation NAME   hidden activation: relu, leakyRelu, sigmoid, tanh (default tanh for lenet5, as LeCun
                      et al., relu otherwise)
  --dropout F         dropout rate on hidden dense layers (default 0)
  --input-dropout F   dropout rate on the input pixels (default 0)
  --augment           add a virtual example (small shift, rotation, scaling) of every image to its batch
  --hints MODE        augment (same as --augment) or penalty: λ·|f(x) - f(x')|² between each image's
                      output and its virtual example's, instead of labelling the virtual examples
  --hint-weight X     λ of --hints penalty (default 0.1)
  --flip              virtual examples may be mirrored left-right (clothes, scenes; not digits)
  --weight-decay X    L2 weight decay (default 0); --decoupled applies it AdamW-style
  --clip X            clip the global gradient norm to X (default off)
  --patience N        early stopping: stop after N epochs without a better validation loss, keep the best
${LOAD_USAGE}
  --json              one JSON object a line (progress, epochs, result)`;

const OPTIONS = {
  ...LOAD_OPTIONS,
  data: { type: 'string' },
  out: { type: 'string' },
  model: { type: 'string' },
  init: { type: 'string' },
  units: { type: 'string' },
  experts: { type: 'string' },
  supervised: { type: 'boolean' },
  seeds: { type: 'string' },
  'freeze-seeds': { type: 'boolean' },
  epochs: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  val: { type: 'string' },
  activation: { type: 'string' },
  dropout: { type: 'string' },
  'input-dropout': { type: 'string' },
  depth: { type: 'string' },
  'batch-norm': { type: 'boolean' },
  augment: { type: 'boolean' },
  hints: { type: 'string' },
  'hint-weight': { type: 'string' },
  flip: { type: 'boolean' },
  'weight-decay': { type: 'string' },
  decoupled: { type: 'boolean' },
  clip: { type: 'string' },
  patience: { type: 'string' },
} as const;

export function optimizerSpec(name: string, lr: number | undefined, weightDecay: number, decoupled: boolean): OptimizerSpec {
  const base = { weightDecay, decayMode: decoupled ? ('decoupled' as const) : ('l2' as const) };
  switch (name) {
    case 'adam':
      return { type: 'adam', lr: lr ?? 2e-3, ...base };
    case 'rmsprop':
      return { type: 'rmsprop', lr: lr ?? 1e-3, ...base };
    case 'sgd':
      return { type: 'sgd', lr: lr ?? 1e-2, ...base };
    case 'momentum':
      return { type: 'sgd', lr: lr ?? 1e-2, momentum: 0.9, ...base };
    case 'nesterov':
      return { type: 'sgd', lr: lr ?? 1e-2, momentum: 0.9, nesterov: true, ...base };
    default:
      throw new UsageError(`unknown optimizer "${name}"`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  if (v.init !== undefined) checkInitArgs(v);
  if (v.model === 'rbf' || v.model === 'moe') return trainLocal(v.model, v);
  const dir = required(v.data, 'data');
  const outPath = required(v.out, 'out');
  const saved = v.init === undefined ? null : await loadClassifier(v.init);
  const preset = oneOf(v.model, 'model', PRESETS.filter((p) => p !== 'custom'), 'lenet5');
  const optName = oneOf(v.optimizer, 'optimizer', ['adam', 'sgd', 'momentum', 'nesterov', 'rmsprop'] as const, 'adam');
  const lr = v.lr === undefined ? undefined : num(v.lr, 'lr', 0, 1e-12, 10);
  const seed = num(v.seed, 'seed', saved ? saved.training.seed : 1, 0, 2 ** 32 - 1, true);
  const valFraction = num(v.val, 'val', saved ? savedValFraction(saved) : 0.1, 0, 0.9);
  // A saved optimizer goes on unless the optimizer options were given (then a fresh one from them).
  const resume = saved?.optimizer && ['optimizer', 'lr', 'weight-decay', 'decoupled'].every((k) => v[k as keyof typeof v] === undefined) ? saved.optimizer : null;
  const presetOpts: PresetOptions = {
    activation: oneOf(v.activation, 'activation', ['relu', 'leakyRelu', 'sigmoid', 'tanh'] as const, preset === 'lenet5' ? 'tanh' : 'relu'),
    dropout: num(v.dropout, 'dropout', 0, 0, 0.95),
    inputDropout: num(v['input-dropout'], 'input-dropout', 0, 0, 0.95),
    ...(v['batch-norm'] ? { batchNorm: true } : {}),
    ...(v.depth === undefined ? {} : { depth: num(v.depth, 'depth', 1, 1, 16, true) }),
  };
  const hintMode = v.hints === undefined ? (v.augment ? 'augment' : null) : oneOf(v.hints, 'hints', ['augment', 'penalty'] as const, 'augment');
  const hints: HintSettings | null = hintMode
    ? { mode: hintMode, weight: num(v['hint-weight'], 'hint-weight', 0.1, 0, 1000), augment: { flip: Boolean(v.flip) } }
    : null;
  const settings: TrainSettings = {
    epochs: num(v.epochs, 'epochs', 10, 1, 100000, true),
    batchSize: num(v.batch, 'batch', 16, 1, 65536, true),
    seed,
    optimizer: resume ? savedOptimizerSpec(resume) : optimizerSpec(optName, lr, num(v['weight-decay'], 'weight-decay', 0, 0, 10), Boolean(v.decoupled)),
    clipNorm: num(v.clip, 'clip', 0, 0, 1e9),
    earlyStopping: v.patience === undefined ? null : { patience: num(v.patience, 'patience', 3, 1, 10000, true), restoreBest: true },
    hints,
  };
  const load = loadOptions(v);
  const out = new Output(Boolean(v.json));

  const { set, skipped, counts } = saved ? await loadModelData(dir, saved, { noCache: Boolean(v['no-cache']), exact: true }, out) : await loadFolder(dir, load, out);
  if (set.classes.length < 2) {
    throw new Error(`training needs at least 2 classes (subfolders of ${dir}); found ${set.classes.length}`);
  }
  const labelled = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  const { train: trainPos, val: valPos } = splitIndices(labelled.length, valFraction, new Rng(seed), Int32Array.from(labelled, (i) => set.labels[i]));
  const train = Int32Array.from(trainPos, (p) => labelled[p]);
  const val = Int32Array.from(valPos, (p) => labelled[p]);
  out.info(
    `${set.n} images in ${set.classes.length} classes (${counts.join('/')}); ${skipped.length} skipped; ` +
      `${train.length} for training, ${val.length} for validation`,
    { event: 'data', loaded: set.n, classes: set.classes, counts, skipped: skipped.length, train: train.length, val: val.length },
  );

  const input = [set.channels, set.height, set.width];
  const model = saved ? saved.model : new Sequential(presetSpec(preset, input, set.classes.length, presetOpts), new Rng(seed));
  // Standardize with the training images' per-channel mean and spread (recorded in the model file).
  const normalization: Normalization = saved ? saved.normalization : { kind: 'standard', ...channelStats(set, train) };
  const offset = saved ? lastEpoch(saved.training.history) : 0;
  if (saved) {
    const how = resume ? `its saved ${resume.config.type} optimizer (step ${resume.getState().t})` : `a new ${settings.optimizer.type} optimizer`;
    out.info(`continuing ${v.init} after epoch ${offset} with ${how}`, { event: 'init', from: v.init, epoch: offset, optimizer: resume ? 'saved' : 'new' });
  }
  // Validate the optimizer options before the first epoch, not after it.
  createOptimizer(settings.optimizer);
  const trainer = new ClassifierTrainer({ model, set, train, val, normalization, settings, ...(resume ? { optimizer: resume } : {}) });
  const onSig = () => trainer.control.stop();
  process.once('SIGINT', onSig);
  let done;
  try {
    done = await trainer.run((e) => {
      if (e.type === 'batch') {
        out.progress(`epoch ${offset + e.epoch}/${offset + settings.epochs}`, e.batch, e.batches, `loss ${e.loss.toFixed(4)}`);
      } else if (e.type === 'epoch') {
        const val = e.valAcc === null ? '' : `  val loss ${e.valLoss!.toFixed(4)}  val acc ${(100 * e.valAcc).toFixed(2)}%`;
        out.info(
          `epoch ${offset + e.epoch}/${offset + e.epochs}  loss ${e.trainLoss.toFixed(4)}  acc ${(100 * e.trainAcc).toFixed(2)}%${val}  (${e.seconds.toFixed(1)} s)`,
          { event: 'epoch', ...e, epoch: offset + e.epoch, epochs: offset + e.epochs, type: undefined },
        );
      }
    });
  } finally {
    process.off('SIGINT', onSig);
  }
  if (done.reason === 'diverged') throw new Error(done.message);
  const file = classifierToFile({
    model,
    classes: set.classes,
    input: { channels: set.channels, height: set.height, width: set.width },
    normalization,
    training: {
      seed,
      settings: saved ? { ...saved.training.settings, ...settings, valFraction, init: v.init } : { ...settings, model: preset, ...presetOpts, valFraction, load: { fit: load.fit ?? 'cover' } },
      history: saved ? continuedHistory(saved.training.history, trainer.history) : trainer.history,
    },
    optimizer: trainer.optimizer,
  });
  await writeModelFile(outPath, file);
  const kept = done.reason === 'early-stopped' && done.bestEpoch ? trainer.history[done.bestEpoch - 1] : trainer.history[trainer.history.length - 1];
  out.result(
    `${done.message}. Saved ${outPath}` + (kept && kept.valAcc !== null ? ` (validation accuracy ${(100 * kept.valAcc).toFixed(2)}%)` : ''),
    { event: 'done', reason: done.reason, message: done.message, out: outPath, history: file.model.training.history },
  );
  return done.reason === 'stopped' ? 1 : 0;
}
