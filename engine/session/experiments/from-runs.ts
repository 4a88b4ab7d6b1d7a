/**
 * An experiment made from finished runs of one kind: what all the runs share becomes the base, what
 * differs becomes each run's variant (so a user who tried a few settings by hand can rerun, share and
 * report them as one experiment).
 */
import { LabError } from '../../protocol/contract.js';
import { SeqConfig } from '../../protocol/sequence.js';
import type { RunSummary } from '../../protocol/runs.js';
import { ClassifierExperimentConfig } from './classifier.js';
import { GanExperimentConfig } from './gan.js';
import { describeChange, isObject } from './variant.js';

type Json = Record<string, unknown>;
const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

const METRICS: Record<string, string[]> = {
  classifier: ['valAcc', 'valLoss', 'trainLoss', 'trainAcc'],
  sequence: ['valAcc', 'valLoss', 'trainLoss'],
  cluster: ['purity', 'inertia', 'categories', 'qe', 'te', 'accuracy'],
  gan: ['coverage', 'distance'],
};

/** A run's config as an experiment config of its kind (fields the experiment does not take are left out). */
function experimentConfig(r: RunSummary): Json {
  const c = r.config;
  const keep = (shape: object, x: Json): Json => Object.fromEntries(Object.entries(x).filter(([k]) => k in shape));
  switch (r.kind) {
    case 'classifier':
      return keep(ClassifierExperimentConfig.shape, c);
    case 'sequence': {
      const opt = isObject(c.optimizer) ? c.optimizer : {};
      return keep(SeqConfig.shape, { ...c, optimizer: opt.type ?? c.optimizer, lr: opt.lr ?? c.lr });
    }
    case 'cluster': {
      const spec: Json = { ...c };
      delete spec.source;
      delete spec.seed;
      return { spec, epochs: 2 };
    }
    case 'gan':
      if (c.mode !== 'toy') throw invalid('an experiment can be made from 2-D toy GAN runs only (an image GAN takes too long to rerun as one)');
      return keep(GanExperimentConfig.shape, c);
    default:
      throw invalid(`runs of kind "${r.kind as string}" cannot make an experiment`);
  }
}

/** Keys (dotted) and values of a config, objects flattened, arrays and scalars as leaves. */
function flatten(x: Json, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(x)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v) && Object.keys(v).length) flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

function setPath(x: Json, key: string, v: unknown): void {
  const parts = key.split('.');
  let o = x;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(o[p])) o[p] = {};
    o = o[p] as Json;
  }
  o[parts[parts.length - 1]] = v;
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64) || 'my-experiment';

export function experimentFromRuns(runs: readonly RunSummary[], title: string): { experiment: Json; differs: string[] } {
  if (runs.length < 2 || runs.length > 6) throw invalid(`pick 2 to 6 runs (${runs.length} picked)`);
  const kind = runs[0].kind;
  if (runs.some((r) => r.kind !== kind)) throw invalid('the runs must be of one kind');
  const unfinished = runs.find((r) => r.state !== 'done');
  if (unfinished) throw invalid(`the run "${unfinished.name || unfinished.id}" has not finished`);
  const configs = runs.map(experimentConfig);
  const flat = configs.map((c) => flatten(c));
  const keys = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  const same = (k: string) => flat.every((f) => JSON.stringify(f.get(k)) === JSON.stringify(flat[0].get(k)));
  const differs = keys.filter((k) => !same(k));
  if (!differs.length) throw invalid('the runs have the same settings: nothing differs to compare');
  const base: Json = {};
  for (const k of keys) if (same(k) && flat[0].get(k) !== undefined) setPath(base, k, flat[0].get(k));
  const names = new Set<string>();
  const variants = flat.map((f, i) => {
    const set: Json = {};
    for (const k of differs) if (f.get(k) !== undefined) setPath(set, k, f.get(k));
    let name = (runs[i].name || describeChange(set)).slice(0, 100);
    while (names.has(name)) name = `${name.slice(0, 96)} (${i + 1})`;
    names.add(name);
    return { name, set };
  });
  const seed = runs[0].config.seed;
  const data = String(runs[0].config.data ?? runs[0].config.source ?? '');
  const source = kind === 'gan' ? { source: 'toy', toy: String(runs[0].config.toy ?? 'rings') } : kind === 'sequence' && base.task !== 'rows' ? { source: 'series' } : data === 'sample' ? { source: 'sample', folder: 'optional' } : { source: 'folder' };
  const experiment: Json = {
    format: 'locus-experiment',
    version: 1,
    id: slug(title),
    title,
    idea: `what changes with ${differs.join(', ')}`,
    kind,
    data: source,
    base,
    variants,
    metrics: METRICS[kind].filter((m) => runs.some((r) => typeof r.figures[m] === 'number')).slice(0, 6).concat(runs.some((r) => METRICS[kind].some((m) => typeof r.figures[m] === 'number')) ? [] : [METRICS[kind][0]]),
    finding: { metric: METRICS[kind][0], label: METRICS[kind][0] },
    explanation: `Made from ${runs.length} runs that differ in ${differs.join(', ')}; everything else is the same in each variant.`,
    ...(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 ? { seed } : {}),
  };
  return { experiment, differs };
}
