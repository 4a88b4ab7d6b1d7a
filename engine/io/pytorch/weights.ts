/**
 * The weight files of the PyTorch export (and of train.py's checkpoints): weights.bin holds every
 * tensor as little-endian float32, end to end, in manifest order; weights.json names them (PyTorch's
 * state_dict name and Locus's name), gives shape and byte offset, and the .bin's length and SHA-256.
 * numpy reads it with np.frombuffer; nothing is pickled. Reading checks every field before any value
 * is used and refuses with a one-line reason.
 */
import { createHash } from 'node:crypto';
import { LIMITS } from '../limits.js';

export const WEIGHTS_FORMAT = 'locus-pytorch-weights';
export const WEIGHTS_JSON = 'weights.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface WeightEntry {
  /** PyTorch state_dict name. */
  name: string;
  /** Locus tensor name(s) it comes from (one PyTorch tensor may come from two, e.g. an RNN's biases). */
  locus?: string;
  shape: number[];
  offset: number;
}

export interface WeightManifest {
  format: typeof WEIGHTS_FORMAT;
  version: 1;
  dtype: 'float32';
  byteOrder: 'little';
  file: string;
  bytes: number;
  sha256: string;
  tensors: WeightEntry[];
  /** Epochs trained in PyTorch (train.py appends one entry per epoch). */
  history?: unknown[];
  [extra: string]: unknown;
}

export interface NamedValues {
  name: string;
  locus?: string;
  shape: number[];
  values: Float32Array;
}

/** The .bin bytes and its manifest for tensors in the given order. */
export function encodeWeights(tensors: readonly NamedValues[]): { manifest: WeightManifest; data: Uint8Array } {
  const total = tensors.reduce((a, t) => a + t.values.length, 0);
  const data = new Uint8Array(total * 4);
  const view = new DataView(data.buffer);
  const entries: WeightEntry[] = [];
  let o = 0;
  for (const t of tensors) {
    entries.push({ name: t.name, ...(t.locus ? { locus: t.locus } : {}), shape: [...t.shape], offset: o });
    for (let i = 0; i < t.values.length; i++, o += 4) view.setFloat32(o, t.values[i], true);
  }
  const manifest: WeightManifest = {
    format: WEIGHTS_FORMAT,
    version: 1,
    dtype: 'float32',
    byteOrder: 'little',
    file: WEIGHTS_BIN,
    bytes: data.byteLength,
    sha256: sha256(data),
    tensors: entries,
  };
  return { manifest, data };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A refused weight file; the message is the reason. */
export class WeightFileError extends Error {
  override readonly name = 'WeightFileError';
}

/**
 * Check a parsed weights.json against the bytes of its .bin and decode every tensor, by PyTorch name.
 * Refuses unknown formats and versions, a .bin of another length or hash, entries that overlap or
 * run past the end, shapes beyond Locus's limits, duplicate names and values that are not finite.
 */
export function decodeWeights(manifest: unknown, data: Uint8Array): { manifest: WeightManifest; tensors: Map<string, { shape: number[]; values: Float32Array }> } {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) throw new WeightFileError(`${WEIGHTS_JSON} is not a JSON object`);
  const m = manifest as Record<string, unknown>;
  if (m.format !== WEIGHTS_FORMAT) throw new WeightFileError(`${WEIGHTS_JSON}: format is ${JSON.stringify(m.format)}, expected "${WEIGHTS_FORMAT}"`);
  if (m.version !== 1) throw new WeightFileError(`${WEIGHTS_JSON}: unknown version ${JSON.stringify(m.version)} (this Locus reads version 1)`);
  if (m.dtype !== undefined && m.dtype !== 'float32') throw new WeightFileError(`${WEIGHTS_JSON}: dtype ${JSON.stringify(m.dtype)}; only float32 is read`);
  if (m.byteOrder !== undefined && m.byteOrder !== 'little') throw new WeightFileError(`${WEIGHTS_JSON}: byte order ${JSON.stringify(m.byteOrder)}; only little is read`);
  if (m.bytes !== data.byteLength) throw new WeightFileError(`${String(m.file)} has ${data.byteLength} bytes but ${WEIGHTS_JSON} says ${JSON.stringify(m.bytes)}`);
  if (typeof m.sha256 !== 'string' || m.sha256 !== sha256(data)) throw new WeightFileError(`${String(m.file)} does not match the SHA-256 in ${WEIGHTS_JSON} (the pair was not written together)`);
  if (!Array.isArray(m.tensors)) throw new WeightFileError(`${WEIGHTS_JSON}: "tensors" is not a list`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  const spans: [number, number, string][] = [];
  for (const [i, t] of (m.tensors as unknown[]).entries()) {
    const where = `${WEIGHTS_JSON}: tensor ${i}`;
    if (t === null || typeof t !== 'object') throw new WeightFileError(`${where} is not an object`);
    const e = t as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name.length === 0 || e.name.length > 500) throw new WeightFileError(`${where} has no valid name`);
    const name = e.name;
    if (out.has(name)) throw new WeightFileError(`${WEIGHTS_JSON}: tensor ${JSON.stringify(name)} is listed twice`);
    if (!Array.isArray(e.shape) || e.shape.length > LIMITS.maxRank || !e.shape.every((d) => Number.isInteger(d) && d >= 0 && d <= LIMITS.maxDim)) {
      throw new WeightFileError(`${WEIGHTS_JSON}: tensor ${name} has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const shape = e.shape as number[];
    const count = shape.reduce((a, d) => a * d, 1);
    if (count > LIMITS.maxTensorElements) throw new WeightFileError(`${WEIGHTS_JSON}: tensor ${name} has ${count} values (at most ${LIMITS.maxTensorElements})`);
    const offset = e.offset;
    if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 4 !== 0) throw new WeightFileError(`${WEIGHTS_JSON}: tensor ${name} has an invalid offset ${JSON.stringify(offset)}`);
    const start = offset as number;
    const end = start + count * 4;
    if (end > data.byteLength) throw new WeightFileError(`${WEIGHTS_JSON}: tensor ${name} runs past the end of ${String(m.file)} (${end} > ${data.byteLength} bytes)`);
    spans.push([start, end, name]);
    const values = new Float32Array(count);
    for (let k = 0; k < count; k++) {
      const v = view.getFloat32(start + k * 4, true);
      if (!Number.isFinite(v)) throw new WeightFileError(`tensor ${name} holds a value that is not finite (${v}) at index ${k}`);
      values[k] = v;
    }
    out.set(name, { shape: [...shape], values });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1] && spans[i][1] > spans[i][0]) throw new WeightFileError(`${WEIGHTS_JSON}: tensors ${spans[i - 1][2]} and ${spans[i][2]} overlap`);
  }
  return { manifest: m as unknown as WeightManifest, tensors: out };
}
