/**
 * A local-model variant on images: an RBF network started at random (k-means centres) or from prior
 * knowledge (one rule per labelled seed image: a unit at the seed, its radius to the nearest seed of
 * another class), or rules and exceptions (a linear default rule plus RBF units where it is wrong),
 * fitted on a few or many labelled images. The same engine code as `locus train --model rbf [--seeds]`.
 * Figures: accuracy on the training and validation images, and the units used.
 */
import { fillBatch } from '../../data/batch.js';
import { UNIT } from '../../data/normalize.js';
import { rbfFromRules, rulesFromSeeds } from '../../local/prior.js';
import { oneHot, RbfNetwork } from '../../local/rbf.js';
import { trainCentres, trainSpreads, trainWeights } from '../../local/rbf-train.js';
import { RulesAndExceptions } from '../../local/rules.js';
import { rbfToFile } from '../../io/index.js';
import { LabError } from '../../protocol/contract.js';
import { bool, type Infer, literal, num, obj, optional } from '../../protocol/guard.js';
import { splitLabelled } from '../classifier-setup.js';
import { type DriverResult, firstPerClass, finite, type VariantContext } from './variant.js';

export const LocalExperimentConfig = obj({
  model: literal('rbf', 'rules'),
  /** RBF units placed by k-means (random start), or exception units of rules and exceptions. */
  units: num({ int: true, min: 1, max: 1024 }),
  /** RBF: start from this many seed images of each class as rules (0: a random start). */
  seeds: optional(num({ int: true, min: 0, max: 100 })),
  /** Keep the seed units where they were given (only the output weights learn). */
  freezeSeeds: optional(bool),
  /** Labelled training images of each class. */
  trainPerClass: num({ int: true, min: 1, max: 100_000 }),
});
export type LocalExperimentConfig = Infer<typeof LocalExperimentConfig>;

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

export async function localVariant(ctx: VariantContext): Promise<DriverResult> {
  const bad = LocalExperimentConfig.check(ctx.config, 'config');
  if (bad) throw invalid(`variant "${ctx.name}": ${bad}`);
  const c = ctx.config as LocalExperimentConfig;
  const set = ctx.data.set;
  if (!set) throw invalid('a local-model experiment needs images');
  const C = set.classes.length;
  const dim = set.channels * set.height * set.width;
  const split = splitLabelled(set, ctx.experiment.data.valFraction ?? 0.2, ctx.seed);
  const train = firstPerClass(set, split.train, c.trainPerClass);
  const val = split.val;
  const rows = (idx: Int32Array) => {
    const x = new Float32Array(idx.length * dim);
    fillBatch(set, idx, 0, idx.length, UNIT, x);
    return x;
  };
  const x = rows(train);
  const n = train.length;
  const labels = Int32Array.from(train, (i) => set.labels[i]);
  const t = oneHot(labels, C);
  const runId = ctx.registry?.create('classifier', { ...ctx.config, experiment: ctx.experiment.id, variant: ctx.name, seed: ctx.seed, data: ctx.data.source }, { name: ctx.runName }).id ?? null;
  ctx.progress(0.1, `fitting on ${n} labelled images`);
  await new Promise((r) => setImmediate(r));
  const t0 = performance.now();
  let predict: (x: Float32Array, xo: number, out: Float64Array) => Float64Array;
  let units: number;
  let fitted: RbfNetwork | RulesAndExceptions;
  if (c.model === 'rules') {
    const m = RulesAndExceptions.fit(x, t, n, dim, C, { rule: 'linear', units: Math.min(c.units, n), seed: ctx.seed });
    fitted = m;
    predict = (v, o, out) => m.predict(v, o, out);
    units = m.exceptions().length;
  } else {
    let net: RbfNetwork;
    if (c.seeds) {
      // Prior knowledge: the first `seeds` training images of each class become rules, then units.
      const seedIdx = firstPerClass(set, train, c.seeds);
      const rules = rulesFromSeeds(rows(seedIdx), Array.from(seedIdx, (i) => set.labels[i]), seedIdx.length, dim);
      net = rbfFromRules(rules, { dim, classes: C, freeze: Boolean(c.freezeSeeds), seed: ctx.seed });
      if (!c.freezeSeeds) trainCentres(net, x, n);
    } else {
      net = new RbfNetwork({ dim, outputs: C, task: 'classification', seed: ctx.seed });
      trainCentres(net, x, n, { k: Math.min(c.units, n) });
      trainSpreads(net, x, n, 'rms');
    }
    trainWeights(net, x, t, n, { method: 'least-squares', ridge: 1e-6 });
    predict = (v, o, out) => net.predict(v, o, out);
    units = net.units;
    fitted = net;
  }
  const seconds = (performance.now() - t0) / 1000;
  const accuracy = (xs: Float32Array, idx: Int32Array): number | null => {
    if (!idx.length) return null;
    const out = new Float64Array(C);
    let ok = 0;
    for (let k = 0; k < idx.length; k++) {
      predict(xs, k * dim, out);
      let b = 0;
      for (let o = 1; o < C; o++) if (out[o] > out[b]) b = o;
      if (b === set.labels[idx[k]]) ok++;
    }
    return ok / idx.length;
  };
  const figures: Record<string, number | null> = { valAcc: finite(accuracy(rows(val), val)), trainAcc: finite(accuracy(x, train)), units, labelled: n };
  const history = [{ epoch: 1, ...figures, seconds }];
  ctx.progress(1, 'done');
  const outcome = { reason: 'completed' as const, message: `${units} units fitted on ${n} labelled images` };
  if (runId && ctx.registry) {
    ctx.registry.addEpoch(runId, history[0]);
    // The model file `locus train --model rbf` writes: the network, its input and classes.
    let model = null;
    try {
      model = rbfToFile({
        model: fitted,
        data: { input: { channels: set.channels, height: set.height, width: set.width }, normalization: UNIT, classes: [...set.classes] },
        training: { seed: ctx.seed, settings: { ...ctx.config, experiment: ctx.experiment.id, variant: ctx.name }, history },
      });
    } catch {
      model = null; // a model that cannot be written (a NaN in it) is not kept
    }
    await ctx.registry.finish(runId, { outcome, figures, classes: [...set.classes], model });
  }
  return { runId, config: { ...ctx.config }, history, traces: [], pictures: [], figures, outcome };
}
