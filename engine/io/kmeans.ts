/** The kmeans kind: online k-means centroids with counts, step count and sample order (exact resume). */
import { OnlineKMeans, type KMeansConfig } from '../local/kmeans.js';
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

export interface KMeansContent extends LocalData {
  config: KMeansConfig;
  prototypes?: EncodedTensor;
  frozen: number[];
  counts: number[];
  steps: number;
  order: EncodedOrder;
  training: TrainingRecord;
}

export type KMeansFile = ModelFile<'kmeans', KMeansContent>;

export function kmeansToFile(init: { model: OnlineKMeans; data?: LocalData; training: LocalTrainingInit; createdAt?: Date }): KMeansFile {
  const st = init.model.toState();
  return envelope(
    'kmeans',
    {
      ...encodeData(init.data),
      config: { ...st.config },
      ...encodePrototypes(st.prototypes, inputShape(init.data, st.config.dim)),
      counts: [...st.counts],
      steps: st.steps,
      order: encodeOrder(st.order),
      training: encodeTraining(init.training),
    },
    init.createdAt,
  );
}

export function kmeansFromFile(file: ModelFile): LoadedLocal<OnlineKMeans> {
  if (file.kind !== 'kmeans') throw new ModelFileError(`this is a "${file.kind}" model, not k-means`);
  const c = (file as KMeansFile).model;
  checkData(c, c.config.dim);
  checkTraining(c.training);
  checkSize('config: k x dim', c.config.k * c.config.dim);
  const prototypes = decodePrototypes(c.prototypes, c.frozen, inputShape(c, c.config.dim), 'prototypes');
  checkCounts(c.counts, prototypes.count, 'counts');
  const model = rebuild('k-means', () =>
    OnlineKMeans.fromState({ type: 'kmeans', config: c.config, prototypes, counts: c.counts, steps: c.steps, order: decodeOrder(c.order) }),
  );
  return { model, data: pickData(c), training: c.training, createdAt: file.createdAt, locusVersion: file.locusVersion };
}

registerKind({ kind: 'kmeans', check: (f) => void kmeansFromFile(f) });
