/**
 * The envelope every model file shares, whatever the kind:
 *   { format: "locus-model", version: 1, kind, locusVersion, createdAt, model: {...the kind's content} }
 */
import pkg from '../../package.json' with { type: 'json' };

export const FORMAT = 'locus-model';
/** The format version this build writes and the newest it reads. */
export const FORMAT_VERSION = 1;
export const LOCUS_VERSION: string = pkg.version;

export interface ModelFile<K extends string = string, M = unknown> {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  kind: K;
  /** The Locus version that wrote the file. */
  locusVersion: string;
  /** ISO 8601 UTC time of writing, e.g. 2025-01-31T12:00:00.000Z. */
  createdAt: string;
  model: M;
}

export function envelope<K extends string, M>(kind: K, model: M, createdAt: Date = new Date()): ModelFile<K, M> {
  return { format: FORMAT, version: FORMAT_VERSION, kind, locusVersion: LOCUS_VERSION, createdAt: createdAt.toISOString(), model };
}
