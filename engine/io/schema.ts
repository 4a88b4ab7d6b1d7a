/**
 * The JSON Schema of the model file (model.schema.json), compiled once with ajv, and its errors turned
 * into one readable line: "model.classes[2] must be string", "missing field model.architecture".
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import schema from './model.schema.json' with { type: 'json' };
import { brief } from './bounds.js';
import { ModelFileError } from './errors.js';

export const MODEL_SCHEMA = schema;

const ajv = new Ajv2020({ allErrors: false, strict: true, discriminator: true });
const validateFile = ajv.compile(schema);

/** Check a parsed file against the whole schema; throw a ModelFileError naming the first problem. */
export function validateSchema(file: unknown): void {
  if (!validateFile(file)) throw new ModelFileError(describe(validateFile.errors?.[0]));
}

/** Kinds that have both a $defs entry and a dispatch branch in the schema's allOf. */
export function schemaKinds(): string[] {
  const defs = schema.$defs as Record<string, unknown>;
  return schema.allOf
    .map((b) => b.if.properties.kind.const)
    .filter((k) => Object.prototype.hasOwnProperty.call(defs, k));
}

function where(instancePath: string): string {
  // "/model/classes/2" -> "model.classes[2]"
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

/** An ajv error as one readable line (`what` names the document: 'the file', 'the experiment'). */
export function describe(e: ErrorObject | undefined, what = 'the file'): string {
  if (!e) return `${what} does not match its schema`;
  const at = where(e.instancePath);
  const field = (name: string) => (at ? `${at}.${name}` : name);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing field ${field(String(p.missingProperty))}`;
    case 'additionalProperties':
      return `unexpected field ${field(String(p.additionalProperty))}`;
    case 'const':
      return `${at || what} must be ${JSON.stringify(p.allowedValue)}`;
    case 'enum':
      return `${at || what} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'discriminator':
      return `${at || what}: ${p.error === 'mapping' ? `unknown ${String(p.tag)} ${brief(p.tagValue)}` : `${String(p.tag)} must be a string`}`;
    case 'propertyNames':
      return `${at || what} has an invalid name ${brief(p.propertyName)}`;
    default:
      return `${at || what} ${e.message ?? 'is invalid'}`;
  }
}
