/** Copying caller-supplied settings into the file as plain JSON, refusing what JSON cannot hold. */
import { checkJsonTree, jsonPath } from './guard.js';
import { LIMITS } from './limits.js';

/**
 * A deep copy of a plain object tree: strings, finite numbers, booleans, null, arrays and plain objects.
 * Object fields that are undefined are dropped (as JSON.stringify does); anything else is refused.
 */
export function toJsonObject(value: unknown, what: string): Record<string, unknown> {
  const out = copy(value, what, 0);
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw new Error(`${what} must be an object`);
  checkJsonTree(out);
  return out as Record<string, unknown>;
}

function copy(v: unknown, path: string, depth: number): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${path} is ${v}; only finite numbers can be saved`);
    return v;
  }
  if (typeof v !== 'object') throw new Error(`${path} is a ${typeof v}, which cannot be saved as JSON`);
  if (depth >= LIMITS.maxDepth) throw new Error(`${path} is nested deeper than ${LIMITS.maxDepth} levels`);
  if (Array.isArray(v)) return v.map((x, i) => copy(x, jsonPath(path, i), depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new Error(`${path} is a ${proto?.constructor?.name ?? 'class instance'}, not a plain object`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    Object.defineProperty(out, k, { value: copy(x, jsonPath(path, k), depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
