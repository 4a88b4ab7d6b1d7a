/**
 * The extension point for model kinds. A kind (classifier, gan, kmeans, ...) adds:
 *   1. a `$defs.<kind>` entry in model.schema.json describing its `model` content, and an `allOf`
 *      branch `{if: {properties: {kind: {const: "<kind>"}}}, then: {properties: {model: {$ref}}}}`;
 *   2. a module that calls registerKind({kind, check}) and exports its toFile/fromFile helpers;
 *   3. one import line in builtin-kinds.ts.
 * `check` runs after the schema has passed and does what a schema cannot: limits, shapes against the
 * architecture, tensor decoding. It throws ModelFileError with the reason.
 */
import type { ModelFile } from './format.js';
import { schemaKinds } from './schema.js';

export interface KindHandler {
  readonly kind: string;
  /** Throws ModelFileError; may return what it built, which the kind's fromFile takes once (parse.ts). */
  check(file: ModelFile): unknown;
}

const handlers = new Map<string, KindHandler>();

export function registerKind(h: KindHandler): void {
  if (handlers.has(h.kind)) throw new Error(`model kind "${h.kind}" is already registered`);
  if (!schemaKinds().includes(h.kind)) {
    throw new Error(`model kind "${h.kind}" has no $defs entry and allOf branch in model.schema.json`);
  }
  handlers.set(h.kind, h);
}

export function kindHandler(kind: string): KindHandler | undefined {
  return handlers.get(kind);
}

export function modelKinds(): string[] {
  return [...handlers.keys()].sort();
}

/**
 * What a kind's check built while importing a file (the classifier's network), kept for the first
 * fromFile call on that same file object so a file read once is built once. Taken at most once.
 */
const built = new WeakMap<object, unknown>();

export function keepBuiltFor(file: object, result: unknown): void {
  built.set(file, result);
}

export function takeBuilt<T>(file: object): T | undefined {
  const out = built.get(file) as T | undefined;
  built.delete(file);
  return out;
}
