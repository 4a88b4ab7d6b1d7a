/**
 * GAN and sequence model files in the Models view: what one holds, in words (kind, layers, parameters,
 * the data it was trained on), the one opened now (to inspect, export or continue; it never replaces
 * the current classifier), and reading a file to continue training it, refused with the reason when it
 * cannot be.
 */
import { resolve } from 'node:path';
import { ganFromFile, type GanFile, type LoadedGan } from '../io/gan.js';
import { ModelFileError, readModelFile, LOCUS_VERSION, type ModelFile } from '../io/index.js';
import { sequenceFromFile, type LoadedSequence, type SequenceFile } from '../io/sequence.js';
import { LabError, type ModelInfo } from '../protocol/contract.js';
import { SEQ_TASKS, type SeqTask } from '../protocol/sequence.js';
import { plural } from '../protocol/words.js';
import { layerRows } from './architecture.js';
import { toEpochMetrics } from './current-model.js';

const colour = (channels: number): string => (channels === 1 ? 'greyscale' : channels === 3 ? 'RGB' : `${channels}-channel`);
const setting = (s: Record<string, unknown>, k: string): number | null => (typeof s[k] === 'number' && Number.isFinite(s[k]) ? (s[k] as number) : null);

/** A "gan" file as the Models view shows it: the generator's layers, both networks' parameters, the images it makes. */
export function describeGan(file: ModelFile, path: string | null): ModelInfo {
  const g = ganFromFile(file);
  const { input } = g;
  const s = g.training.settings;
  const gen = layerRows(g.gan.generator);
  const dis = layerRows(g.gan.discriminator);
  const sum = (rows: { params: number }[]) => rows.reduce((a, l) => a + l.params, 0);
  const epochs = g.training.history.length;
  const batch = setting(s, 'batchSize');
  const load = (s.load as { fit?: unknown } | undefined)?.fit;
  return {
    kind: 'gan',
    source: 'imported',
    path,
    classes: [],
    input: { ...input },
    layers: gen,
    params: sum(gen) + sum(dis),
    epochs,
    history: [],
    hasOptimizer: g.optimizers !== null,
    createdAt: g.createdAt,
    locusVersion: g.locusVersion || LOCUS_VERSION,
    about: {
      what: `a GAN making ${input.width}×${input.height} ${colour(input.channels)} images from ${g.gan.latent} latent values: a generator of ${sum(gen).toLocaleString('en-US')} and a discriminator of ${sum(dis).toLocaleString('en-US')} parameters`,
      data: `${input.width}×${input.height} ${colour(input.channels)} images${typeof load === 'string' ? ` (${load})` : ''} scaled to [-1, 1]; ${plural(epochs, 'epoch')}${batch ? ` in batches of ${batch}` : ''}, seed ${g.training.seed}`,
      discriminator: dis,
    },
  };
}

/** The Sequence view's task a sequence file was trained on (image rows, or its series). */
export function sequenceTask(m: LoadedSequence): SeqTask {
  if (m.data.source === 'rows') return 'rows';
  const name = m.data.series.name as string;
  return (SEQ_TASKS as readonly string[]).includes(name) ? (name as SeqTask) : 'sines';
}

/** A "sequence" file as the Models view shows it: its layers, task, and the sequences it was trained on. */
export function describeSequence(file: ModelFile, path: string | null): ModelInfo {
  const m = sequenceFromFile(file);
  const layers = layerRows(m.model);
  const [steps, features] = m.model.inputShape;
  const s = m.training.settings;
  const cell = typeof s.cell === 'string' ? s.cell.toUpperCase() : null;
  const d = m.data;
  const n = setting(s, 'n');
  const data =
    d.source === 'rows'
      ? `rows of ${d.image.width}×${d.image.height} ${colour(d.image.channels)} images, read top to bottom (${plural(steps, 'step')} of ${plural(features, 'feature')}), normalized with the training images' statistics${n ? `; ${n.toLocaleString('en-US')} images` : ''}`
      : `generated "${d.series.name}" series of ${plural(d.series.steps, 'step')} (noise ${d.series.noise}${d.series.name === 'sines' || d.series.name === 'memory' ? `, ${plural(d.series.classes, 'class')}` : ''})${n ? `; ${n.toLocaleString('en-US')} sequences` : ''}`;
  const task = m.task === 'classify' ? `classifies into ${plural(m.classes.length, 'class')}` : `predicts ${plural(m.outputs, 'value')}`;
  return {
    kind: 'sequence',
    source: 'imported',
    path,
    classes: [...m.classes],
    input: { channels: 1, height: steps, width: features },
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    epochs: m.training.history.length,
    history: m.training.history.map((h, i) => toEpochMetrics(h as Record<string, number | null>, i)),
    hasOptimizer: m.optimizer !== null,
    createdAt: m.createdAt,
    locusVersion: m.locusVersion || LOCUS_VERSION,
    about: {
      what: `a sequence model${cell ? ` (${cell})` : ''} that ${task} from ${plural(steps, 'step')} of ${plural(features, 'feature')}`,
      data: `${data}; seed ${m.training.seed}`,
      task: sequenceTask(m),
    },
  };
}

/** A GAN or sequence file opened in the Models view. */
export interface OpenedModel {
  file: GanFile | SequenceFile;
  path: string;
  info: ModelInfo;
}

let opened: OpenedModel | null = null;

export const openedStore = {
  get(): OpenedModel | null {
    return opened;
  },
  set(m: OpenedModel | null): void {
    opened = m;
  },
};

/** Describe a GAN or sequence file (checked whole, as an import is) and make it the opened one; other kinds return null. */
export function openModelFile(file: ModelFile, path: string): ModelInfo | null {
  if (file.kind !== 'gan' && file.kind !== 'sequence') return null;
  const info = file.kind === 'gan' ? describeGan(file, path) : describeSequence(file, path);
  opened = { file: file as GanFile | SequenceFile, path, info };
  return info;
}

/** Read a model file to continue training it: refused (LabError "invalid") when it is not of `kind` or does not load, with the reason. */
export async function readToContinue(path: string, kind: 'gan'): Promise<LoadedGan & { path: string }>;
export async function readToContinue(path: string, kind: 'sequence'): Promise<LoadedSequence & { path: string }>;
export async function readToContinue(path: string, kind: 'gan' | 'sequence'): Promise<(LoadedGan | LoadedSequence) & { path: string }> {
  const abs = resolve(path);
  try {
    const file = await readModelFile(abs);
    if (file.kind !== kind) throw new ModelFileError(`this is a "${file.kind}" model; only a "${kind}" model continues here`, abs);
    return { ...(kind === 'gan' ? ganFromFile(file) : sequenceFromFile(file)), path: abs };
  } catch (e) {
    const reason = e instanceof ModelFileError ? (e.path ? e.message : `${abs}: ${e.message}`) : `${abs}: ${(e as Error).message}`;
    throw new LabError({ message: `cannot continue training from it: ${reason}`, code: 'invalid' });
  }
}
