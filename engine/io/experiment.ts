/**
 * The experiment file (docs/experiments.md): a small versioned JSON document checked against
 * experiment.schema.json. Reading one never runs anything; a file that does not fit is refused with
 * one line naming the first problem ("variants[2].name must be string").
 */
import { readFile, stat } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import schema from './experiment.schema.json' with { type: 'json' };
import { describe } from './schema.js';

export const EXPERIMENT_SCHEMA = schema;
/** An experiment file is small: a few configs and some sentences. */
export const MAX_EXPERIMENT_BYTES = 256 * 1024;

export type ExperimentKind = 'classifier' | 'sequence' | 'cluster' | 'gan' | 'local';

export interface ExperimentVariant {
  name: string;
  /** Merged into the base config: objects merge key by key, anything else replaces. */
  set: Record<string, unknown>;
  note?: string;
}

export interface ExperimentFile {
  format: 'locus-experiment';
  version: 1;
  id: string;
  title: string;
  idea: string;
  kind: ExperimentKind;
  settings?: string[];
  data: {
    source: 'sample' | 'folder' | 'toy' | 'series';
    folder?: 'no' | 'optional' | 'required';
    perClass?: number;
    valFraction?: number;
    toy?: string;
    points?: number;
  };
  base: Record<string, unknown>;
  variants: ExperimentVariant[];
  metrics: string[];
  curves?: string[];
  pictures?: string[];
  finding?: { metric: string; label: string; better?: 'higher' | 'lower'; also?: string[] };
  explanation: string;
  seed?: number;
}

export class ExperimentFileError extends Error {}

const ajv = new Ajv2020({ allErrors: false, strict: true });
const validate = ajv.compile(schema);

/** Check a parsed experiment; throw an ExperimentFileError naming the first problem. */
export function checkExperiment(x: unknown): ExperimentFile {
  if (!validate(x)) throw new ExperimentFileError(`not a Locus experiment: ${describe(validate.errors?.[0], 'the experiment')}`);
  const e = x as unknown as ExperimentFile;
  const names = new Set<string>();
  for (const v of e.variants) {
    if (names.has(v.name)) throw new ExperimentFileError(`not a Locus experiment: two variants are named "${v.name}"`);
    names.add(v.name);
  }
  return e;
}

/** Parse and check an experiment's JSON text. */
export function parseExperiment(text: string): ExperimentFile {
  if (text.length > MAX_EXPERIMENT_BYTES) throw new ExperimentFileError(`not a Locus experiment: larger than ${MAX_EXPERIMENT_BYTES / 1024} KB`);
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    throw new ExperimentFileError(`not a Locus experiment: not JSON (${(e as Error).message})`);
  }
  return checkExperiment(x);
}

/** Read an experiment file (bounded in size before it is read). */
export async function readExperiment(path: string): Promise<ExperimentFile> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ExperimentFileError(code === 'ENOENT' ? `there is no file ${path}` : `cannot read ${path} (${code ?? (e as Error).message})`);
  }
  if (size > MAX_EXPERIMENT_BYTES) throw new ExperimentFileError(`${path} is not a Locus experiment: ${size} bytes, larger than ${MAX_EXPERIMENT_BYTES / 1024} KB`);
  return parseExperiment(await readFile(path, 'utf8'));
}
