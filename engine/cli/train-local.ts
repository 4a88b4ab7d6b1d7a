/**
 * `locus train --model rbf|moe`: the local models as image classifiers.
 *  - rbf (hybrid, the default): k-means++ and Lloyd place the centres, RMS cluster radii set the spreads,
 *    ridge least squares fits the output weights to one-hot targets (softmax on top for probabilities);
 *    --supervised then runs --epochs of mini-batch gradient descent on centres, spreads and weights
 *    (softmax cross-entropy). Inputs: pixels / 255, so distances are in pixel space.
 *    --seeds DIR starts from prior knowledge instead: each labelled image in DIR (class subfolders named
 *    like the training classes) becomes a rule "this class near this image", an RBF unit with radius half
 *    the distance to the nearest seed of another class; training then fine-tunes (Lloyd refines the
 *    centres, --freeze-seeds keeps them where they were given, least squares fits the weights).
 *  - moe: a mixture of linear experts with a softmax gate, cooperative training (squared error of the
 *    blend against one-hot targets), --epochs of mini-batch gradient descent on standardized inputs.
 */
import { Rng } from '../core/rng.js';
import { channelStats, fillBatch } from '../data/batch.js';
import { UNIT, type Normalization } from '../data/normalize.js';
import { splitIndices } from '../data/split.js';
import { moeToFile, rbfToFile, writeModelFile } from '../io/index.js';
import { MixtureOfExperts } from '../local/moe.js';
import { oneHot, RbfNetwork } from '../local/rbf.js';
import { rbfFromRules, rulesFromSeeds } from '../local/prior.js';
import { trainCentres, trainSpreads, trainSupervised, trainWeights } from '../local/rbf-train.js';
import { num, required } from './args.js';
import { evaluateLocal } from './local-classifier.js';
import { loadFolder, loadOptions } from './load.js';
import { relabel } from './model.js';
import { Output } from './output.js';

export const LOCAL_TRAIN_USAGE = `  --model rbf         RBF network: k-means centres, RMS spreads, least-squares output weights
  --units N           rbf: hidden units (default 10 per class)
  --supervised        rbf: then --epochs of gradient descent on centres, spreads and weights
  --seeds DIR         rbf: start from prior knowledge, one unit per labelled seed image in DIR (class
                      subfolders named like the training classes), then fine-tune on the data
  --freeze-seeds      rbf: keep the seed units' centres where they were given
  --model moe         mixture of linear experts with a softmax gate (--epochs of gradient descent)
  --experts N         moe: number of experts (default 4)
                      rbf and moe use --epochs, --lr (0.05 rbf, 0.001 moe), --batch (32), --seed, --val`;

type Values = Record<string, string | boolean | undefined>;

export async function trainLocal(kind: 'rbf' | 'moe', v: Values): Promise<number> {
  const dir = required(v.data as string | undefined, 'data');
  const outPath = required(v.out as string | undefined, 'out');
  const seed = num(v.seed as string | undefined, 'seed', 1, 0, 2 ** 32 - 1, true);
  const valFraction = num(v.val as string | undefined, 'val', 0.1, 0, 0.9);
  const epochs = num(v.epochs as string | undefined, 'epochs', 10, 1, 100000, true);
  const batch = num(v.batch as string | undefined, 'batch', 32, 1, 65536, true);
  const lr = num(v.lr as string | undefined, 'lr', kind === 'rbf' ? 0.05 : 0.001, 1e-12, 10);
  const supervised = Boolean(v.supervised);
  const experts = num(v.experts as string | undefined, 'experts', 4, 1, 256, true);
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
  const report = (model: RbfNetwork | MixtureOfExperts, epoch: number, extra: Record<string, number>, seconds: number) => {
    const tr = evaluateLocal(model, set, train, normalization, C);
    const va = val.length ? evaluateLocal(model, set, val, normalization, C) : null;
    const e = { epoch, ...extra, trainAcc: tr.accuracy, valLoss: va ? va.loss : null, valAcc: va ? va.accuracy : null, seconds };
    history.push(e);
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
  const settings: Record<string, unknown> = { model: kind, epochs, batch, lr, valFraction, load: { fit: load.fit ?? 'cover' } };
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
      report(net, 1, { leastSquares: loss }, (performance.now() - t0) / 1000);
      for (let e = 2; supervised && e <= epochs + 1 && !stop.stopped; e++) {
        await new Promise((r) => setImmediate(r));
        t0 = performance.now();
        const l = trainSupervised(net, x, t, n, { epochs: 1, rate: lr, batch })[0];
        report(net, e, { trainLoss: l }, (performance.now() - t0) / 1000);
      }
    } else {
      Object.assign(settings, { experts, mode: 'cooperative' });
      const moe = new MixtureOfExperts({ dim, outputs: C, experts, mode: 'cooperative', seed });
      // The model's default start (weights 0.1 N(0, 1)) suits a few inputs; with hundreds of pixels it
      // puts every output far from the targets. Start the experts at 0 and the gate near uniform instead
      // (the gate's remaining randomness is what makes the experts differ).
      moe.experts.fill(0);
      for (let q = 0; q < moe.gate.length; q++) moe.gate[q] /= Math.sqrt(dim);
      model = moe;
      for (let e = 1; e <= epochs && !stop.stopped; e++) {
        await new Promise((r) => setImmediate(r));
        const t0 = performance.now();
        const l = moe.train(x, t, n, { epochs: 1, rate: lr, batch })[0];
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
  const data = { input: { channels: set.channels, height: set.height, width: set.width }, normalization, classes: set.classes };
  const training = { seed, settings, history };
  await writeModelFile(outPath, model instanceof RbfNetwork ? rbfToFile({ model, data, training }) : moeToFile({ model, data, training }));
  const last = history[history.length - 1];
  out.result(`Saved ${outPath}` + (last.valAcc !== null ? ` (validation accuracy ${(100 * (last.valAcc as number)).toFixed(2)}%)` : ''), {
    event: 'done',
    reason: 'done',
    out: outPath,
    history,
  });
  return 0;
}

