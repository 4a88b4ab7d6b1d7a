/**
 * Parsing untrusted JSON safely. JSON.parse itself never runs code; this adds what it lets through:
 * keys that could pollute prototypes when copied later (__proto__, constructor, prototype) are refused
 * anywhere in the document, as are non-finite numbers (1e400 parses to Infinity) and deep nesting.
 * The walk is iterative, so no file can overflow the stack.
 */
import { ModelFileError } from './errors.js';
import { LIMITS } from './limits.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export function parseJsonSafely(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(`not valid JSON (${(e as Error).message})`);
  }
  checkJsonTree(value);
  return value;
}

/** Where a value sits, e.g. model.classes[3], for messages. */
export function jsonPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

export function checkJsonTree(root: unknown): void {
  const stack: [unknown, string, number][] = [[root, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ModelFileError(`${path || 'the file'}: number is not finite`);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    // Numbers are checked in place (no path string is built unless one is bad); objects are pushed.
    if (depth >= LIMITS.maxDepth) throw new ModelFileError(`${path}: nested deeper than ${LIMITS.maxDepth} levels`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === 'number') {
          if (!Number.isFinite(x)) throw new ModelFileError(`${jsonPath(path, i)}: number is not finite`);
        } else if (typeof x === 'object' && x !== null) stack.push([x, jsonPath(path, i), depth + 1]);
      }
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN.has(key)) throw new ModelFileError(`${jsonPath(path, key)}: the key "${key}" is not allowed`);
      const x = (v as Record<string, unknown>)[key];
      if (typeof x === 'number') {
        if (!Number.isFinite(x)) throw new ModelFileError(`${jsonPath(path, key)}: number is not finite`);
      } else if (typeof x === 'object' && x !== null) stack.push([x, jsonPath(path, key), depth + 1]);
    }
  }
}
