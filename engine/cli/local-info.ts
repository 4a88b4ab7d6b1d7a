/** `locus info` for the local-model kinds: kmeans, art, som, rbf, moe. */
import { artFromFile, kmeansFromFile, moeFromFile, rbfFromFile, somFromFile, type LoadedLocal, type ModelFile } from '../io/index.js';
import { RbfNetwork } from '../local/rbf.js';
import type { Output } from './output.js';

export const LOCAL_KINDS: readonly string[] = ['kmeans', 'art', 'som', 'rbf', 'moe'];

export function infoLocal(path: string, file: ModelFile, out: Output): number {
  const { lines, info, loaded } = describe(file);
  const { data, training } = loaded;
  const all = {
    kind: file.kind,
    version: file.version,
    createdAt: file.createdAt,
    locusVersion: file.locusVersion,
    ...info,
    ...(data.input ? { input: data.input } : {}),
    ...(data.normalization ? { normalization: data.normalization } : {}),
    ...(data.classes ? { classes: data.classes } : {}),
    seed: training.seed,
    settings: training.settings,
    history: training.history,
  };
  if (out.json) {
    out.result('', all);
    return 0;
  }
  const head = [`${path}: ${file.kind}, format version ${file.version}, made by Locus ${file.locusVersion} on ${file.createdAt}`, ...lines];
  if (data.input) head.push(`input ${data.input.width}x${data.input.height}, ${data.input.channels === 1 ? 'grayscale' : 'RGB'}, normalization ${data.normalization?.kind ?? 'none'}`);
  if (data.classes) head.push(`${data.classes.length} classes: ${data.classes.join(', ')}`);
  const last = training.history[training.history.length - 1];
  head.push(
    `trained ${training.history.length} epochs with seed ${training.seed}` +
      (last ? `; last: ${Object.entries(last).filter(([k, v]) => k !== 'epoch' && typeof v === 'number').map(([k, v]) => `${k} ${(v as number).toPrecision(5)}`).join(', ')}` : ''),
  );
  out.result(head.join('\n'));
  return 0;
}

function describe(file: ModelFile): { lines: string[]; info: Record<string, unknown>; loaded: LoadedLocal<unknown> } {
  switch (file.kind) {
    case 'kmeans': {
      const l = kmeansFromFile(file);
      const m = l.model;
      const info = { centroids: m.prototypes.count, dim: m.dim, steps: m.steps, epochs: m.epoch, counts: m.counts, frozen: m.prototypes.frozenIndices() };
      return { loaded: l, info, lines: [`online k-means: ${info.centroids} centroids of ${m.dim} values, ${m.steps} steps; resumable`] };
    }
    case 'art': {
      const l = artFromFile(file);
      const m = l.model;
      const info = { variant: l.variant, categories: m.prototypes.count, dim: m.dim, vigilance: m.vigilance, steps: m.steps, counts: m.counts };
      const name = l.variant === 'fuzzy' ? 'Fuzzy ART' : 'ART-2A';
      return { loaded: l, info, lines: [`${name}: ${info.categories} categories of ${m.dim} inputs, vigilance ${m.vigilance}, ${m.steps} steps; resumable`] };
    }
    case 'som': {
      const l = somFromFile(file);
      const m = l.model;
      const { eta, sigma } = m.current();
      const c = m.config;
      const info = { width: c.width, height: c.height, topology: c.topology, neighbourhood: c.neighbourhood, dim: m.dim, steps: m.steps, rate: eta, radius: sigma, hits: m.hits };
      return {
        loaded: l,
        info,
        lines: [`SOM: ${c.width}x${c.height} ${c.topology} lattice of ${m.dim}-value units, ${c.neighbourhood} neighbourhood, ${m.steps} steps; next rate ${eta.toPrecision(4)}, radius ${sigma.toPrecision(4)}; resumable`],
      };
    }
    case 'rbf': {
      const l = rbfFromFile(file);
      const net = l.model instanceof RbfNetwork ? l.model : l.model.net;
      const s = [...net.spreads].sort((a, b) => a - b);
      const info = { variant: l.variant, units: net.units, dim: net.dim, outputs: net.outputs, task: net.config.task, spreads: s.length ? { min: s[0], median: s[s.length >> 1], max: s[s.length - 1] } : null };
      const what = l.variant === 'rules' ? 'rules and exceptions (default rule plus RBF exception units)' : `RBF network (${net.config.task})`;
      const spread = s.length ? `, spreads ${s[0].toPrecision(3)} .. ${s[s.length - 1].toPrecision(3)}` : '';
      return { loaded: l, info, lines: [`${what}: ${net.units} Gaussian units on ${net.dim} inputs, ${net.outputs} outputs${spread}`] };
    }
    case 'moe': {
      const l = moeFromFile(file);
      const c = l.model.config;
      const info = { experts: c.experts, mode: c.mode, output: c.output, dim: c.dim, outputs: c.outputs, parameters: l.model.experts.length + l.model.gate.length };
      return { loaded: l, info, lines: [`mixture of experts: ${c.experts} ${c.output} experts (${c.mode}) on ${c.dim} inputs, ${c.outputs} outputs, ${info.parameters.toLocaleString('en-US')} parameters`] };
    }
    default:
      throw new Error(`not a local model kind: ${file.kind}`);
  }
}
