/**
 * `locus train --model rbf|moe`: the local models as image classifiers.
 *  - rbf (hybrid, the default): k-means++ and Lloyd place the centres, RMS cluster radii set the spreads,
 *    ridge least squares fits the output weights to one-hot targets (softmax on top for probabilities);
 *    --supervised then scales the output weights to the softmax's best temperature (rbf-train.ts
 *    calibrate: the least-squares outputs give a nearly flat softmax) and runs --epochs of mini-batch Adam
 *    (or --optimizer sgd) on centres, spreads and weights (softmax cross-entropy), keeping the epoch with
 *    the best validation accuracy, the hybrid start included. Inputs: pixels / 255, so distances are in
 *    pixel space.
 *    --seeds DIR starts from prior knowledge instead: each labelled image in DIR (class subfolders named
 *    like the training classes) becomes a rule "this class near this image", an RBF unit with radius half
 *    the distance to the nearest seed of another class; training then fine-tunes (Lloyd refines the
 *    centres, --freeze-seeds keeps them where they were given, least squares fits the weights).
 *  - moe: a mixture of softmax (multinomial logistic) experts with a softmax gate on standardized inputs,
 *    --mode cooperative (cross-entropy of the softmax of the blended logits, the default) or competitive
 *    (likelihood of the gated mixture of the experts' class probabilities), --epochs of mini-batch Adam
 *    (or --optimizer sgd), keeping the epoch with the best validation accuracy.
 */
import { Rng } from '../core/rng.js';
import { channelStats, fillBatch } from '../data/batch.js';
import { UNIT, type Normalization } from '../data/normalize.js';
import { splitIndices } from '../data/split.js';
import { moeToFile, rbfToFile, writeModelFile } from '../io/index.js';
import { AdamSteps, SgdSteps, type Stepper } from '../local/adam.js';
import { MixtureOfExperts, MOE_CLASSIFIER, type MoeMode } from '../local/moe.js';
import { oneHot, RbfNetwork } from '../local/rbf.js';
import { rbfFromRules, rulesFromSeeds } from '../local/prior.js';
import { calibrate, trainCentres, trainSpreads, trainSupervised, trainWeights } from '../local/rbf-train.js';
import { num, oneOf, required } from './args.js';
import { evaluateLocal } from './local-classifier.js';
import { loadFolder, loadOptions } from './load.js';
import { relabel } from './model.js';
import { Output, UsageError } from './output.js';

export const LOCAL_TRAIN_USAGE = `  --model rbf         RBF network: k-means centres, RMS spreads, least-squares output weights
  --units N           rbf: hidden units (default 10 per class)
  --supervised        rbf: then --epochs of Adam on centres, spreads and weights (cross-entropy, from
                      the least-squares weights scaled to the softmax's best temperature)
  --seeds DIR         rbf: start from prior knowledge, one unit per labelled seed image in DIR (class
                      subfolders named like the training classes), then fine-tune on the data
  --freeze-seeds      rbf: keep the seed units' centres where they were given
  --model moe         mixture of softmax experts with a softmax gate (--epochs of Adam, cross-entropy)
  --experts N         moe: number of experts (default 4)
  --mode M            moe: cooperative (softmax of the gated blend of the experts' logits; default) or
                      competitive (gated mixture of the experts' class probabilities)
                      rbf and moe use --epochs (10), --optimizer adam (default; --beta1, --beta2, --eps) or
                      sgd, --lr (0.001 adam, 0.05 sgd), --batch (32), --seed, --val; with a validation set the epoch with the
                      best validation accuracy is kept (rbf --supervised: the least-squares start too)`;

type Values = Record<string, string | boolean | undefined>;

export async function trainLocal(kind: 'rbf' | 'moe', v: Values): Promise<number> {
  const dir = required(v.data as string | undefined, 'data');
  const outPath = required(v.out as string | undefined, 'out');
  const seed = num(v.seed as string | undefined, 'seed', 1, 0, 2 ** 32 - 1, true);
  const valFraction = num(v.val as string | undefined, 'val', 0.1, 0, 0.9);
  const epochs = num(v.epochs as string | undefined, 'epochs', 10, 1, 100000, true);
  const batch = num(v.batch as string | undefined, 'batch', 32, 1, 65536, true);
  const optimizer = oneOf(v.optimizer as string | undefined, 'optimizer', ['adam', 'sgd'] as const, 'adam');
  const lr = num(v.lr as string | undefined, 'lr', optimizer === 'adam' ? 0.001 : 0.05, 1e-12, 10);
  const supervised = Boolean(v.supervised);
  const experts = num(v.experts as string | undefined, 'experts', MOE_CLASSIFIER.experts, 1, 256, true);
  const mode: MoeMode = oneOf(v.mode as string | undefined, 'mode', ['cooperative', 'competitive'] as const, MOE_CLASSIFIER.mode);
  if (optimizer === 'sgd' && ['beta1', 'beta2', 'eps'].some((k) => v[k] !== undefined)) throw new UsageError('--beta1, --beta2 and --eps go with --optimizer adam');
  const adam = {
    lr,
    beta1: num(v.beta1 as string | undefined, 'beta1', 0.9, 0, 0.999999),
    beta2: num(v.beta2 as string | undefined, 'beta2', 0.999, 0, 0.999999),
    eps: num(v.eps as string | undefined, 'eps', 1e-8, 1e-30, 1),
  };
  const stepper: Stepper = optimizer === 'adam' ? new AdamSteps(adam) : new SgdSteps(lr);
  const load = loadOptions(v);
  const out = new Output(Boolean(v.json));

  const { set, skipped, counts } = await loadFolder(dir, load, out);
  const C = set.classes.length;
  if (C < 2) throw new Error(`training needs at least 2 classes (subfolders of ${dir}); found ${C}`);
  const units = num(v.units as string | undefined, 'units', 10 * C, 1, 4096, true);
  const labelled = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  const split = splitIndices(labelled.length, valFraction, new Rng(seed), Int32Array.from(labelled, (i) => set.labels[i]));
  const train = Int32Array.from(split.train, (p) => labelled[p]);
  const val = Int32Array.from(split.val, (p) => labelled[p]);
  out.info(`${set.n} images in ${C} classes (${counts.join('/')}); ${skipped.length} skipped; ${train.length} for training, ${val.length} for validation`, {
    event: 'data',
    loaded: set.n,
    classes: set.classes,
    counts,
    skipped: skipped.length,
    train: train.length,
    val: val.length,
  });
  const dim = set.channels * set.height * set.width;
  const n = train.length;
  if (kind === 'rbf' && units > n) throw new Error(`--units ${units} needs at least ${units} training images, there are ${n}`);
  const normalization: Normalization = kind === 'rbf' ? UNIT : { kind: 'standard', ...channelStats(set, train) };
  const x = new Float32Array(n * dim);
  fillBatch(set, train, 0, n, normalization, x);
  const t = oneHot(Int32Array.from(train, (i) => set.labels[i]), C);
  const history: Record<string, number | null>[] = [];
  // The best epoch by validation accuracy (then loss), with a copy of its weights to go back to.
  let best: { epoch: number; acc: number; loss: number; state: unknown } | null = null;
  const report = (model: RbfNetwork | MixtureOfExperts, epoch: number, extra: Record<string, number>, seconds: number) => {
    const tr = evaluateLocal(model, set, train, normalization, C);
    const va = val.length ? evaluateLocal(model, set, val, normalization, C) : null;
    const e = { epoch, ...extra, trainAcc: tr.accuracy, valLoss: va ? va.loss : null, valAcc: va ? va.accuracy : null, seconds };
    history.push(e);
    if (va && (!best || va.accuracy > best.acc || (va.accuracy === best.acc && va.loss < best.loss))) {
      best = { epoch, acc: va.accuracy, loss: va.loss, state: structuredClone(model.toState()) };
    }
    const vtxt = va ? `  val loss ${va.loss.toFixed(4)}  val acc ${(100 * va.accuracy).toFixed(2)}%` : '';
    out.info(`epoch ${epoch}  ${Object.entries(extra).map(([k, q]) => `${k} ${q.toFixed(4)}`).join('  ')}  acc ${(100 * tr.accuracy).toFixed(2)}%${vtxt}  (${seconds.toFixed(1)} s)`, {
      event: 'epoch',
      ...e,
    });
  };
  const stop = { stopped: false };
  const onSig = () => (stop.stopped = true);
  process.once('SIGINT', onSig);
  let model: RbfNetwork | MixtureOfExperts;
  const settings: Record<string, unknown> = { model: kind, epochs, batch, optimizer: optimizer === 'adam' ? { type: 'adam', ...adam } : { type: 'sgd', lr }, lr, valFraction, load: { fit: load.fit ?? 'cover' } };
  try {
    if (kind === 'rbf') {
      Object.assign(settings, { units, supervised });
      let t0 = performance.now();
      let net: RbfNetwork;
      if (typeof v.seeds === 'string') {
        const seeds = await loadFolder(v.seeds, load, out);
        const { set: s, unknown } = relabel(seeds.set, set.classes);
        if (unknown.length) throw new Error(`seed folders with no class of the same name in ${dir}: ${unknown.join(', ')}`);
        const idx = Int32Array.from(s.labels.keys()).filter((i) => s.labels[i] >= 0);
        if (idx.length < 2) throw new Error(`--seeds needs at least two labelled images (class subfolders) in ${v.seeds}`);
        const points = new Float32Array(idx.length * dim);
        fillBatch(s, idx, 0, idx.length, normalization, points);
        const rules = rulesFromSeeds(points, Array.from(idx, (i) => s.labels[i]), idx.length, dim);
        net = rbfFromRules(rules, { dim, classes: C, freeze: Boolean(v['freeze-seeds']), seed });
        Object.assign(settings, { seeds: idx.length, freezeSeeds: Boolean(v['freeze-seeds']) });
        out.info(`prior knowledge: ${idx.length} seed units from ${v.seeds}`, { event: 'stage', seeds: idx.length });
        model = net;
        report(net, 0, { seedUnits: idx.length }, (performance.now() - t0) / 1000);
        t0 = performance.now();
        const centres = trainCentres(net, x, n);
        out.info(`fine-tuning: Lloyd moved the seed centres, inertia ${centres.inertia[0].toFixed(1)} -> ${centres.inertia[1].toFixed(1)}`, {
          event: 'stage',
          centres,
        });
      } else {
        net = new RbfNetwork({ dim, outputs: C, task: 'classification', seed });
        model = net;
        const centres = trainCentres(net, x, n, { k: units });
        const spreads = trainSpreads(net, x, n, 'rms');
        const sorted = [...spreads].sort((a, b) => a - b);
        out.info(
          `centres: k-means inertia ${centres.inertia[0].toFixed(1)} -> ${centres.inertia[1].toFixed(1)}; spreads ${sorted[0].toFixed(3)} .. ${sorted[sorted.length - 1].toFixed(3)} (median ${sorted[sorted.length >> 1].toFixed(3)})`,
          { event: 'stage', centres, spreads },
        );
      }
      const loss = trainWeights(net, x, t, n, { method: 'least-squares', ridge: 1e-6 });
      if (supervised) {
        // The least-squares outputs (about 0..1) make a nearly flat softmax; start from its best temperature.
        const scale = calibrate(net, x, t, n);
        out.info(`output weights scaled by ${scale.toFixed(3)} (the softmax temperature with the least cross-entropy)`, { event: 'stage', calibration: scale });
      }
      report(net, 1, { leastSquares: loss }, (performance.now() - t0) / 1000);
      for (let e = 2; supervised && e <= epochs + 1 && !stop.stopped; e++) {
        await new Promise((r) => setImmediate(r));
        t0 = performance.now();
        const l = trainSupervised(net, x, t, n, { epochs: 1, rate: lr, batch, stepper })[0];
        if (!Number.isFinite(l)) throw new Error(`the RBF network diverged in epoch ${e - 1} (loss ${l}); try a smaller --lr`);
        report(net, e, { trainLoss: l }, (performance.now() - t0) / 1000);
      }
    } else {
      Object.assign(settings, { experts, mode, output: 'softmax' });
      const moe = MixtureOfExperts.classifier({ dim, classes: C, experts, mode, seed });
      model = moe;
      for (let e = 1; e <= epochs && !stop.stopped; e++) {
        await new Promise((r) => setImmediate(r));
        const t0 = performance.now();
        const l = moe.train(x, t, n, { epochs: 1, rate: lr, batch, stepper })[0];
        if (!Number.isFinite(l)) throw new Error(`the mixture of experts diverged in epoch ${e} (loss ${l}); try a smaller --lr`);
        report(moe, e, { trainLoss: l }, (performance.now() - t0) / 1000);
      }
    }
  } finally {
    process.off('SIGINT', onSig);
  }
  if (stop.stopped) {
    out.result('stopped: nothing saved', { event: 'done', reason: 'stopped' });
    return 1;
  }
  const kept = best as { epoch: number; state: unknown } | null;
  const lastEpoch = history[history.length - 1].epoch as number;
  if (kept && kept.epoch !== lastEpoch) {
    model = model instanceof RbfNetwork ? RbfNetwork.fromState(kept.state as ReturnType<RbfNetwork['toState']>) : MixtureOfExperts.fromState(kept.state as ReturnType<MixtureOfExperts['toState']>);
    out.info(`kept epoch ${kept.epoch} (the best validation accuracy)`, { event: 'kept', epoch: kept.epoch });
  }
  if (kept) settings.keptEpoch = kept.epoch;
  const data = { input: { channels: set.channels, height: set.height, width: set.width }, normalization, classes: set.classes };
  const training = { seed, settings, history };
  await writeModelFile(outPath, model instanceof RbfNetwork ? rbfToFile({ model, data, training }) : moeToFile({ model, data, training }));
  const last = (kept && history.find((h) => h.epoch === kept.epoch)) || history[history.length - 1];
  out.result(`Saved ${outPath}` + (last.valAcc !== null ? ` (validation accuracy ${(100 * (last.valAcc as number)).toFixed(2)}%)` : ''), {
    event: 'done',
    reason: 'done',
    out: outPath,
    history,
  });
  return 0;
}

