import { Art2a } from '../local/art2a.js';
import { contingency } from '../local/contingency.js';
import type { PrototypeModel } from '../local/editor.js';
import { FuzzyArt } from '../local/fuzzy-art.js';
import { OnlineKMeans } from '../local/kmeans.js';
import { Som } from '../local/som.js';
import { artToFile, kmeansToFile, somToFile, writeModelFile, type ModelFile } from '../io/index.js';
import { num, oneOf, parse, required } from './args.js';
import { loadVectors, scaleToUnit } from './cluster-data.js';
import { LOAD_OPTIONS, LOAD_USAGE } from './load.js';
import { Output, table, UsageError } from './output.js';

export const usage = `locus cluster --algo kmeans|art|art2a|som --data DIR|toy:NAME --out MODEL.json [options]
  Cluster an image folder (pixels scaled to [0, 1]) or a 2-D toy set without looking at the labels,
  print the figures of merit and, when the data has classes, purity and a cluster-by-class table.
  --algo NAME         kmeans (online, rate 1/count, k-means++ start), art (Fuzzy ART), art2a (ART-2A), som
  --data DIR|toy:NAME an image folder, or toy:blobs, toy:moons, toy:rings, toy:spirals
  --k N               k-means: clusters (default 10)
  --lloyd N           k-means: batch (Lloyd) iterations after the online epochs (default 0)
  --vigilance R       ART: vigilance in [0, 1] (default 0.75 for art, 0.9 for art2a)
  --max-categories N  ART: most categories (default 0, no limit)
  --grid WxH          SOM: lattice size (default 10x10)
  --topology T        SOM: rect (default) or hex
  --epochs N          passes over the data (default 5)
  --seed N            random seed (default 1): same seed, data and options give the same model
  --points N          toy sets: number of points (default 500)
${LOAD_USAGE}
  --json              one JSON object a line (data, epochs, result)`;

const OPTIONS = {
  ...LOAD_OPTIONS,
  algo: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  k: { type: 'string' },
  lloyd: { type: 'string' },
  vigilance: { type: 'string' },
  'max-categories': { type: 'string' },
  grid: { type: 'string' },
  topology: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  points: { type: 'string' },
} as const;

type Algo = 'kmeans' | 'art' | 'art2a' | 'som';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  const algo = oneOf(v.algo, 'algo', ['kmeans', 'art', 'art2a', 'som'] as const, 'kmeans');
  if (v.algo === undefined) throw new UsageError('--algo is required (kmeans, art, art2a or som)');
  const spec = required(v.data, 'data');
  const outPath = required(v.out, 'out');
  const seed = num(v.seed, 'seed', 1, 0, 2 ** 32 - 1, true);
  const epochs = num(v.epochs, 'epochs', 5, 1, 100000, true);
  const settings: Record<string, unknown> = { algo, epochs };
  // Validate every option before loading anything.
  const k = num(v.k, 'k', 10, 1, 65536, true);
  const lloyd = num(v.lloyd, 'lloyd', 0, 0, 100000, true);
  const vigilance = num(v.vigilance, 'vigilance', algo === 'art2a' ? 0.9 : 0.75, 0, 1);
  const maxCategories = num(v['max-categories'], 'max-categories', 0, 0, 65536, true);
  const [gw, gh] = grid(v.grid);
  const topology = oneOf(v.topology, 'topology', ['rect', 'hex'] as const, 'rect');
  const out = new Output(Boolean(v.json));

  const data = await loadVectors(spec, v, seed, out);
  const { x, n, dim } = data;
  let model: OnlineKMeans | FuzzyArt | Art2a | Som;
  let figures: Record<string, number>;
  const history: Record<string, number>[] = [];
  const stop = watchInterrupt();
  try {
    if (algo === 'kmeans') {
      if (k > n) throw new Error(`--k ${k} needs at least ${k} samples, the data has ${n}`);
      Object.assign(settings, { k, lloyd });
      const km = new OnlineKMeans({ k, dim, seed });
      model = km;
      km.init(x, n);
      await epochLoop(epochs, stop, out, (e) => {
        const inertia = km.train(x, n, 1)[0];
        history.push({ epoch: e, inertia });
        return [`inertia ${fmt(inertia)}`, { inertia }];
      });
      if (lloyd > 0) {
        const r = km.lloyd(x, n, lloyd);
        out.info(`Lloyd: inertia ${fmt(r.inertia[0])} -> ${fmt(r.inertia[r.inertia.length - 1])} in ${lloyd} iterations`, { event: 'lloyd', ...r });
      }
      const inertia = km.inertia(x, n);
      figures = { inertia, meanSquaredDistance: inertia / n, clusters: km.prototypes.count };
    } else if (algo === 'art' || algo === 'art2a') {
      Object.assign(settings, { vigilance, maxCategories });
      // Fuzzy ART needs inputs in [0, 1]; ART-2A suppresses negative components. Toy sets are therefore
      // scaled to [0, 1] per coordinate (recorded in the settings); image pixels already are.
      const outside = algo === 'art' ? (t: number) => !(t >= 0 && t <= 1) : (t: number) => t < 0;
      if (x.some(outside)) settings.scaled = scaleToUnit(x, n, dim);
      const art = algo === 'art' ? new FuzzyArt({ dim, rho: vigilance, maxCategories, seed }) : new Art2a({ dim, rho: vigilance, maxCategories, seed });
      model = art;
      await epochLoop(epochs, stop, out, (e) => {
        const r = art.train(x, n, 1)[0];
        history.push({ epoch: e, ...r });
        return [`${r.categories} categories (${r.created} new), ${r.unplaced} unplaced`, { ...r }];
      });
      figures = { categories: art.prototypes.count };
    } else {
      const total = epochs * n;
      const radius = Math.max(gw, gh) / 2;
      Object.assign(settings, { grid: `${gw}x${gh}`, topology });
      const som = new Som({
        dim,
        width: gw,
        height: gh,
        topology: topology === 'hex' ? 'hexagonal' : 'rectangular',
        seed,
        rate: { kind: 'linear', start: 0.5, end: 0.01, total },
        radius: { kind: 'exponential', start: Math.max(radius, 1), end: 0.5, total },
      });
      model = som;
      som.init(x, n, dim >= 2 && n >= 2 ? 'pca' : 'sample');
      if (gw * gh < 2) throw new UsageError('--grid needs at least two units');
      await epochLoop(epochs, stop, out, (e) => {
        const r = som.train(x, n, 1)[0];
        history.push({ epoch: e, ...r });
        return [`quantization error ${fmt(r.quantizationError)}, topographic error ${(100 * r.topographicError).toFixed(2)}%`, { ...r }];
      });
      figures = { ...som.errors(x, n) };
    }
  } finally {
    stop.off();
  }
  if (stop.stopped) {
    out.result('stopped: nothing saved', { event: 'stopped' });
    return 1;
  }

  const assignment = assign(model, x, n);
  const k2 = model.prototypes.count;
  const unassigned = assignment.filter((j) => j < 0).length;
  if (unassigned) figures.unassigned = unassigned;
  const training = { seed, settings: { ...settings, data: data.source }, history };
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
  if (data.classes.length && data.labels.some((l) => l >= 0)) {
    const c = contingency(assignment, data.labels, k2, data.classes.length);
    result.purity = c.purity;
    result.table = c.table;
    result.classes = data.classes;
    lines.push(`  purity ${(100 * c.purity).toFixed(2)}% (share of samples in their cluster's majority class)`, '', clusterTable(c.table, data.classes));
  }
  lines.push('', `Saved ${outPath}`);
  out.result(lines.join('\n'), result);
  return 0;
}

function grid(s: string | undefined): [number, number] {
  if (s === undefined) return [10, 10];
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

