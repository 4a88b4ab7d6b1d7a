/** Argument parsing on node:util parseArgs, with errors that become usage errors (exit code 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './output.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function parse<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, ...COMMON }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

export function required(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** A number option within [min, max]; integer when `int`. */
export function num(v: string | undefined, name: string, dflt: number, min: number, max: number, int = false): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  if (int && !Number.isInteger(x)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  if (x < min || x > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${v}`);
  return x;
}

export function oneOf<T extends string>(v: string | undefined, name: string, choices: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}
