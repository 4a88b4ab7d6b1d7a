/**
 * Exports that take a model beyond Locus, written to disk in one call: the PyTorch package (a folder)
 * and ONNX (one file). Used by `locus export` and by the app's models.exportTo handler, so both write
 * the same files the same way (every file atomically; see pytorch/write.ts).
 */
import { stat } from 'node:fs/promises';
import type { ModelFile } from './format.js';
import { exportOnnx, OnnxExportError, ONNX_OPSET } from './onnx/export.js';
import { exportPytorch, PytorchExportError } from './pytorch/export.js';
import { writeBytesAtomic, writePackage } from './pytorch/write.js';

export const EXTERNAL_FORMATS = ['pytorch', 'onnx'] as const;
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
}

/**
 * Write `file` in `format` at `out`: a folder for pytorch (created if missing; its package files are
 * replaced), one file for onnx. `probabilities` appends a softmax to an ONNX classifier.
 */
export async function writeExternal(file: ModelFile, format: ExternalFormat, out: string, o: { probabilities?: boolean } = {}): Promise<ExternalExport> {
  const st = await stat(out).catch(() => null);
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
