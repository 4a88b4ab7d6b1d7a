/**
 * The cost bound of a model file, checked on the text before JSON.parse builds anything: how many
 * values it holds, how deep it nests, how many items any one array has and how long any key is. A
 * file far under the byte limit (say 17 MB of `{},{},...`) would otherwise cost gigabytes of parsed
 * objects; with these bounds any file up to the byte limit is refused or read in bounded memory and
 * time. The scan is one pass over the characters (strings are skipped with indexOf) and allocates one
 * small array; it does not validate JSON (JSON.parse does that afterwards).
 */
import { ModelFileError } from './errors.js';
import { LIMITS } from './limits.js';

export interface CostLimits {
  /** Values in the whole document (objects, arrays, strings, numbers, literals; keys not counted). */
  maxValues: number;
  /** Nesting depth. */
  maxDepth: number;
  /** Items in any one array, and keys in any one object. */
  maxArrayItems: number;
  /** Characters in any one object key. */
  maxKeyLength: number;
}

export const FILE_COST: CostLimits = Object.freeze({
  maxValues: LIMITS.maxJsonValues,
  maxDepth: LIMITS.maxDepth,
  maxArrayItems: LIMITS.maxArrayItems,
  maxKeyLength: LIMITS.maxKeyLength,
});

/** An open object is stored as -(1 + its keys so far); an array as its items so far (>= 0). */
const OBJECT = -1;

/** Throws ModelFileError when the text would cost more than the limits allow once parsed. */
export function checkJsonCost(text: string, limits: CostLimits = FILE_COST): void {
  const n = text.length;
  // One entry per open container: the items seen so far in an array, or OBJECT.
  const open: number[] = [];
  let values = 0;
  let expectKey = false;
  let i = 0;
  const value = (at: number): void => {
    if (++values > limits.maxValues) throw new ModelFileError(`the file holds more than ${limits.maxValues.toLocaleString('en-US')} JSON values`);
    const top = open.length - 1;
    if (top >= 0 && open[top] >= 0 && ++open[top] > limits.maxArrayItems) {
      throw new ModelFileError(`an array holds more than ${limits.maxArrayItems.toLocaleString('en-US')} items (item ${limits.maxArrayItems + 1} at character ${at})`);
    }
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x20: // space, tab, newline, return
      case 0x09:
      case 0x0a:
      case 0x0d:
      case 0x3a: // ':'
        i++;
        continue;
      case 0x2c: // ','
        expectKey = open.length > 0 && open[open.length - 1] < 0;
        i++;
        continue;
      case 0x7b: // '{'
      case 0x5b: // '['
        value(i);
        if (open.length >= limits.maxDepth) throw new ModelFileError(`nested deeper than ${limits.maxDepth} levels (at character ${i})`);
        open.push(c === 0x7b ? OBJECT : 0);
        expectKey = c === 0x7b;
        i++;
        continue;
      case 0x7d: // '}'
      case 0x5d: // ']'
        open.pop();
        expectKey = false;
        i++;
        continue;
      case 0x22: {
        // '"': find the closing quote, one not preceded by an odd run of backslashes.
        let j = i + 1;
        for (;;) {
          j = text.indexOf('"', j);
          if (j < 0) return; // unterminated: JSON.parse says so
          let k = j - 1;
          while (text.charCodeAt(k) === 0x5c) k--;
          if ((j - 1 - k) % 2 === 0) break;
          j++;
        }
        if (expectKey) {
          if (j - i - 1 > limits.maxKeyLength) throw new ModelFileError(`a key at character ${i} is longer than ${limits.maxKeyLength} characters`);
          // Many keys in one object cost far more to parse than as many array items (a hash table).
          if (-(--open[open.length - 1]) - 1 > limits.maxArrayItems) {
            throw new ModelFileError(`an object holds more than ${limits.maxArrayItems.toLocaleString('en-US')} keys (key ${limits.maxArrayItems + 1} at character ${i})`);
          }
          expectKey = false;
        } else value(i);
        i = j + 1;
        continue;
      }
      default: {
        // A number or literal (or anything else, which JSON.parse will refuse): up to the next delimiter.
        value(i);
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 0x2c || d === 0x5d || d === 0x7d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09 || d === 0x3a || d === 0x22 || d === 0x7b || d === 0x5b) break;
          i++;
        }
      }
    }
  }
}
