/**
 * Import from PyTorch: a package written by the PyTorch export (its locus.json) with the weights
 * train.py saved (weights.json + weights.bin) back into a Locus model file. Every tensor is checked
 * (present, not extra, the shape the architecture needs, finite) and the result goes through the
 * model file's own import checks before anything is written. Epochs trained in PyTorch are appended
 * to the training history.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../../core/rng.js';
import { shapeEq, shapeStr } from '../../core/tensor.js';
import type { Normalization } from '../../data/normalize.js';
import '../../layers/index.js';
import { Sequential, type SequentialSpec } from '../../models/sequential.js';
import { Gan } from '../../models/gan.js';
import { classifierToFile, type ImageInput, type TrainingRecord } from '../classifier.js';
import type { ModelFile } from '../format.js';
import { ganToFile } from '../gan.js';
import { sequenceToFile, type SequenceData } from '../sequence.js';
import { asModelFileError, ModelFileError } from '../errors.js';
import { parseJsonSafely } from '../guard.js';
import { LIMITS } from '../limits.js';
import { namedTensors } from '../named.js';
import { checkModelFile } from '../parse.js';
import { LOCUS_JSON, PYTORCH_EXPORT_FORMAT } from './export.js';
import { chainCode, type TensorRule } from './layers.js';
import { decodeWeights, WEIGHTS_JSON, WeightFileError } from './weights.js';

/** Read a file of at most LIMITS.maxFileBytes; the reason names it. */
async function readLimited(path: string, what: string): Promise<Buffer> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ModelFileError(`${what} is not a file`);
    size = st.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFileError(`${what} is missing`);
    throw e;
  }
  if (size > LIMITS.maxFileBytes) throw new ModelFileError(`${what} is ${size} bytes, at most ${LIMITS.maxFileBytes} allowed`);
  return readFile(path);
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = (await readLimited(path, what)).toString('utf8');
  try {
    return parseJsonSafely(text);
  } catch (e) {
    throw asModelFileError(e, `${what}: `);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The model file for the package in `dir`, with the weights of `weightsDir` (default: `dir`, where
 * train.py saves unless told otherwise). Throws ModelFileError with a one-line reason.
 */
export async function importPytorch(dir: string, weightsDir = dir): Promise<ModelFile> {
  const info = await readJson(join(dir, LOCUS_JSON), `${LOCUS_JSON} in ${dir}`);
  if (!isObject(info) || info.format !== PYTORCH_EXPORT_FORMAT) {
    throw new ModelFileError(`${join(dir, LOCUS_JSON)} is not a Locus PyTorch export (format should be "${PYTORCH_EXPORT_FORMAT}")`);
  }
  if (info.version !== 1) throw new ModelFileError(`${LOCUS_JSON}: export version ${JSON.stringify(info.version)}; this Locus reads version 1`);
  if (info.kind !== 'classifier' && info.kind !== 'gan' && info.kind !== 'sequence') throw new ModelFileError(`${LOCUS_JSON}: unknown kind ${JSON.stringify(info.kind)} (classifier, gan or sequence)`);
  if (!isObject(info.model)) throw new ModelFileError(`${LOCUS_JSON}: no "model" object`);
  const m = info.model;
  const manifest = await readJson(join(weightsDir, WEIGHTS_JSON), `${WEIGHTS_JSON} in ${weightsDir}`);
  const binName = isObject(manifest) && typeof manifest.file === 'string' ? manifest.file : '';
  if (!/^[\w.-]+$/.test(binName) || binName.startsWith('.')) throw new ModelFileError(`${WEIGHTS_JSON}: "file" must name a file in the same folder, got ${JSON.stringify(binName)}`);
  const bin = await readLimited(join(weightsDir, binName), binName);
  let decoded: ReturnType<typeof decodeWeights>;
  try {
    decoded = decodeWeights(manifest, new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength));
  } catch (e) {
    if (e instanceof WeightFileError) throw new ModelFileError(e.message);
    throw e;
  }

  const training = m.training as TrainingRecord;
  if (!isObject(training) || !Array.isArray(training.history) || !Number.isInteger(training.seed)) throw new ModelFileError(`${LOCUS_JSON}: "training" needs a seed and a history`);
  const pytorchEpochs = Array.isArray(decoded.manifest.history) ? decoded.manifest.history : [];
  const record = { seed: training.seed, settings: training.settings ?? {}, history: [...training.history, ...pytorchHistory(pytorchEpochs, lastEpoch(training.history))] };
  const build = (architecture: unknown, what: string): Sequential => {
    try {
      return new Sequential(architecture as SequentialSpec, new Rng(training.seed));
    } catch (e) {
      throw asModelFileError(e, `${LOCUS_JSON}: ${what}: `);
    }
  };
  const used = new Set<string>();
  /** Copy one network's tensors in; weights from another folder that fit not even its first tensor are most likely another model's checkpoint. */
  const copy = (net: Sequential, prefix: string): void => {
    try {
      copyIn(net, chainCode(net.layers).rules, decoded.tensors, prefix, used);
    } catch (e) {
      throw asModelFileError(e, weightsDir !== dir && used.size === 0 ? `the weights in ${weightsDir} do not fit the model in ${dir} (another model's checkpoint?): ` : '');
    }
  };
  let file: ModelFile;
  try {
    if (info.kind === 'classifier' || info.kind === 'sequence') {
      const model = build(m.architecture, 'architecture');
      const classes = m.classes as string[];
      const outputs = info.kind === 'sequence' && m.task === 'regress' ? Number(m.outputs) : Array.isArray(classes) ? classes.length : NaN;
      if (!shapeEq(model.outputShape, [outputs])) throw new ModelFileError(`${LOCUS_JSON}: the network outputs ${shapeStr(model.outputShape)}, expected [${outputs}]`);
      copy(model, '');
      file =
        info.kind === 'classifier'
          ? classifierToFile({ model, classes, input: m.input as unknown as ImageInput, normalization: m.normalization as unknown as Normalization, training: record })
          : sequenceToFile({ model, data: m.data as unknown as SequenceData, task: m.task as 'classify' | 'regress', classes, training: record });
    } else {
      const g = m.generator as { architecture?: unknown } | undefined;
      const d = m.discriminator as { architecture?: unknown } | undefined;
      let gan: Gan;
      try {
        gan = new Gan({ generator: g?.architecture as SequentialSpec, discriminator: d?.architecture as SequentialSpec }, new Rng(training.seed));
      } catch (e) {
        throw asModelFileError(e, `${LOCUS_JSON}: architecture: `);
      }
      copy(gan.generator, 'generator.');
      copy(gan.discriminator, 'discriminator.');
      file = ganToFile({ gan, normalization: m.normalization as unknown as Normalization, training: record });
    }
  } catch (e) {
    throw asModelFileError(e);
  }
  const extra = [...decoded.tensors.keys()].filter((n) => !used.has(n));
  if (extra.length) throw new ModelFileError(`${WEIGHTS_JSON} has tensors the architecture does not: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? '...' : ''}`);
  try {
    checkModelFile(JSON.parse(JSON.stringify(file)));
  } catch (e) {
    throw asModelFileError(e, `the imported model would not be a valid Locus model: `);
  }
  return file;
}

/** Set the network's tensors from PyTorch's, by the layer rules; every tensor used exactly once. */
export function copyIn(model: Sequential, rules: readonly TensorRule[], torch: Map<string, { shape: number[]; values: Float32Array }>, prefix: string, used: Set<string>): void {
  const { params, buffers } = namedTensors(model.layers);
  const locus = new Map<string, Float32Array>();
  for (const { name, item } of [...params, ...buffers]) locus.set(name, item.value);
  for (const r of rules) {
    const values = r.torch.map((t) => {
      const name = prefix + t.name;
      const got = torch.get(name);
      if (!got) throw new ModelFileError(`${WEIGHTS_JSON} lacks tensor ${name}`);
      if (!shapeEq(got.shape, t.shape)) throw new ModelFileError(`tensor ${name} has shape ${shapeStr(got.shape)}, the architecture needs ${shapeStr(t.shape)}`);
      used.add(name);
      return got.values;
    });
    r.toLocus(values).forEach((v, i) => {
      const target = locus.get(r.locus[i]);
      if (!target || target.length !== v.length) throw new ModelFileError(`tensor ${r.locus[i]} does not fit the network`);
      target.set(v);
    });
  }
}

function lastEpoch(history: unknown[]): number {
  return history.reduce<number>((a, h) => (isObject(h) && typeof h.epoch === 'number' && h.epoch > a ? h.epoch : a), 0);
}

const HISTORY_FIELDS = ['trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'seconds', 'processes', 'dLoss', 'gLoss'];

/** train.py's epochs as Locus history entries, numbered on from the epochs Locus trained. */
function pytorchHistory(entries: unknown[], before: number): { epoch: number; [k: string]: number | null }[] {
  if (entries.length > LIMITS.maxEpochs) throw new ModelFileError(`${WEIGHTS_JSON}: more than ${LIMITS.maxEpochs} epochs of history`);
  return entries.map((e, i) => {
    const out: { epoch: number; [k: string]: number | null } = { epoch: before + i + 1 };
    if (isObject(e)) {
      for (const k of HISTORY_FIELDS) {
        const v = e[k];
        if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
        else if (v === null) out[k] = null;
      }
    }
    return out;
  });
}
