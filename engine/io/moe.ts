/** The moe kind: a mixture of linear experts with a softmax gate (weights in float64, as the model holds them). */
import type { RngState } from '../core/rng.js';
import { MixtureOfExperts, type MoeConfig } from '../local/moe.js';
import type { TrainingRecord } from './classifier.js';
import { checkEncoded, decodeFloat64, encodeFloat64, type EncodedFloat64 } from './codec.js';
import { ModelFileError } from './errors.js';
import { envelope, type ModelFile } from './format.js';
import { registerKind } from './kinds.js';
import { LIMITS } from './limits.js';
import { checkData, checkRng, checkTraining, encodeData, encodeTraining, pickData, rebuild, type LoadedLocal, type LocalData, type LocalTrainingInit } from './local-common.js';

export interface MoeContent extends LocalData {
  config: MoeConfig;
  /** experts x (dim + 1) x outputs, bias row last in each expert. */
  experts: EncodedFloat64;
  /** (dim + 1) x experts, bias row last. */
  gate: EncodedFloat64;
  rng: RngState;
  training: TrainingRecord;
}

export type MoeFile = ModelFile<'moe', MoeContent>;

export function moeToFile(init: { model: MixtureOfExperts; data?: LocalData; training: LocalTrainingInit; createdAt?: Date }): MoeFile {
  const m = init.model;
  const { dim, outputs, experts } = m.config;
  return envelope(
    'moe',
    {
      ...encodeData(init.data),
      config: { ...m.config },
      experts: encodeFloat64([experts, dim + 1, outputs], m.experts),
      gate: encodeFloat64([dim + 1, experts], m.gate),
      rng: m.rng.getState(),
      training: encodeTraining(init.training),
    },
    init.createdAt,
  );
}

export function moeFromFile(file: ModelFile): LoadedLocal<MixtureOfExperts> {
  if (file.kind !== 'moe') throw new ModelFileError(`this is a "${file.kind}" model, not a mixture of experts`);
  const c = (file as MoeFile).model;
  const { dim, outputs, experts } = c.config;
  checkData(c, dim, c.classes ? outputs : undefined);
  checkTraining(c.training);
  checkRng(c.rng, 'rng');
  // Shapes first (cheap), so a file claiming huge sizes is refused before anything is allocated.
  const want = { experts: [experts, dim + 1, outputs], gate: [dim + 1, experts] };
  for (const [name, shape] of Object.entries(want)) {
    const t = c[name as 'experts' | 'gate'];
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new ModelFileError(`${name}: shape [${t.shape.join(', ')}], the settings need [${shape.join(', ')}]`);
    }
    checkEncoded(t, name);
  }
  if (experts * (dim + 1) * outputs > LIMITS.maxTensorElements) throw new ModelFileError('experts: too many values');
  const e = decodeFloat64(c.experts, 'experts');
  const g = decodeFloat64(c.gate, 'gate');
  const model = rebuild('mixture of experts', () =>
    MixtureOfExperts.fromState({ type: 'moe', config: c.config, experts: Array.from(e), gate: Array.from(g), rng: c.rng }),
  );
  return { model, data: pickData(c), training: c.training, createdAt: file.createdAt, locusVersion: file.locusVersion };
}

registerKind({ kind: 'moe', check: (f) => void moeFromFile(f) });
