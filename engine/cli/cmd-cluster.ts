import { Art2a } from '../local/art2a.js';
import { contingency } from '../local/contingency.js';
import type { PrototypeModel } from '../local/editor.js';
import { FuzzyArt } from '../local/fuzzy-art.js';
import { OnlineKMeans } from '../local/kmeans.js';
import { greedyTrials } from '../local/kmeans-init.js';
import { Som } from '../local/som.js';
import { artToFile, kmeansToFile, somToFile, writeModelFile, type ModelFile } from '../io/index.js';
import { num, oneOf, parse, required } from './args.js';
import type { ClusterAlgorithm, ClusterSpec } from '../protocol/cluster.js';
import { CLUSTER_EPOCHS, CLUSTER_SEED, clusterDefaults, defaultSpec, SOM_DEFAULTS, somRadius } from '../session/cluster/defaults.js';
import { Run } from '../session/cluster/run.js';
import { loadVectors } from './cluster-data.js';
import { recordRun } from './runs-record.js';
import { LOAD_OPTIONS, LOAD_USAGE } from './load.js';
import { Output, table, UsageError } from './output.js';
import { plural } from '../protocol/words.js';

/** The defaults on images and on toy sets, for the usage text (the values themselves live in defaults.ts). */
const ON_IMAGES = clusterDefaults({ image: true, classes: [] });
const ON_TOYS = clusterDefaults({ image: null, classes: [] });
const vig = (s: ClusterSpec): string => (s.algorithm === 'fuzzy-art' || s.algorithm === 'art2a' ? String(s.vigilance) : '?');
const SOM_TEXT = (() => {
  const s = ON_IMAGES.som;
  if (s.algorithm !== 'som') return '';
  return `${s.width}x${s.height}; rate ${s.rate.start} to ${s.rate.end} (${s.rate.kind}),\n                      radius half the longer side to ${s.radius.end} (${s.radius.kind}), over the epochs`;
})();
const topo = (s: ClusterSpec): string => (s.algorithm === 'som' && s.topology === 'hexagonal' ? 'hex' : 'rect');

export const usage = `locus cluster --algo kmeans|art|art2a|som --data DIR|toy:NAME --out MODEL.json [options]
  Cluster an image folder (pixels scaled to [0, 1]) or a 2-D toy set without looking at the labels,
  print the figures of merit and, when the data has classes, purity and a cluster-by-class table.
  --algo NAME         kmeans (online, rate 1/count, k-means++ start), art (Fuzzy ART), art2a (ART-2A), som
  --data DIR|toy:NAME an image folder, or toy:blobs, toy:moons, toy:rings, toy:spirals
  Options left out take the settings the app's Clustering view starts with on the same data.
  --k N               k-means: clusters (default: one per class of the data, at least 2)
  --lloyd N           k-means: at most N batch (Lloyd) iterations after the online epochs, stopping once no
                      sample changes cluster (default 0); --epochs 0 --lloyd N is Lloyd's k-means alone
  --restarts N        k-means: N starts (seeds SEED, SEED+1, ...), keep the one with the lowest inertia
                      (default 1); k-means++ starts are greedy (2 + ln k candidates per centre, as
                      scikit-learn's KMeans)
  --vigilance R       ART: vigilance in [0, 1] (default on images ${vig(ON_IMAGES['fuzzy-art'])} for art, ${vig(ON_IMAGES.art2a)} for art2a;
                      on toy sets ${vig(ON_TOYS['fuzzy-art'])} for art, ${vig(ON_TOYS.art2a)} for art2a)
  --max-categories N  ART: most categories (default 0, no limit)
  --grid WxH          SOM: lattice size (default ${SOM_TEXT})
  --topology T        SOM: rect or hex (default ${topo(ON_IMAGES.som)} on images, ${topo(ON_TOYS.som)} on toy sets)
  --epochs N          passes over the data (default ${CLUSTER_EPOCHS}; SOM ${SOM_DEFAULTS.epochs}); k-means takes 0
  --seed N            random seed (default ${CLUSTER_SEED}): same seed, data and options give the same model
  --points N          toy sets: number of points (default 500)
  --name TEXT         a name for the run in the workspace (locus runs list)
  --no-workspace      do not record the run in the workspace
${LOAD_USAGE}
  --json              one JSON object a line (data, epochs, result)`;

const OPTIONS = {
  ...LOAD_OPTIONS,
  algo: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  k: { type: 'string' },
  lloyd: { type: 'string' },
  restarts: { type: 'string' },
  vigilance: { type: 'string' },
  'max-categories': { type: 'string' },
  grid: { type: 'string' },
  topology: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  points: { type: 'string' },
  name: { type: 'string' },
  'no-workspace': { type: 'boolean' },
} as const;

type Algo = 'kmeans' | 'art' | 'art2a' | 'som';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  const algo = oneOf(v.algo, 'algo', ['kmeans', 'art', 'art2a', 'som'] as const, 'kmeans');
  if (v.algo === undefined) throw new UsageError('--algo is required (kmeans, art, art2a or som)');
  const spec = required(v.data, 'data');
  const outPath = required(v.out, 'out');
  const seed = num(v.seed, 'seed', CLUSTER_SEED, 0, 2 ** 32 - 1, true);
  const algorithm = ALGORITHMS[algo];
  // Validate every option before loading anything; what is not given comes from the defaults the app
  // uses too (engine/session/cluster/defaults.ts), some of which depend on the data.
  const given = {
    epochs: opt(v.epochs, (s) => num(s, 'epochs', 1, algo === 'kmeans' ? 0 : 1, 100000, true)),
    k: opt(v.k, (s) => num(s, 'k', 1, 1, 65536, true)),
    vigilance: opt(v.vigilance, (s) => num(s, 'vigilance', 0, 0, 1)),
    grid: opt(v.grid, grid),
    topology: opt(v.topology, (s) => (oneOf(s, 'topology', ['rect', 'hex'] as const, 'rect') === 'hex' ? ('hexagonal' as const) : ('rectangular' as const))),
  };
  const lloyd = num(v.lloyd, 'lloyd', 0, 0, 100000, true);
  const restarts = num(v.restarts, 'restarts', 1, 1, 1000, true);
  if (algo !== 'kmeans' && (v.lloyd !== undefined || v.restarts !== undefined)) throw new UsageError('--lloyd and --restarts go with --algo kmeans');
  if (given.epochs === 0 && lloyd === 0) throw new UsageError('--epochs 0 needs --lloyd N (Lloyd iterations instead of online epochs)');
  const maxCategories = num(v['max-categories'], 'max-categories', 0, 0, 65536, true);
  if (given.grid && given.grid[0] * given.grid[1] < 2) throw new UsageError('--grid needs at least two units');
  const out = new Output(Boolean(v.json));

  const data = await loadVectors(spec, v, seed, out);
  const { source } = data;
  const { n, dim } = source;
  const clusterSpec = specFor(defaultSpec(algorithm, source), given, maxCategories, seed);
  const epochs = given.epochs ?? (clusterSpec.algorithm === 'som' ? clusterSpec.epochs : CLUSTER_EPOCHS);
  if (clusterSpec.algorithm === 'kmeans' && clusterSpec.k > n) throw new Error(`--k ${clusterSpec.k} needs at least ${clusterSpec.k} samples, the data has ${n}`);
  const settings = settingsOf(algo, clusterSpec, epochs, lloyd, maxCategories);
  if (clusterSpec.algorithm === 'kmeans' && clusterSpec.init === 'kmeans++') settings.trials = greedyTrials(clusterSpec.k);
  if (algo === 'kmeans' && restarts > 1) settings.restarts = restarts;
  // ART learns on the samples mapped into [0, 1] (toy sets: shifted, and scaled with one factor for both axes).
  if ((algo === 'art' || algo === 'art2a') && !source.image) settings.scaled = { offset: [...source.unit.offset], scale: source.unit.scale };
  let kept!: Run;
  let history: Record<string, number>[] = [];
  let figures!: Record<string, number>;
  const stop = watchInterrupt();
  try {
    for (let r = 0; r < restarts && !stop.stopped; r++) {
      // The same run the app makes (no cap on ART categories: nothing is drawn here).
      const spec = r === 0 ? clusterSpec : { ...clusterSpec, seed: seed + r };
      const one = new Run(1, source, spec, { categoryCap: 0 });
      const hist: Record<string, number>[] = [];
      const km = one.learner.model instanceof OnlineKMeans ? one.learner.model : null;
      // Greedy k-means++ (the app's runs start from the plain one: one candidate per centre).
      if (km && km.config.init === 'kmeans++') km.init(source.x, n, greedyTrials(km.config.k));
      if (restarts > 1) out.info(`start ${r + 1}/${restarts} (seed ${seed + r})`, { event: 'start', start: r + 1, starts: restarts, seed: seed + r });
      await epochLoop(epochs, stop, out, (e) => {
        const before = one.prototypeCount;
        one.train(n);
        const f = one.figures();
        if (algo === 'kmeans') {
          hist.push({ epoch: e, inertia: f.inertia ?? 0 });
          return [`inertia ${fmt(f.inertia ?? 0)}`, { inertia: f.inertia ?? 0 }];
        }
        if (algo === 'som') {
          const q = { quantizationError: f.qe ?? 0, topographicError: f.te ?? 0 };
          hist.push({ epoch: e, ...q });
          return [`quantization error ${fmt(q.quantizationError)}, topographic error ${(100 * q.topographicError).toFixed(2)}%`, { ...q }];
        }
        const q = { categories: one.prototypeCount, created: one.prototypeCount - before, unplaced: f.unassigned ?? 0 };
        hist.push({ epoch: e, ...q });
        return [`${q.categories} categories (${q.created} new), ${q.unplaced} unplaced`, { ...q }];
      });
      const model = one.learner.model;
      let f: Record<string, number>;
      if (model instanceof OnlineKMeans) {
        if (lloyd > 0 && !stop.stopped) {
          const t0 = performance.now();
          const res = model.lloyd(source.x, n, lloyd, { untilStable: true });
          const its = res.changed.length;
          const how = its < lloyd ? `${its} iterations (stable)` : `${its} iterations`;
          out.info(`Lloyd: inertia ${fmt(res.inertia[0])} -> ${fmt(res.inertia[res.inertia.length - 1])} in ${how} (${((performance.now() - t0) / 1000).toFixed(1)} s)`, {
            event: 'lloyd',
            ...res,
            iterations: its,
          });
        }
        const inertia = model.inertia(source.x, n);
        f = { inertia, meanSquaredDistance: inertia / n, clusters: model.prototypes.count };
      } else if (model instanceof Som) f = { ...model.errors(one.learner.data, n) };
      else f = { categories: one.prototypeCount };
      if (r === 0 || f.inertia < figures.inertia) {
        kept = one;
        history = hist;
        figures = f;
        if (restarts > 1) settings.seed = seed + r;
      }
    }
    if (restarts > 1 && !stop.stopped) out.info(`kept the start with seed ${settings.seed as number}: inertia ${fmt(figures.inertia)}`, { event: 'kept', seed: settings.seed, inertia: figures.inertia });
  } finally {
    stop.off();
  }
  if (stop.stopped) {
    out.result('stopped: nothing saved', { event: 'stopped' });
    return 1;
  }

  const model = kept.learner.model;
  if (!(model instanceof OnlineKMeans || model instanceof Som || model instanceof FuzzyArt || model instanceof Art2a)) throw new Error(`no model to save for ${algo}`);
  const assignment = assign(model, kept.learner.data, n);
  const k2 = model.prototypes.count;
  const unassigned = assignment.filter((j) => j < 0).length;
  if (unassigned) figures.unassigned = unassigned;
  const training = { seed, settings: { ...settings, data: data.record }, history };
  const file: ModelFile =
    model instanceof OnlineKMeans
      ? kmeansToFile({ model, data: data.data, training })
      : model instanceof Som
        ? somToFile({ model, data: data.data, training })
        : artToFile({ model, data: data.data, training });
  await writeModelFile(outPath, file);
  const result: Record<string, unknown> = { event: 'done', algo, n, dim, clusters: k2, figures, sizes: sizes(assignment, k2), out: outPath };
  const lines = [`${algoName(algo)} on ${n} samples of ${dim} values: ${k2} ${algo === 'som' ? 'units' : algo === 'kmeans' ? 'clusters' : 'categories'}`];
  lines.push(...Object.entries(figures).map(([name, val]) => `  ${label(name)} ${name === 'topographicError' ? `${(100 * val).toFixed(2)}%` : fmt(val)}`));
  if (source.classes.length && source.labels.some((l) => l >= 0)) {
    const c = contingency(assignment, source.labels, k2, source.classes.length);
    result.purity = c.purity;
    result.table = c.table;
    result.classes = source.classes;
    lines.push(`  purity ${(100 * c.purity).toFixed(2)}% (share of samples in their cluster's majority class)`, '', clusterTable(c.table, source.classes));
  }
  if (!v['no-workspace']) {
    const config = { ...clusterSpec, epochs, ...(lloyd ? { lloyd } : {}), data: data.record, out: outPath };
    const recorded = { ...figures, ...(typeof result.purity === 'number' ? { purity: result.purity } : {}) };
    const rec = await recordRun({ kind: 'cluster', config, name: v.name ?? '', history, outcome: { reason: 'completed', message: plural(epochs, 'epoch') }, figures: recorded, classes: source.classes, model: file });
    if (rec) out.info(rec.message, { event: 'run', id: rec.id, saved: rec.saved });
  }
  lines.push('', `Saved ${outPath}`);
  out.result(lines.join('\n'), result);
  return 0;
}

const ALGORITHMS = { kmeans: 'kmeans', art: 'fuzzy-art', art2a: 'art2a', som: 'som' } as const satisfies Record<Algo, ClusterAlgorithm>;

/** The value of an option that was given, else undefined (its default then comes from the data). */
function opt<T>(s: string | undefined, parse: (s: string) => T): T | undefined {
  return s === undefined ? undefined : parse(s);
}

/** The app's settings for the algorithm on this data, with what the command line gave. */
function specFor(
  d: ClusterSpec,
  given: { k?: number; vigilance?: number; grid?: [number, number]; topology?: 'rectangular' | 'hexagonal'; epochs?: number },
  maxCategories: number,
  seed: number,
): ClusterSpec {
  switch (d.algorithm) {
    case 'kmeans':
      return { ...d, k: given.k ?? d.k, seed };
    case 'fuzzy-art':
    case 'art2a':
      return { ...d, vigilance: given.vigilance ?? d.vigilance, maxCategories, seed };
    case 'som': {
      const [width, height] = given.grid ?? [d.width, d.height];
      return { ...d, width, height, topology: given.topology ?? d.topology, radius: somRadius(width, height), epochs: given.epochs ?? d.epochs, seed };
    }
    default:
      throw new UsageError(`--algo ${d.algorithm} is not a clustering`);
  }
}

/** The settings recorded in the model file. */
function settingsOf(algo: Algo, s: ClusterSpec, epochs: number, lloyd: number, maxCategories: number): Record<string, unknown> {
  const settings: Record<string, unknown> = { algo, epochs };
  if (s.algorithm === 'kmeans') Object.assign(settings, { k: s.k, lloyd, rate: s.rate, init: s.init });
  else if (s.algorithm === 'fuzzy-art') Object.assign(settings, { vigilance: s.vigilance, alpha: s.alpha, beta: s.beta, maxCategories });
  else if (s.algorithm === 'art2a') Object.assign(settings, { vigilance: s.vigilance, beta: s.beta, maxCategories });
  else if (s.algorithm === 'som') Object.assign(settings, { grid: `${s.width}x${s.height}`, topology: s.topology === 'hexagonal' ? 'hex' : 'rect', neighbourhood: s.neighbourhood, init: s.init, rate: s.rate, radius: s.radius });
  return settings;
}

function grid(s: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m) throw new UsageError(`--grid must look like 10x10, got "${s}"`);
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (w < 1 || h < 1 || w * h > 4096) throw new UsageError(`--grid must have 1 to 4096 units, got ${s}`);
  return [w, h];
}

function assign(model: PrototypeModel, x: Float32Array, n: number): Int32Array {
  const labels = new Int32Array(n);
  model.scorer(x, n).all(labels, new Float64Array(n));
  return labels;
}

function sizes(labels: Int32Array, k: number): number[] {
  const s = new Array<number>(k).fill(0);
  for (const j of labels) if (j >= 0) s[j]++;
  return s;
}

/** Run epochs, yielding to the event loop between them so Ctrl-C can stop the run. */
async function epochLoop(epochs: number, stop: { stopped: boolean }, out: Output, one: (epoch: number) => [string, Record<string, unknown>]): Promise<void> {
  for (let e = 1; e <= epochs && !stop.stopped; e++) {
    const t0 = performance.now();
    const [text, obj] = one(e);
    const seconds = (performance.now() - t0) / 1000;
    out.info(`epoch ${e}/${epochs}  ${text}  (${seconds.toFixed(1)} s)`, { event: 'epoch', epoch: e, epochs, ...obj, seconds });
    await new Promise((r) => setImmediate(r));
  }
}

function watchInterrupt(): { stopped: boolean; off(): void } {
  const state = { stopped: false, off: () => process.off('SIGINT', on) };
  const on = () => {
    state.stopped = true;
  };
  process.once('SIGINT', on);
  return state;
}

/** Clusters (rows, the largest 30) by classes (columns), with each row's majority share. */
function clusterTable(t: number[][], classes: string[]): string {
  const rows = t.map((r, j) => ({ j, r, total: r.reduce((a, b) => a + b, 0) })).filter((r) => r.total > 0);
  rows.sort((a, b) => b.total - a.total || a.j - b.j);
  const shown = rows.slice(0, 30);
  const head: (string | number)[][] = [['cluster', ...classes.map((_, c) => String(c)), 'size', 'majority']];
  for (const { j, r, total } of shown) {
    const b = r.indexOf(Math.max(...r));
    head.push([String(j), ...r, total, `${classes[b]} ${((100 * r[b]) / total).toFixed(0)}%`]);
  }
  const lines = ['cluster-by-class counts (columns: ' + classes.map((c, i) => `${i} ${c}`).join(', ') + ')', table(head, ['l'])];
  if (rows.length > shown.length) lines.push(`... ${rows.length - shown.length} more clusters (--json gives the full table)`);
  return lines.join('\n');
}

function algoName(a: Algo): string {
  return { kmeans: 'online k-means', art: 'Fuzzy ART', art2a: 'ART-2A', som: 'SOM' }[a];
}

function label(name: string): string {
  const names: Record<string, string> = {
    inertia: 'inertia (sum of squared distances)',
    meanSquaredDistance: 'mean squared distance',
    clusters: 'clusters',
    categories: 'categories',
    quantizationError: 'quantization error (mean distance to the BMU)',
    topographicError: 'topographic error',
    unassigned: 'samples no category takes',
  };
  return names[name] ?? name;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(5);
}

