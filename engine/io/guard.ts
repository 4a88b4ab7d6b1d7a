/**
 * Parsing untrusted JSON safely. JSON.parse itself never runs code; this adds what it lets through:
 * keys that could pollute prototypes when copied later (__proto__, constructor, prototype) are refused
 * anywhere in the document, as are non-finite numbers (1e400 parses to Infinity) and deep nesting.
 * The walk is iterative, so no file can overflow the stack.
 */
import { ModelFileError } from './errors.js';
import { checkJsonCost, FILE_COST, type CostLimits } from './cost.js';
import { LIMITS } from './limits.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export function parseJsonSafely(text: string, cost: CostLimits = FILE_COST): unknown {
  let at = 0;
  while (at < text.length && /\s/.test(text[at])) at++;
  // Nothing of a file that is not JSON is echoed (it could be any file on the machine).
  if (at === text.length) throw new ModelFileError('the file is empty');
  if (!/[[{"\-0-9tfn]/.test(text[at])) throw new ModelFileError('not a Locus model file (not JSON)');
  checkJsonCost(text, cost);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(jsonErrorReason((e as Error).message, text));
  }
  checkJsonTree(value);
  return value;
}

/** JSON.parse's message without the excerpt of the text it quotes: where, never what. */
function jsonErrorReason(message: string, text: string): string {
  const at = /at position (\d+)/.exec(message);
  const end = at !== null && /^\s*$/.test(text.slice(Number(at[1]), Number(at[1]) + 64)) && Number(at[1]) + 64 >= text.length;
  if (end || /Unexpected end of JSON input/i.test(message)) return 'not valid JSON (it ends too early: is the file truncated?)';
  return `not valid JSON${at ? ` (at character ${at[1]})` : ''}`;
}

/** Where a value sits, e.g. model.classes[3], for messages. */
export function jsonPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** A container on the walk's stack: its parent and key, so a path is built only for an error. */
interface Node {
  v: object;
  parent: Node | null;
  key: string | number;
  depth: number;
}

function pathOf(node: Node | null, key?: string | number): string {
  const keys: (string | number)[] = key === undefined ? [] : [key];
  for (let n = node; n && n.parent; n = n.parent) keys.push(n.key);
  let path = '';
  for (let i = keys.length - 1; i >= 0; i--) path = jsonPath(path, keys[i]);
  return path;
}

export function checkJsonTree(root: unknown): void {
  if (typeof root === 'number' && !Number.isFinite(root)) throw new ModelFileError('the file: number is not finite');
  if (root === null || typeof root !== 'object') return;
  const stack: Node[] = [{ v: root, parent: null, key: '', depth: 0 }];
  while (stack.length) {
    const node = stack.pop()!;
    const { v, depth } = node;
    if (depth >= LIMITS.maxDepth) throw new ModelFileError(`${pathOf(node)}: nested deeper than ${LIMITS.maxDepth} levels`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'number') {
          if (!Number.isFinite(x)) throw new ModelFileError(`${pathOf(node, i)}: number is not finite`);
        } else if (typeof x === 'object' && x !== null) stack.push({ v: x, parent: node, key: i, depth: depth + 1 });
      }
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN.has(key)) throw new ModelFileError(`${pathOf(node, key)}: the key "${key}" is not allowed`);
      const x = (v as Record<string, unknown>)[key];
      if (typeof x === 'number') {
        if (!Number.isFinite(x)) throw new ModelFileError(`${pathOf(node, key)}: number is not finite`);
      } else if (typeof x === 'object' && x !== null) stack.push({ v: x, parent: node, key, depth: depth + 1 });
    }
  }
}
