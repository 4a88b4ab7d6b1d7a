/** The som kind: a self-organizing map's units, schedules, hits, step count and sample order (exact resume). */
import { Som, type SomConfig } from '../local/som.js';
import type { TrainingRecord } from './classifier.js';
import type { EncodedTensor } from './codec.js';
import { ModelFileError } from './errors.js';
import { envelope, type ModelFile } from './format.js';
import { registerKind } from './kinds.js';
import { LIMITS } from './limits.js';
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

/** Most units a lattice may have in a file (its adjacency is built unit by unit). */
export const MAX_SOM_UNITS = 4096;

export interface SomContent extends LocalData {
  config: SomConfig;
  prototypes: EncodedTensor;
  frozen: number[];
  hits: number[];
  steps: number;
  order: EncodedOrder;
  training: TrainingRecord;
}

export type SomFile = ModelFile<'som', SomContent>;

export function somToFile(init: { model: Som; data?: LocalData; training: LocalTrainingInit; createdAt?: Date }): SomFile {
  const st = init.model.toState();
  const { prototypes, frozen } = encodePrototypes(st.prototypes, inputShape(init.data, st.config.dim));
  return envelope(
    'som',
    {
      ...encodeData(init.data),
      config: { ...st.config, rate: { ...st.config.rate }, radius: { ...st.config.radius } },
      prototypes: prototypes!,
      frozen,
      hits: [...st.hits],
      steps: st.steps,
      order: encodeOrder(st.order),
      training: encodeTraining(init.training),
    },
    init.createdAt,
  );
}

export function somFromFile(file: ModelFile): LoadedLocal<Som> {
  if (file.kind !== 'som') throw new ModelFileError(`this is a "${file.kind}" model, not a SOM`);
  const c = (file as SomFile).model;
  const { dim, width, height } = c.config;
  checkData(c, dim);
  checkTraining(c.training);
  if (width > LIMITS.maxDim || height > LIMITS.maxDim || width * height > MAX_SOM_UNITS) {
    throw new ModelFileError(`config: a ${width}x${height} lattice, at most ${MAX_SOM_UNITS} units allowed`);
  }
  checkSize('config: units x dim', width * height * dim);
  const prototypes = decodePrototypes(c.prototypes, c.frozen, inputShape(c, dim), 'prototypes', width * height);
  checkCounts(c.hits, width * height, 'hits');
  const model = rebuild('SOM', () => Som.fromState({ type: 'som', config: c.config, prototypes, hits: c.hits, steps: c.steps, order: decodeOrder(c.order) }));
  return { model, data: pickData(c), training: c.training, createdAt: file.createdAt, locusVersion: file.locusVersion };
}

registerKind({ kind: 'som', check: (f) => void somFromFile(f) });
