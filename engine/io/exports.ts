/**
 * Exports that take a model beyond Locus, written to disk in one call: the PyTorch package (a folder),
 * ONNX (one file) and TensorFlow.js's layers format (a folder: model.json and its weights). Used by `locus export` and by the app's models.exportTo handler, so both write
 * the same files the same way (every file atomically; see pytorch/write.ts).
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFile } from './format.js';
import { classifierFromFile } from './classifier.js';
import { ganFromFile } from './gan.js';
import { exportOnnx, OnnxExportError, ONNX_OPSET } from './onnx/export.js';
import { exportPytorch, PytorchExportError } from './pytorch/export.js';
import { writeBytesAtomic, writePackage } from './pytorch/write.js';
import { sequenceFromFile } from './sequence.js';
import { exportGeneratorTfjs, exportSequenceTfjs, exportTfjs, TfjsExportError, type TfjsExport } from './tfjs.js';
import { writeTfjsFiles } from './tfjs-write.js';

export const EXTERNAL_FORMATS = ['pytorch', 'onnx', 'tfjs'] as const;
export type ExternalFormat = (typeof EXTERNAL_FORMATS)[number];

export interface ExternalExport {
  format: ExternalFormat;
  kind: string;
  /** The folder (pytorch) or file (onnx) written. */
  path: string;
  files: string[];
  bytes: number;
  weights: number;
  /** One line saying what was written. */
  summary: string;
}

/** A model the format cannot express, or a place it cannot be written; the message is for the user. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  /** True when the target holds something Locus did not write and overwrite was not given. */
  readonly exists: boolean;

  constructor(message: string, exists = false) {
    super(message);
    this.exists = exists;
  }
}

/** The first bytes of every ONNX file Locus writes: ir_version 8, producer_name "Locus". */
const ONNX_HEAD = [0x08, 0x08, 0x12, 0x05, 0x4c, 0x6f, 0x63, 0x75, 0x73];

/**
 * What is at an export's target: nothing (or an empty folder), an earlier Locus export of this format,
 * or something else, which is replaced only when the caller says overwrite.
 */
export async function targetState(format: ExternalFormat, out: string): Promise<'new' | 'locus' | 'other'> {
  const st = await stat(out).catch(() => null);
  if (!st) return 'new';
  if (format === 'tfjs') {
    if (!st.isDirectory()) return 'other';
    const names = (await readdir(out)).filter((n) => !n.startsWith('.'));
    if (names.length === 0) return 'new';
    const json = await readFile(join(out, 'model.json'), 'utf8').catch(() => null);
    const ours = json !== null && /"userDefinedMetadata"\s*:\s*\{\s*"locus"\s*:/.test(json);
    return ours && names.every((n) => n === 'model.json' || n.endsWith('.bin')) ? 'locus' : 'other';
  }
  if (format === 'pytorch') {
    if (!st.isDirectory()) return 'other';
    if ((await readdir(out)).length === 0) return 'new';
    const info = await readFile(join(out, 'locus.json'), 'utf8').catch(() => null);
    return info !== null && /"format":\s*"locus-pytorch-export"/.test(info) ? 'locus' : 'other';
  }
  if (!st.isFile()) return 'other';
  const fh = await open(out, 'r');
  try {
    const head = new Uint8Array(ONNX_HEAD.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === head.length && ONNX_HEAD.every((b, i) => head[i] === b) ? 'locus' : 'other';
  } finally {
    await fh.close();
  }
}

/**
 * Write `file` in `format` at `out`: a folder for pytorch (created if missing; its package files are
 * replaced), one file for onnx. `probabilities` appends a softmax to an ONNX classifier. With
 * `overwrite: false`, a target Locus did not write (targetState 'other') is refused (ExportError.exists).
 */
export async function writeExternal(file: ModelFile, format: ExternalFormat, out: string, o: { probabilities?: boolean; overwrite?: boolean } = {}): Promise<ExternalExport> {
  if (o.overwrite === false && (await targetState(format, out)) === 'other') {
    const what = format === 'pytorch' ? 'a folder with other files' : 'a file Locus did not write';
    throw new ExportError(`${out} is ${what}; it was not replaced (confirm to overwrite it)`, true);
  }
  const st = await stat(out).catch(() => null);
  if (format === 'tfjs') {
    if (st && !st.isDirectory()) throw new ExportError(`${out} is a file; the TensorFlow.js export writes a folder (model.json and its weights)`);
    const e = tfjsOf(file, Boolean(o.probabilities));
    const w = await writeTfjsFiles(out, e);
    const weights = e.weightData.byteLength / 4;
    const layers = (e.modelJson.modelTopology.config as { layers: unknown[] }).layers.length;
    return {
      format,
      kind: file.kind,
      path: out,
      files: [w.modelPath, w.weightsPath],
      bytes: w.bytes,
      weights,
      summary: `wrote ${w.modelPath} and ${w.weightsPath}: ${String(e.modelJson.modelTopology.class_name)} of ${layers} layers, ${weights.toLocaleString('en-US')} weights, ${w.bytes.toLocaleString('en-US')} bytes`,
    };
  }
  if (format === 'pytorch') {
    if (st && !st.isDirectory()) throw new ExportError(`${out} is a file; the PyTorch export writes a folder`);
    let pkg;
    try {
      pkg = exportPytorch(file);
    } catch (e) {
      if (e instanceof PytorchExportError) throw new ExportError(`cannot export to PyTorch: ${e.message}`);
      throw e;
    }
    const w = await writePackage(out, pkg.files);
    return {
      format,
      kind: pkg.kind,
      path: out,
      files: w.paths,
      bytes: w.bytes,
      weights: pkg.weights,
      summary: `wrote ${out}: ${pkg.files.map((f) => f.name).join(', ')}; ${pkg.weights.toLocaleString('en-US')} weights, ${w.bytes.toLocaleString('en-US')} bytes`,
    };
  }
  if (st?.isDirectory()) throw new ExportError(`${out} is a folder; the ONNX export writes one file`);
  let e;
  try {
    e = exportOnnx(file, o);
  } catch (err) {
    if (err instanceof OnnxExportError) throw new ExportError(`cannot export to ONNX: ${err.message}`);
    throw err;
  }
  await writeBytesAtomic(out, e.bytes);
  return {
    format,
    kind: e.kind,
    path: out,
    files: [out],
    bytes: e.bytes.byteLength,
    weights: e.weights,
    summary: `wrote ${out}: ONNX opset ${ONNX_OPSET}, input ${e.input.name} [${e.input.shape.join(', ')}], output ${e.output.name} [${e.output.shape.join(', ')}], ${e.weights.toLocaleString('en-US')} weights, ${e.bytes.byteLength.toLocaleString('en-US')} bytes`,
  };
}

/**
 * A model file in TensorFlow.js's layers format: a classifier (logits, or probabilities), a GAN's
 * generator (latent codes in, images out) or a sequence model; other kinds are refused (ExportError).
 */
export function tfjsOf(file: ModelFile, probabilities = false): TfjsExport {
  try {
    if (file.kind === 'classifier') return exportTfjs(classifierFromFile(file), { probabilities });
    if (file.kind === 'gan') {
      const g = ganFromFile(file);
      return exportGeneratorTfjs(g.gan.generator, { normalization: g.normalization });
    }
    if (file.kind === 'sequence') return exportSequenceTfjs(sequenceFromFile(file), { probabilities });
  } catch (err) {
    if (err instanceof TfjsExportError) throw new ExportError(`cannot export to TensorFlow.js: ${err.message}`);
    throw err;
  }
  throw new ExportError(`a "${file.kind}" model does not export to TensorFlow.js: a classifier, a GAN's generator or a sequence model does`);
}
