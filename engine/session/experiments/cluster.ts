/**
 * A clustering variant (online k-means, ART, SOM, RBF or mixture of experts): the learner the
 * Clustering view uses (cluster/run.ts), trained for a number of passes over the samples, with its
 * figures of merit after every pass and its prototypes as a picture. Kept as a clustering run.
 */
import { Rng } from '../../core/rng.js';
import { UNIT } from '../../data/normalize.js';
import { artToFile, kmeansToFile, type ModelFile, moeToFile, rbfToFile, somToFile } from '../../io/index.js';
import type { LocalData } from '../../io/local-common.js';
import { Art2a } from '../../local/art2a.js';
import { FuzzyArt } from '../../local/fuzzy-art.js';
import { OnlineKMeans } from '../../local/kmeans.js';
import { RbfNetwork } from '../../local/rbf.js';
import { Som } from '../../local/som.js';
import { ClusterSpec, CLUSTER_TOYS } from '../../protocol/cluster.js';
import { LabError } from '../../protocol/contract.js';
import { type Infer, literal, num, obj, optional } from '../../protocol/guard.js';
import { Run } from '../cluster/run.js';
import { imageSource, type Source, toySource } from '../cluster/source.js';
import { type DriverResult, type ExperimentPicture, finite, type VariantContext } from './variant.js';

export const ClusterExperimentConfig = obj({
  spec: ClusterSpec,
  /** Passes over the samples (RBF: its three stages count as three, then fine-tuning epochs; MoE: epochs). */
  epochs: num({ int: true, min: 1, max: 1000 }),
  /** The 2-D toy set (toy data): its name, size and noise. */
  toy: optional(obj({ name: literal(...CLUSTER_TOYS), n: optional(num({ int: true, min: 10, max: 20_000 })), noise: optional(num({ min: 0, max: 2 })), classes: optional(num({ int: true, min: 1, max: 12 })) })),
  /** Present the samples in this order each pass: as they come, or shuffled with the seed. */
  order: optional(literal('given', 'sorted-by-class')),
  /** k-means only: 'lloyd' makes each pass one batch (Lloyd) iteration instead of an online pass. */
  method: optional(literal('online', 'lloyd')),
});
export type ClusterExperimentConfig = Infer<typeof ClusterExperimentConfig>;

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

/**
 * The run's model as the model file `locus cluster` writes (k-means, SOM, ART; RBF network and mixture
 * of experts as `locus train --model rbf|moe` would), so the variant's run can be exported and opened
 * like any other; null when the learner has none.
 */
function clusterFile(run: Run, source: Source, training: { seed: number; settings: Record<string, unknown>; history: readonly object[] }): ModelFile | null {
  const data: LocalData = source.image ? { input: { ...source.image }, normalization: UNIT } : {};
  if (source.classes.length) data.classes = [...source.classes];
  const learner = run.learner as typeof run.learner & { moe?: unknown };
  const model = learner.model;
  // ART on a 2-D set learns on the points mapped into [0, 1]: the file says how (as locus cluster's does).
  const settings = (model instanceof FuzzyArt || model instanceof Art2a) && !source.image ? { ...training.settings, scaled: { offset: [...source.unit.offset], scale: source.unit.scale } } : training.settings;
  const t = { ...training, settings };
  if (model instanceof OnlineKMeans) return kmeansToFile({ model, data, training: t });
  if (model instanceof Som) return somToFile({ model, data, training: t });
  if (model instanceof FuzzyArt || model instanceof Art2a) return artToFile({ model, data, training: t });
  if (model instanceof RbfNetwork) return rbfToFile({ model, data, training: t });
  if (learner.moe) return moeToFile({ model: learner.moe as Parameters<typeof moeToFile>[0]['model'], data, training: t });
  return null;
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function clusterVariant(ctx: VariantContext): Promise<DriverResult> {
  const config = { ...ctx.config, spec: { seed: ctx.seed, ...(ctx.config.spec as object) } };
  const bad = ClusterExperimentConfig.check(config, 'config');
  if (bad) throw invalid(`variant "${ctx.name}": ${bad}`);
  const c = config as ClusterExperimentConfig;
  if (c.method === 'lloyd' && c.spec.algorithm !== 'kmeans') throw invalid(`variant "${ctx.name}": method "lloyd" goes with k-means, not ${c.spec.algorithm}`);
  let source;
  if (ctx.data.set) {
    const set = ctx.data.set;
    let indices = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
    if (c.order === 'sorted-by-class') indices = Int32Array.from([...indices].sort((a, b) => set.labels[a] - set.labels[b] || a - b));
    else {
      const rng = new Rng(ctx.seed ^ 0x0de7);
      for (let i = indices.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [indices[i], indices[j]] = [indices[j], indices[i]];
      }
    }
    source = imageSource(set, indices, ctx.data.source, `experiment:${ctx.data.source}`, null);
  } else {
    const t = c.toy ?? { name: 'blobs' as const };
    source = toySource({ kind: 'toy', name: t.name, n: t.n ?? ctx.experiment.data.points ?? 600, seed: ctx.seed, ...(t.noise !== undefined ? { noise: t.noise } : {}), ...(t.classes !== undefined ? { classes: t.classes } : {}) });
  }
  const run = new Run(0, source, c.spec, { categoryCap: 256 });
  let stopped = false;
  ctx.onCancel(() => (stopped = true));
  const runId = ctx.registry?.create('cluster', { ...ctx.config, algorithm: c.spec.algorithm, experiment: ctx.experiment.id, variant: ctx.name, seed: ctx.seed, data: ctx.data.source }, { name: ctx.runName }).id ?? null;
  const history: Record<string, number | null>[] = [];
  // Prototype learners step one sample at a time; the RBF network one stage (centres, spreads, weights)
  // or fine-tuning epoch, the mixture of experts one epoch.
  const steps = c.spec.algorithm === 'rbf' || c.spec.algorithm === 'moe' ? 1 : source.n;
  const chunk = Math.max(1, Math.ceil(steps / 20));
  const lloyd = c.method === 'lloyd' && run.learner.model instanceof OnlineKMeans ? run.learner.model : null;
  for (let e = 1; e <= c.epochs && !stopped; e++) {
    if (lloyd) {
      // One batch iteration: every sample assigned, then each centroid moved to its cluster's mean.
      lloyd.lloyd(source.x, source.n, 1);
      run.editor?.refresh();
      ctx.progress(e / c.epochs, `Lloyd iteration ${e}/${c.epochs}`);
      await tick();
    }
    for (let done = 0; done < steps && !stopped && !lloyd; done += chunk) {
      run.train(Math.min(chunk, steps - done));
      ctx.progress((e - 1 + Math.min(1, (done + chunk) / steps)) / c.epochs, `pass ${e}/${c.epochs}`);
      await tick();
    }
    const f = run.figures() as Record<string, number | undefined>;
    const row: Record<string, number | null> = { epoch: e, prototypes: run.prototypeCount };
    for (const [k, v] of Object.entries(f)) row[k] = finite(v);
    history.push(row);
    if (runId) ctx.registry?.addEpoch(runId, row);
  }
  const figures: Record<string, number | null> = { ...(history.at(-1) ?? {}) };
  delete figures.epoch;
  figures.epochs = history.length;
  const pictures: ExperimentPicture[] = [];
  const k = Math.min(run.prototypeCount, 256);
  if (source.image && k > 0 && run.learner.model) {
    const { width, height, channels } = source.image;
    const dim = source.dim;
    const data = new Float32Array(k * dim);
    const buf = new Float32Array(dim);
    for (let j = 0; j < k; j++) {
      run.learner.pixels(j, buf);
      for (let t = 0; t < dim; t++) data[j * dim + t] = Math.min(1, Math.max(0, buf[t]));
    }
    pictures.push({ key: 'prototypes', label: 'Prototypes', count: k, channels, height, width, data });
  }
  const outcome = stopped ? { reason: 'stopped' as const, message: 'stopped' } : { reason: 'completed' as const, message: `${history.length} passes over ${source.n} samples` };
  if (runId && ctx.registry) {
    let model: ModelFile | null = null;
    try {
      model = clusterFile(run, source, { seed: ctx.seed, settings: { ...c.spec, epochs: c.epochs, ...(c.method ? { method: c.method } : {}), experiment: ctx.experiment.id, variant: ctx.name, data: ctx.data.source }, history });
    } catch {
      model = null; // a model that cannot be written (a NaN in it) is not kept
    }
    await ctx.registry.finish(runId, { outcome, figures, classes: source.classes, model });
  }
  return { runId, config: { ...ctx.config }, history, traces: [], pictures, figures, outcome };
}
