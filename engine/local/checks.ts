/** Small validators that throw with the option's name and the reason. */
export function positiveInt(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive integer, got ${String(v)}`);
  return v;
}

export function finiteIn(what: string, v: unknown, lo: number, hi: number, openLo = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v > hi || v < lo || (openLo && v === lo)) {
    throw new Error(`${what} must be in ${openLo ? '(' : '['}${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}

export function oneOf<T extends string>(what: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new Error(`${what} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  }
  return v as T;
}

export function checkVector(what: string, v: Float32Array, d: number): void {
  if (!(v instanceof Float32Array)) throw new Error(`${what}: expected a Float32Array`);
  if (v.length !== d) throw new Error(`${what}: expected ${d} values, got ${v.length}`);
}

