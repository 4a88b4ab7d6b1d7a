/**
 * What the local-model kinds (kmeans, art, som, rbf, moe) share in the model file: the data they were
 * fitted on (image input, normalization, class names; all optional, absent for 2-D toy sets), the
 * training record, prototypes as a float32 tensor with frozen indices, the seeded generator and the
 * sample order (so a run resumes exactly), and the checks that go with each.
 */
import type { RngState } from '../core/rng.js';
import type { Normalization } from '../data/normalize.js';
import type { SampleOrderState } from '../local/order.js';
import type { PrototypeStoreState } from '../local/prototypes.js';
import { checkNormalization, checkTrainingRecord } from './bounds.js';
import { savedHistory, type ImageInput, type TrainingRecord } from './classifier.js';
import { decodeInt32, decodeTensor, encodeInt32, encodeTensor, type EncodedInt32, type EncodedTensor } from './codec.js';
import { asModelFileError, ModelFileError } from './errors.js';
import { toJsonObject } from './json.js';
import { LIMITS } from './limits.js';

/** What the model was fitted on; every field is optional (a toy set has none of them). */
export interface LocalData {
  input?: ImageInput;
  normalization?: Normalization;
  /** Class names: the outputs of a classifier (rbf, moe), or the folder's classes (clustering). */
  classes?: string[];
}

/** The data block of a file's content, copied. */
export function pickData(c: LocalData): LocalData {
  const out: LocalData = {};
  if (c.input) out.input = { ...c.input };
  if (c.normalization) out.normalization = c.normalization;
  if (c.classes) out.classes = [...c.classes];
  return out;
}

export interface LocalTrainingInit {
  seed: number;
  settings: object;
  history: readonly object[];
}

/** A local model read back from its file. */
export interface LoadedLocal<M> {
  model: M;
  data: LocalData;
  training: TrainingRecord;
  createdAt: string;
  locusVersion: string;
}

export interface EncodedOrder {
  rng: RngState;
  shuffle: boolean;
  perm?: EncodedInt32;
  pos: number;
  epoch: number;
}

export function encodeData(data: LocalData | undefined): LocalData {
  const out: LocalData = {};
  if (data?.input) out.input = { channels: data.input.channels, height: data.input.height, width: data.input.width };
  if (data?.normalization) out.normalization = toJsonObject(data.normalization, 'normalization') as Normalization;
  if (data?.classes) out.classes = [...data.classes];
  return out;
}

export function encodeTraining(t: LocalTrainingInit): TrainingRecord {
  return { seed: t.seed, settings: toJsonObject(t.settings, 'training.settings'), history: savedHistory(t.history) };
}

/** Limits and agreement of the data block with the model's input dimension and output count. */
export function checkData(data: LocalData, dim: number, outputs?: number): void {
  const { input, normalization, classes } = data;
  if (input) {
    if (input.channels > LIMITS.maxChannels) throw new ModelFileError(`input: ${input.channels} channels, at most ${LIMITS.maxChannels} allowed`);
    if (input.height > LIMITS.maxSide || input.width > LIMITS.maxSide) {
      throw new ModelFileError(`input: ${input.width}x${input.height} pixels, at most ${LIMITS.maxSide} on a side allowed`);
    }
    const size = input.channels * input.height * input.width;
    if (size !== dim) throw new ModelFileError(`input: images of ${input.channels}x${input.height}x${input.width} = ${size} values, the model takes ${dim}`);
  }
  if (normalization) checkNormalization(normalization, input?.channels);
  if (classes) {
    if (classes.length > LIMITS.maxClasses) throw new ModelFileError(`${classes.length} classes, at most ${LIMITS.maxClasses} allowed`);
    const seen = new Set<string>();
    for (const c of classes) {
      if (c.length > LIMITS.maxNameLength) throw new ModelFileError(`a class name is longer than ${LIMITS.maxNameLength} characters`);
      if (seen.has(c)) throw new ModelFileError(`class "${c}" is listed twice`);
      seen.add(c);
    }
    if (outputs !== undefined && classes.length !== outputs) {
      throw new ModelFileError(`${classes.length} class names for ${outputs} outputs`);
    }
  }
}

export function checkTraining(t: TrainingRecord): void {
  checkTrainingRecord(t);
}

/** The shape of one input: the image's [channels, height, width] when there is one, else [dim]. */
export function inputShape(data: LocalData | undefined, dim: number): number[] {
  return data?.input ? [data.input.channels, data.input.height, data.input.width] : [dim];
}

/**
 * Refuse settings that would make the model allocate more than a tensor may hold, before it is built.
 */
export function checkSize(what: string, values: number): void {
  if (!(values <= LIMITS.maxTensorElements)) throw new ModelFileError(`${what}: ${values} values, at most ${LIMITS.maxTensorElements} allowed`);
}

/**
 * Prototypes as a [count, ...row] tensor (absent when there are none) and the frozen indices; `row` is
 * the shape of one prototype (e.g. [channels, height, width], so no axis exceeds the axis limit).
 */
export function encodePrototypes(st: PrototypeStoreState, row: number[]): { prototypes?: EncodedTensor; frozen: number[] } {
  if (row.reduce((a, b) => a * b, 1) !== st.width) throw new Error(`prototype rows of ${st.width} values do not have the shape [${row.join(', ')}]`);
  return st.count === 0 ? { frozen: [...st.frozen] } : { prototypes: encodeTensor([st.count, ...row], st.data), frozen: [...st.frozen] };
}

/** Decode prototypes whose rows have the given shape; `count` when the model fixes it (SOM). */
export function decodePrototypes(t: EncodedTensor | undefined, frozen: readonly number[], row: number[], what: string, count?: number): PrototypeStoreState {
  const width = row.reduce((a, b) => a * b, 1);
  let data: Float32Array = new Float32Array(0);
  let k = 0;
  if (t) {
    if (t.shape.length !== row.length + 1 || row.some((v, i) => t.shape[i + 1] !== v)) {
      throw new ModelFileError(`${what}: shape [${t.shape.join(', ')}], expected [count, ${row.join(', ')}]`);
    }
    k = t.shape[0];
    data = decodeTensor(t, what);
  }
  if (count !== undefined && k !== count) throw new ModelFileError(`${what}: ${k} rows, the model has ${count}`);
  checkIndices(frozen, k, 'frozen');
  return { width, count: k, data, frozen: [...frozen] };
}

export function checkIndices(list: readonly number[], k: number, what: string): void {
  const seen = new Set<number>();
  for (const j of list) {
    if (j >= k) throw new ModelFileError(`${what}: index ${j} is out of range (${k} prototypes)`);
    if (seen.has(j)) throw new ModelFileError(`${what}: index ${j} is listed twice`);
    seen.add(j);
  }
}

export function checkCounts(counts: readonly number[], k: number, what: string): void {
  if (counts.length !== k) throw new ModelFileError(`${what}: ${counts.length} entries for ${k} prototypes`);
}

export function checkRng(st: RngState, what: string): void {
  if (st.s.every((w) => w === 0)) throw new ModelFileError(`${what}: the generator state is all zeros`);
}

export function encodeOrder(st: SampleOrderState): EncodedOrder {
  const out: EncodedOrder = { rng: st.rng, shuffle: st.shuffle, pos: st.pos, epoch: st.epoch };
  if (st.perm.length > 0) out.perm = encodeInt32([st.perm.length], st.perm);
  return out;
}

/** The sample order: the permutation must hold each of 0..n-1 once, the position within it. */
export function decodeOrder(o: EncodedOrder): SampleOrderState {
  checkRng(o.rng, 'order.rng');
  let perm: Int32Array = new Int32Array(0);
  if (o.perm) {
    if (o.perm.shape.length !== 1) throw new ModelFileError(`order.perm: shape [${o.perm.shape.join(', ')}], expected one axis`);
    perm = decodeInt32(o.perm, 'order.perm');
    const seen = new Uint8Array(perm.length);
    for (const i of perm) {
      if (i < 0 || i >= perm.length || seen[i]) throw new ModelFileError(`order.perm is not a permutation of 0..${perm.length - 1}`);
      seen[i] = 1;
    }
  }
  if (o.pos > perm.length) throw new ModelFileError(`order.pos ${o.pos} is past the end of the permutation (${perm.length})`);
  return { rng: { s: [...o.rng.s], spare: o.rng.spare }, shuffle: o.shuffle, perm, pos: o.pos, epoch: o.epoch };
}

/** Run a model's own fromState validation, turning its error into a ModelFileError. */
export function rebuild<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw asModelFileError(e, `${what}: `);
  }
}
