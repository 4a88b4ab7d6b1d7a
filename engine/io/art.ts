/** The art kind: Fuzzy ART or ART-2A categories (the `variant` field says which), exact resume. */
import { Art2a, type Art2aConfig } from '../local/art2a.js';
import { FuzzyArt, type FuzzyArtConfig } from '../local/fuzzy-art.js';
import type { TrainingRecord } from './classifier.js';
import type { EncodedTensor } from './codec.js';
import { ModelFileError } from './errors.js';
import { envelope, type ModelFile } from './format.js';
import { registerKind } from './kinds.js';
import {
  checkCounts,
  checkData,
  checkSize,
  checkTraining,
  decodeOrder,
  decodePrototypes,
  encodeData,
  encodeOrder,
  encodePrototypes,
  encodeTraining,
  inputShape,
  pickData,
  rebuild,
  type EncodedOrder,
  type LoadedLocal,
  type LocalData,
  type LocalTrainingInit,
} from './local-common.js';

export type ArtVariant = 'fuzzy' | 'art2a';

export interface ArtContent extends LocalData {
  variant: ArtVariant;
  config: FuzzyArtConfig | Art2aConfig;
  vigilance: number;
  prototypes?: EncodedTensor;
  frozen: number[];
  counts: number[];
  steps: number;
  order: EncodedOrder;
  training: TrainingRecord;
}

export type ArtFile = ModelFile<'art', ArtContent>;

export function artToFile(init: { model: FuzzyArt | Art2a; data?: LocalData; training: LocalTrainingInit; createdAt?: Date }): ArtFile {
  const st = init.model.toState();
  return envelope(
    'art',
    {
      ...encodeData(init.data),
      variant: st.type === 'fuzzy-art' ? 'fuzzy' : 'art2a',
      config: { ...st.config },
      vigilance: st.vigilance,
      ...encodePrototypes(st.prototypes, st.type === 'fuzzy-art' ? [2, ...inputShape(init.data, st.config.dim)] : inputShape(init.data, st.config.dim)),
      counts: [...st.counts],
      steps: st.steps,
      order: encodeOrder(st.order),
      training: encodeTraining(init.training),
    },
    init.createdAt,
  );
}

export function artFromFile(file: ModelFile): LoadedLocal<FuzzyArt | Art2a> & { variant: ArtVariant } {
  if (file.kind !== 'art') throw new ModelFileError(`this is a "${file.kind}" model, not ART`);
  const c = (file as ArtFile).model;
  const dim = c.config.dim;
  checkData(c, dim);
  checkTraining(c.training);
  const fuzzy = c.variant === 'fuzzy';
  if (fuzzy && 'theta' in c.config) throw new ModelFileError('config.theta belongs to ART-2A, not Fuzzy ART');
  if (!fuzzy && !('theta' in c.config)) throw new ModelFileError('missing field config.theta (ART-2A)');
  checkSize('config: 2 x dim', 2 * dim);
  const prototypes = decodePrototypes(c.prototypes, c.frozen, fuzzy ? [2, ...inputShape(c, dim)] : inputShape(c, dim), 'prototypes');
  checkCounts(c.counts, prototypes.count, 'counts');
  const max = c.config.maxCategories;
  if (max > 0 && prototypes.count > max) throw new ModelFileError(`${prototypes.count} categories, the limit is ${max}`);
  const w = prototypes.data;
  if (fuzzy) {
    for (let i = 0; i < w.length; i++) if (!(w[i] >= 0 && w[i] <= 1)) throw new ModelFileError(`prototypes: Fuzzy ART weight ${i} is ${w[i]}, outside [0, 1]`);
  } else {
    for (let j = 0; j < prototypes.count; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += w[j * dim + t] * w[j * dim + t];
      if (Math.abs(Math.sqrt(s) - 1) > 1e-3) throw new ModelFileError(`prototypes: ART-2A category ${j} has length ${Math.sqrt(s).toFixed(4)}, not 1`);
    }
  }
  const base = { vigilance: c.vigilance, prototypes, counts: c.counts, steps: c.steps, order: decodeOrder(c.order) };
  const model = fuzzy
    ? rebuild('fuzzy ART', () => FuzzyArt.fromState({ type: 'fuzzy-art', config: c.config as FuzzyArtConfig, ...base }))
    : rebuild('ART-2A', () => Art2a.fromState({ type: 'art2a', config: c.config as Art2aConfig, ...base }));
  return { model, variant: c.variant, data: pickData(c), training: c.training, createdAt: file.createdAt, locusVersion: file.locusVersion };
}

registerKind({ kind: 'art', check: (f) => void artFromFile(f) });
