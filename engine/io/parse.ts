/**
 * Import: from text to a checked ModelFile, in order of cost: size, JSON, forbidden keys and non-finite
 * numbers, the format tag, the version, the kind, the JSON Schema, then the kind's own checks (shapes
 * against the architecture, limits, tensor decoding). The first problem found is the reason given.
 * Nothing in a file is ever executed: layer types are looked up in the registry, never evaluated.
 */
import './builtin-kinds.js';
import { brief } from './bounds.js';
import { ModelFileError } from './errors.js';
import { FORMAT, FORMAT_VERSION, type ModelFile } from './format.js';
import { parseJsonSafely } from './guard.js';
import { keepBuiltFor, kindHandler, modelKinds } from './kinds.js';
import { LIMITS } from './limits.js';
import { validateSchema } from './schema.js';

export function parseModel(text: string): ModelFile {
  const value = parseModelJson(text);
  checkModelFile(value, true);
  return value;
}

/** The first half of parseModel: size, the cost bound and JSON, without the model checks. */
export function parseModelJson(text: string): unknown {
  if (typeof text !== 'string') throw new ModelFileError('model file content must be text');
  // UTF-16 length is at most the UTF-8 byte count, so this never refuses a file under the byte limit.
  if (text.length > LIMITS.maxFileBytes) throw new ModelFileError(`file is larger than ${LIMITS.maxFileBytes} bytes`);
  return parseJsonSafely(text);
}

/** All import checks on an already-parsed value (also run on export, before anything is written). */
export function checkModelFile(value: unknown, keepBuilt = false): asserts value is ModelFile {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ModelFileError('not a Locus model file: the top level is not an object');
  const v = value as Record<string, unknown>;
  if (!Object.hasOwn(v, 'format')) throw new ModelFileError(`not a Locus model file: no "format" tag (expected "${FORMAT}")`);
  if (v.format !== FORMAT) throw new ModelFileError(`not a Locus model file: format is ${brief(v.format)}, expected "${FORMAT}"`);
  if (!Object.hasOwn(v, 'version')) throw new ModelFileError('missing field version');
  if (!Number.isInteger(v.version) || (v.version as number) < 1) throw new ModelFileError(`unknown format version ${brief(v.version)}`);
  if ((v.version as number) > FORMAT_VERSION) {
    throw new ModelFileError(`made by a newer Locus: format version ${v.version as number}, this one reads up to ${FORMAT_VERSION}`);
  }
  if (typeof v.kind !== 'string') throw new ModelFileError('missing field kind');
  const handler = kindHandler(v.kind);
  if (!handler) throw new ModelFileError(`unknown model kind ${brief(v.kind)} (this Locus reads: ${modelKinds().join(', ')})`);
  validateSchema(value);
  const result = handler.check(value as ModelFile);
  if (keepBuilt && result !== undefined) keepBuiltFor(value, result);
}
