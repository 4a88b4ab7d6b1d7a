import { classifierToFile, LIMITS, writeModelFile } from '../io/index.js';
import '../layers/index.js';
import { PRESETS, type PresetOptions } from '../models/presets.js';
import type { OptimizerSpec } from '../optim/index.js';
import { OPTIMIZER_CHOICES } from '../protocol/contract.js';
import { CLASSIFIER_DEFAULTS, type OptimizerChoice } from '../protocol/defaults.js';
import { ClassifierTrainer } from '../session/classifier.js';
import { optimizerSpec as sessionOptimizerSpec, savedOptimizerSpec, setUpClassifierRun, splitLabelled } from '../session/classifier-setup.js';
import { recordRun } from './runs-record.js';
import type { HintSettings } from '../session/hints.js';
import { num, oneOf, parse, required } from './args.js';
import { LOAD_OPTIONS, LOAD_USAGE, loadFolder, loadOptions } from './load.js';
import { loadClassifier } from './model.js';
import { loadModelData } from './model-data.js';
import { checkInitArgs, continuedHistory, INIT_USAGE, lastEpoch, savedValFraction } from './train-init.js';
import { LOCAL_TRAIN_USAGE, trainLocal } from './train-local.js';
import { Output, UsageError } from './output.js';

export const usage = `locus train --data DIR --out MODEL.json [options]
  Train a classifier on an image folder (one subfolder per class) and save it as a Locus model file.
  --model NAME        lenet5 (default), mlp, vgg, resnet or highway
${INIT_USAGE}
  --depth N           blocks of vgg (2), residual blocks per stage of resnet (1), gate blocks of highway (2)
  --batch-norm        BatchNorm after hidden conv and dense layers (mlp, vgg, resnet, highway)
${LOCAL_TRAIN_USAGE}
  --epochs N          passes over the training images (default 5)
  --name TEXT         a name for the run in the workspace (locus runs list); --no-workspace: do not record it
  --optimizer NAME    adam (default), sgd, momentum, nesterov or rmsprop
  --lr X              learning rate (default 0.001 for adam and rmsprop, 0.01 otherwise)
  --momentum X        momentum and nesterov: the momentum coefficient in [0, 1) (default 0.9)
  --beta1 X           adam: decay of the first moment in [0, 1) (default 0.9)
  --beta2 X           adam: decay of the second moment in [0, 1) (default 0.999)
  --rho X             rmsprop: decay of the mean squared gradient in [0, 1) (default 0.9)
  --eps X             adam and rmsprop: the term added to the denominator (default 1e-8)
  --no-bias-correction  Adam without bias correction (to see what its first steps do without it)
  --batch N           mini-batch size (default 32)
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
  'no-bias-correction': { type: 'boolean' },
  momentum: { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  rho: { type: 'string' },
  eps: { type: 'string' },
  mode: { type: 'string' },
  name: { type: 'string' },
  'no-workspace': { type: 'boolean' },
} as const;

/** An optimizer choice and its options as the engine's spec (defaults from engine/protocol/defaults.ts). */
export function optimizerSpec(name: string, lr: number | undefined, weightDecay: number, decoupled: boolean): OptimizerSpec {
  if (!(OPTIMIZER_CHOICES as readonly string[]).includes(name)) throw new UsageError(`unknown optimizer "${name}"`);
  return sessionOptimizerSpec(name as OptimizerChoice, { ...(lr === undefined ? {} : { lr }), weightDecay, decoupled });
}

/** The optimizer switches beyond the type, learning rate and weight decay: which optimizers take each. */
const OPTIMIZER_FLAGS = ['momentum', 'beta1', 'beta2', 'rho', 'eps', 'no-bias-correction'] as const;
const FLAG_OWNERS: Record<(typeof OPTIMIZER_FLAGS)[number], readonly string[]> = {
  momentum: ['momentum', 'nesterov'],
  beta1: ['adam'],
  beta2: ['adam'],
  rho: ['rmsprop'],
  eps: ['adam', 'rmsprop'],
  'no-bias-correction': ['adam'],
};

/** Put the optimizer switches given on the command line into the spec (the optimizer checks the ranges). */
export function applyOptimizerFlags(spec: OptimizerSpec, choice: string, v: Record<string, string | boolean | undefined>): void {
  for (const flag of OPTIMIZER_FLAGS) {
    if (v[flag] === undefined) continue;
    if (!FLAG_OWNERS[flag].includes(choice)) throw new UsageError(`--${flag} goes with --optimizer ${FLAG_OWNERS[flag].join(' or ')}`);
  }
  const o = spec as Record<string, unknown>;
  if (v.momentum !== undefined) o.momentum = num(v.momentum as string, 'momentum', 0.9, 0, 0.999999);
  if (v.beta1 !== undefined) o.beta1 = num(v.beta1 as string, 'beta1', 0.9, 0, 0.999999);
  if (v.beta2 !== undefined) o.beta2 = num(v.beta2 as string, 'beta2', 0.999, 0, 0.999999);
  if (v.rho !== undefined) o.rho = num(v.rho as string, 'rho', 0.9, 0, 0.999999);
  if (v.eps !== undefined) o.eps = num(v.eps as string, 'eps', 1e-8, 1e-30, 1);
  if (v['no-bias-correction']) o.biasCorrection = false;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  if (v.init !== undefined) checkInitArgs(v);
  if (v.model === 'rbf' || v.model === 'moe') {
    for (const flag of ['momentum', 'rho', 'no-bias-correction', 'weight-decay', 'decoupled', 'clip', 'patience', 'init'] as const) {
      if (v[flag] !== undefined) throw new UsageError(`--${flag} is not used by --model ${v.model}`);
    }
    return trainLocal(v.model, v);
  }
  if (v.mode !== undefined) throw new UsageError('--mode goes with --model moe');
  const dir = required(v.data, 'data');
  const outPath = required(v.out, 'out');
  const saved = v.init === undefined ? null : await loadClassifier(v.init);
  const preset = oneOf(v.model, 'model', PRESETS.filter((p) => p !== 'custom'), 'lenet5');
  const optName = oneOf(v.optimizer, 'optimizer', ['adam', 'sgd', 'momentum', 'nesterov', 'rmsprop'] as const, 'adam');
  const lr = v.lr === undefined ? undefined : num(v.lr, 'lr', 0, 1e-12, 10);
  const seed = num(v.seed, 'seed', saved ? saved.training.seed : CLASSIFIER_DEFAULTS.seed, 0, 2 ** 32 - 1, true);
  const valFraction = num(v.val, 'val', saved ? savedValFraction(saved) : CLASSIFIER_DEFAULTS.valFraction, 0, 0.9);
  // A saved optimizer goes on unless the optimizer options were given (then a fresh one from them).
  const keepSaved = Boolean(saved?.optimizer) && [...OPTIMIZER_FLAGS, 'optimizer', 'lr', 'weight-decay', 'decoupled'].every((k) => v[k as keyof typeof v] === undefined);
  const presetOpts: PresetOptions = {
    activation: oneOf(v.activation, 'activation', ['relu', 'leakyRelu', 'sigmoid', 'tanh'] as const, CLASSIFIER_DEFAULTS.activation(preset)),
    dropout: num(v.dropout, 'dropout', 0, 0, 0.95),
    inputDropout: num(v['input-dropout'], 'input-dropout', 0, 0, 0.95),
    ...(v['batch-norm'] ? { batchNorm: true } : {}),
    ...(v.depth === undefined ? {} : { depth: num(v.depth, 'depth', 1, 1, 16, true) }),
  };
  const hintMode = v.hints === undefined ? (v.augment ? 'augment' : null) : oneOf(v.hints, 'hints', ['augment', 'penalty'] as const, 'augment');
  const hints: HintSettings | null = hintMode
    ? { mode: hintMode, weight: num(v['hint-weight'], 'hint-weight', 0.1, 0, 1000), augment: { flip: Boolean(v.flip) } }
    : null;
  const epochs = num(v.epochs, 'epochs', CLASSIFIER_DEFAULTS.epochs, 1, 100000, true);
  // Checked before any work: the epochs are numbered on from the file's last, and a file records at most LIMITS.maxCount.
  if (saved && lastEpoch(saved.training.history) + epochs > LIMITS.maxCount) {
    throw new Error(`--init: the file's history ends at epoch ${lastEpoch(saved.training.history)}; ${epochs} more would pass ${LIMITS.maxCount}, the most a model file records`);
  }
  const batchSize = num(v.batch, 'batch', CLASSIFIER_DEFAULTS.batchSize, 1, 65536, true);
  const optimizer = keepSaved ? savedOptimizerSpec(saved!.optimizer!) : optimizerSpec(optName, lr, num(v['weight-decay'], 'weight-decay', 0, 0, 10), Boolean(v.decoupled));
  if (!keepSaved) applyOptimizerFlags(optimizer, optName, v);
  const clipNorm = num(v.clip, 'clip', 0, 0, 1e9);
  const patience = v.patience === undefined ? null : num(v.patience, 'patience', 3, 1, 10000, true);
  const load = loadOptions(v);
  const out = new Output(Boolean(v.json));

  const { set: loaded, skipped, counts } = saved ? await loadModelData(dir, saved, { noCache: Boolean(v['no-cache']), exact: true }, out) : await loadFolder(dir, load, out);
  if (loaded.classes.length < 2) {
    throw new Error(`training needs at least 2 classes (subfolders of ${dir}); found ${loaded.classes.length}`);
  }
  // The same set-up as a run in the app (engine/session/classifier-setup.ts); only the split is the CLI's own.
  const s = setUpClassifierRun({
    set: loaded,
    split: splitLabelled(loaded, valFraction, seed),
    architecture: { preset, ...presetOpts },
    previous: saved ? { model: saved.model, classes: saved.classes, input: saved.input, normalization: saved.normalization, optimizer: saved.optimizer } : null,
    optimizer,
    keepOptimizer: keepSaved,
    epochs,
    batchSize,
    seed,
    clipNorm,
    patience,
    hints,
  });
  const { set, model, normalization, train, val, settings } = s;
  out.info(
    `${set.n} images in ${set.classes.length} classes (${counts.join('/')}); ${skipped.length} skipped; ` +
      `${train.length} for training, ${val.length} for validation`,
    { event: 'data', loaded: set.n, classes: set.classes, counts, skipped: skipped.length, train: train.length, val: val.length },
  );
  const resume = s.optimizer;
  const offset = saved ? lastEpoch(saved.training.history) : 0;
  if (saved) {
    const how = resume ? `its saved ${resume.config.type} optimizer (step ${resume.getState().t})` : `a new ${settings.optimizer.type} optimizer`;
    out.info(`continuing ${v.init} after epoch ${offset} with ${how}`, { event: 'init', from: v.init, epoch: offset, optimizer: resume ? 'saved' : 'new' });
  }
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
  if (!v['no-workspace']) {
    const config = { model: preset, architecture: { preset, ...presetOpts }, optimizer: { ...settings.optimizer, type: keepSaved ? settings.optimizer.type : optName }, epochs, batchSize, seed, ...(clipNorm ? { clipNorm } : {}), ...(patience ? { patience } : {}), ...(hints ? { hints: { mode: hints.mode } } : {}), ...(saved ? { resume: true } : {}), data: dir, out: outPath };
    const history = file.model.training.history.slice(saved ? saved.training.history.length : 0) as Record<string, number | null>[];
    const rec = await recordRun({ kind: 'classifier', config, name: v.name ?? '', history, outcome: { reason: done.reason, message: done.message }, figures: { valAcc: kept?.valAcc ?? null, valLoss: kept?.valLoss ?? null, trainLoss: kept?.trainLoss ?? null, trainAcc: kept?.trainAcc ?? null }, confusion: done.confusion, classes: set.classes, model: file });
    if (rec) out.info(rec.message, { event: 'run', id: rec.id, saved: rec.saved });
  }
  out.result(
    `${done.message}. Saved ${outPath}` + (kept && kept.valAcc !== null ? ` (validation accuracy ${(100 * kept.valAcc).toFixed(2)}%)` : ''),
    { event: 'done', reason: done.reason, message: done.message, out: outPath, history: file.model.training.history },
  );
  return done.reason === 'stopped' ? 1 : 0;
}
