/**
 * Fuzzing model files: seed files of every kind, seeded mutations of them (bytes, structure, numbers
 * inside tensors), and one trial of a mutated file through the engine's import and through the CLI
 * (`locus info`; `locus predict` on an image for a classifier it accepted).
 * Used by `npm run fuzz` (scripts/fuzz.ts, many trials, counts per outcome) and by a small fixed-seed
 * slice in the unit tests (engine/io/fuzz.test.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../engine/core/rng.js';
import { makeSeries, seriesSpec } from '../engine/data/series.js';
import { ModelFileError, parseModel } from '../engine/io/index.js';
import { artToFile, classifierToFile, kmeansToFile, moeToFile, rbfToFile, somToFile, type ModelFile } from '../engine/io/index.js';
import { ganToFile } from '../engine/io/gan.js';
import { sequenceToFile } from '../engine/io/sequence.js';
import '../engine/layers/index.js';
import { Art2a } from '../engine/local/art2a.js';
import { FuzzyArt } from '../engine/local/fuzzy-art.js';
import { OnlineKMeans } from '../engine/local/kmeans.js';
import { MixtureOfExperts } from '../engine/local/moe.js';
import { oneHot, RbfNetwork } from '../engine/local/rbf.js';
import { trainHybrid } from '../engine/local/rbf-train.js';
import { RulesAndExceptions } from '../engine/local/rules.js';
import { Som } from '../engine/local/som.js';
import { Gan } from '../engine/models/gan.js';
import { dcganSpecs } from '../engine/models/gan-presets.js';
import { classifierModel } from '../engine/models/presets.js';
import { sequenceSpec, type CellName } from '../engine/models/sequence.js';
import { Sequential } from '../engine/models/sequential.js';
import { createOptimizer } from '../engine/optim/index.js';

const training = { seed: 3, settings: { epochs: 1, note: 'fuzz seed' }, history: [{ epoch: 1, trainLoss: 1.5 }] };

function stepped(model: Sequential, type: 'adam' | 'sgd' = 'adam') {
  const opt = createOptimizer(type === 'adam' ? { type: 'adam', lr: 0.001 } : { type: 'sgd', lr: 0.01, momentum: 0.9 });
  const params = model.params();
  for (const p of params) p.grad.fill(0.01);
  opt.step(params);
  return opt;
}

/** One small valid file of each model kind (and variant), made in memory. */
export function seedFiles(): Record<string, ModelFile> {
  const out: Record<string, ModelFile> = {};
  const r = new Rng(1);
  const input = { channels: 1, height: 28, width: 28 };
  const lenet = classifierModel('lenet5', [1, 28, 28], 3, {}, new Rng(1));
  out['classifier-lenet5'] = classifierToFile({
    model: lenet,
    classes: ['a', 'b', 'c'],
    input,
    normalization: { kind: 'standard', mean: [0.3], std: [0.3] },
    training,
    optimizer: stepped(lenet),
  });
  const mlp = classifierModel('mlp', [1, 8, 8], 2, {}, new Rng(2));
  out['classifier-mlp'] = classifierToFile({ model: mlp, classes: ['x', 'y'], input: { channels: 1, height: 8, width: 8 }, normalization: { kind: 'unit' }, training, optimizer: stepped(mlp, 'sgd') });
  const gan = new Gan(dcganSpecs({ channels: 1, size: 8, latent: 6, width: 3 }), new Rng(21));
  out.gan = ganToFile({ gan, normalization: { kind: 'symmetric' }, training });
  for (const cell of ['rnn', 'lstm', 'gru', 'tdnn'] as CellName[]) {
    const spec = seriesSpec('memory', { steps: 6 });
    const set = makeSeries(spec, 8, new Rng(2));
    const model = new Sequential(sequenceSpec({ cell, steps: set.steps, features: set.features, outputs: set.outputs, units: 3, layers: 1 }), new Rng(5));
    out[`sequence-${cell}`] = sequenceToFile({ model, data: { source: 'series', series: spec }, task: set.task, classes: set.classes, training, optimizer: stepped(model) });
  }
  const d = 6;
  const n = 40;
  const x = Float32Array.from({ length: n * d }, () => r.next());
  const data = { input: { channels: 1, height: 2, width: 3 }, normalization: { kind: 'unit' as const }, classes: ['a', 'b'] };
  const km = new OnlineKMeans({ k: 4, dim: d, seed: 7, rate: 0.2 });
  km.init(x, n);
  for (let s = 0; s < 30; s++) km.step(x, n);
  out.kmeans = kmeansToFile({ model: km, data, training });
  const fa = new FuzzyArt({ dim: d, rho: 0.7, beta: 0.5, seed: 2 });
  for (let s = 0; s < 20; s++) fa.step(x, n);
  out['art-fuzzy'] = artToFile({ model: fa, training });
  const a2 = new Art2a({ dim: d, rho: 0.95, seed: 4 });
  for (let s = 0; s < 20; s++) a2.step(x, n);
  out['art-2a'] = artToFile({ model: a2, training });
  const som = new Som({ dim: d, width: 3, height: 2, topology: 'hexagonal', seed: 5, rate: { kind: 'linear', start: 0.5, end: 0.01, total: 300 } });
  som.init(x, n, 'sample');
  for (let s = 0; s < 20; s++) som.step(x, n);
  out.som = somToFile({ model: som, data: { classes: ['a', 'b', 'c'] }, training });
  const labels = Int32Array.from({ length: n }, (_, i) => (x[i * d] > 0.5 ? 1 : 0));
  const rbf = new RbfNetwork({ dim: d, outputs: 2, task: 'classification', seed: 9 });
  trainHybrid(rbf, x, oneHot(labels, 2), n, { k: 5 });
  out['rbf-network'] = rbfToFile({ model: rbf, data, training });
  const xs = Float32Array.from({ length: 2 * 60 }, () => r.uniform(-1, 1));
  const ts = Float32Array.from({ length: 60 }, (_, i) => 2 * xs[2 * i]);
  out['rbf-rules'] = rbfToFile({ model: RulesAndExceptions.fit(xs, ts, 60, 2, 1, { rule: 'linear', units: 3 }), training });
  const moe = new MixtureOfExperts({ dim: d, outputs: 2, experts: 3, mode: 'competitive', seed: 4 });
  moe.train(x, Float32Array.from({ length: n * 2 }, (_, i) => x[i]), n, { epochs: 1, rate: 0.1 });
  out.moe = moeToFile({ model: moe, data: { classes: ['u', 'v'] }, training });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Mutations

const EXTREMES: unknown[] = [
  0, -0, -1, 1e-300, -1e-300, 3.4e38, -3.4e38, 1e308, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 0.5, 1e9, 65537, 7,
  '', 'x'.repeat(300), '\u0000', '__proto__', null, true, [], {}, [0], { type: 'dense' }, [[[[[[[[]]]]]]]],
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every (container, key) in the tree, to pick one at random. */
function slots(root: Json): [Json[] | Record<string, Json>, string | number][] {
  const out: [Json[] | Record<string, Json>, string | number][] = [];
  const stack: Json[] = [root];
  while (stack.length) {
    const v = stack.pop()!;
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), stack.push(x)));
    else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        out.push([v, k]);
        stack.push(v[k]);
      }
    }
  }
  return out;
}

function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[Math.floor(r.next() * xs.length)];
}

/** Float32 values to plant in a tensor's bytes. */
const BAD_FLOATS = [Number.NaN, Number.POSITIVE_INFINITY, -Number.POSITIVE_INFINITY, 3.4e38, -3.4e38, 1e30, 1e-45, 0];

export const MUTATIONS = ['byte', 'truncate', 'cut', 'repeat', 'value', 'delete', 'add-key', 'tensor-value', 'shape', 'grow-array', 'deep'] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Apply one mutation of the given name to a seed file's text; deterministic in r. */
export function mutate(text: string, how: Mutation, r: Rng): string {
  const at = () => Math.floor(r.next() * text.length);
  switch (how) {
    case 'byte': {
      const i = at();
      return text.slice(0, i) + String.fromCharCode(Math.floor(r.next() * 128)) + text.slice(i + 1);
    }
    case 'truncate':
      return text.slice(0, at());
    case 'cut': {
      const i = at();
      return text.slice(0, i) + text.slice(Math.min(text.length, i + 1 + Math.floor(r.next() * 64)));
    }
    case 'repeat': {
      const i = at();
      const part = text.slice(i, i + 1 + Math.floor(r.next() * 64));
      return text.slice(0, i) + part + part + text.slice(i);
    }
    default:
      break;
  }
  const root = JSON.parse(text) as Json;
  const all = slots(root);
  const [obj, key] = pick(r, all);
  const set = (v: Json): void => void ((obj as Record<string, Json>)[key as string] = v);
  switch (how) {
    case 'value':
      set(structuredClone(pick(r, EXTREMES)) as Json);
      break;
    case 'delete':
      if (Array.isArray(obj)) obj.splice(key as number, 1);
      else delete obj[key as string];
      break;
    case 'add-key': {
      const objects = all.map(([o]) => o).filter((o) => !Array.isArray(o)) as Record<string, Json>[];
      const o = pick(r, objects);
      Object.defineProperty(o, pick(r, ['__proto__', 'constructor', 'extra', 'type', 'mask', '0.weight']), { value: pick(r, [1, 'x', null, {}]) as Json, enumerable: true, configurable: true, writable: true });
      break;
    }
    case 'tensor-value': {
      const tensors = all.map(([o, k]) => (o as Record<string, Json>)[k as string]).filter((v) => v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, Json>).data === 'string') as { dtype: string; data: string }[];
      if (tensors.length === 0) break;
      const t = pick(r, tensors);
      const b = Buffer.from(t.data, 'base64');
      if (b.length < 8) break;
      const i = Math.floor((r.next() * b.length) / 8);
      if (t.dtype === 'float64') b.writeDoubleLE(pick(r, BAD_FLOATS), 8 * i);
      else b.writeFloatLE(pick(r, BAD_FLOATS), 4 * Math.floor((r.next() * b.length) / 4));
      t.data = b.toString('base64');
      break;
    }
    case 'shape': {
      const shapes = all.filter(([o, k]) => k === 'shape' && Array.isArray((o as Record<string, Json>).shape)).map(([o]) => o as { shape: number[] });
      if (shapes.length === 0) break;
      const s = pick(r, shapes);
      s.shape = pick(r, [[], [0], [1], [65536, 65536], [...s.shape, 1], s.shape.slice(1), s.shape.map((x) => x * 2), [-1]]);
      break;
    }
    case 'grow-array': {
      const arrays = all.map(([o, k]) => (o as Record<string, Json>)[k as string]).filter(Array.isArray) as Json[][];
      if (arrays.length === 0) break;
      const a = pick(r, arrays);
      const n = pick(r, [1000, 20000, 100001]);
      for (let i = 0; i < n; i++) a.push(a.length ? structuredClone(a[0]) : 0);
      break;
    }
    case 'deep': {
      let v: Json = 1;
      for (let i = 0; i < pick(r, [10, 63, 70, 500]); i++) v = [v];
      set(v);
      break;
    }
  }
  return JSON.stringify(root);
}

// ---------------------------------------------------------------------------------------------------
// Trials

/** How one trial ended: accepted, refused with a reason, or a fault (a bug: anything else). */
export type Outcome = 'accepted' | 'refused' | 'fault';

export interface Trial {
  kind: string;
  mutation: Mutation;
  importOutcome: Outcome;
  cliOutcome: Outcome;
  detail: string;
}

type Cli = (argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** A reason as users see it must be one line, never a stack, never an internal error's words. */
const INTERNAL = /TypeError|RangeError|ReferenceError|SyntaxError: (?!.*JSON)|Cannot read prop|is not a function|is not iterable|undefined|\n\s+at /;

export async function trial(kind: string, seedText: string, how: Mutation, r: Rng, dir: string, cli: Cli, image?: string): Promise<Trial> {
  let text: string;
  try {
    text = mutate(seedText, how, r);
  } catch {
    text = seedText; // a structural mutation on text that no longer parses: try the seed itself
  }
  let importOutcome: Outcome = 'accepted';
  let detail = '';
  try {
    parseModel(text);
  } catch (e) {
    importOutcome = e instanceof ModelFileError && !INTERNAL.test(e.message) ? 'refused' : 'fault';
    detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  const path = join(dir, `${kind}.json`);
  await writeFile(path, text);
  const res = await cli(['info', path]);
  const out = res.stdout + res.stderr;
  let cliOutcome: Outcome = res.code === 0 ? 'accepted' : 'refused';
  if ((res.code !== 0 && res.code !== 1) || INTERNAL.test(res.stderr) || /\bNaN\b/.test(res.stdout) || (res.code === 1 && res.stderr.trim().split('\n').length !== 1)) {
    cliOutcome = 'fault';
    detail ||= out.split('\n').slice(0, 3).join(' | ');
  }
  // A classifier the CLI accepted also classifies an image: never NaN, never an internal error.
  if (cliOutcome === 'accepted' && image && kind.startsWith('classifier')) {
    const p = await cli(['predict', '--model', path, image]);
    if ((p.code !== 0 && p.code !== 1) || INTERNAL.test(p.stderr + p.stdout) || /\bNaN\b/.test(p.stdout)) {
      cliOutcome = 'fault';
      detail = `locus predict: ${(p.stdout + p.stderr).split('\n').slice(0, 2).join(' | ')}`;
    }
  }
  if (cliOutcome === 'accepted' && importOutcome === 'refused') {
    cliOutcome = 'fault';
    detail = `locus info accepted what the import refused (${detail})`;
  }
  return { kind, mutation: how, importOutcome, cliOutcome, detail };
}

/** Run `trials` seeded trials per kind; returns every trial. */
export async function fuzz(opts: { seed: number; trials: number; cli: Cli; kinds?: string[]; onTrial?: (t: Trial) => void }): Promise<Trial[]> {
  const seeds = seedFiles();
  const dir = await mkdtemp(join(tmpdir(), 'locus-fuzz-'));
  const r = new Rng(opts.seed);
  const out: Trial[] = [];
  const image = join(dir, 'image.png');
  await sharp({ create: { width: 12, height: 12, channels: 3, background: '#5080a0' } }).png().toFile(image);
  try {
    for (const [kind, file] of Object.entries(seeds)) {
      if (opts.kinds && !opts.kinds.includes(kind)) continue;
      const text = JSON.stringify(file);
      // The seed itself must pass both ways, or every count below would mean nothing.
      parseModel(text);
      await writeFile(join(dir, 'seed.json'), text);
      const seedRun = await opts.cli(['info', join(dir, 'seed.json')]);
      if (seedRun.code !== 0) throw new Error(`the ${kind} seed file is refused by locus info: ${seedRun.stderr.trim()}`);
      for (let i = 0; i < opts.trials; i++) {
        const t = await trial(kind, text, pick(r, MUTATIONS), r, dir, opts.cli, image);
        out.push(t);
        opts.onTrial?.(t);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

/** Counts per kind and outcome, as printable lines. */
export function summary(trials: Trial[]): string[] {
  const kinds = [...new Set(trials.map((t) => t.kind))];
  const lines = ['kind                 trials  import: accepted refused fault   locus info: accepted refused fault'];
  const count = (ts: Trial[], k: 'importOutcome' | 'cliOutcome', o: Outcome) => ts.filter((t) => t[k] === o).length;
  for (const kind of [...kinds, 'all']) {
    const ts = kind === 'all' ? trials : trials.filter((t) => t.kind === kind);
    const cols = [count(ts, 'importOutcome', 'accepted'), count(ts, 'importOutcome', 'refused'), count(ts, 'importOutcome', 'fault'), count(ts, 'cliOutcome', 'accepted'), count(ts, 'cliOutcome', 'refused'), count(ts, 'cliOutcome', 'fault')];
    lines.push(`${kind.padEnd(20)} ${String(ts.length).padStart(6)}  ${cols.slice(0, 3).map((c) => String(c).padStart(8)).join('')}   ${cols.slice(3).map((c) => String(c).padStart(8)).join('')}`);
  }
  return lines;
}
