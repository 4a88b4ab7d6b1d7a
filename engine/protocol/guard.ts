/**
 * Small runtime guards that double as TypeScript types. Every message that crosses a process boundary
 * is checked with one of these on receipt; the static type of a payload is inferred from its guard, so
 * the check and the type cannot drift apart. No eval, no code generation: each guard is a closure.
 *
 *   const Point = obj({ x: num(), y: num(), label: optional(str()) });
 *   type Point = Infer<typeof Point>;          // { x: number; y: number; label?: string }
 *   Point.check(value)                         // null when valid, else 'label: expected a string'
 */
export interface Guard<T> {
  /** Null when `x` is a valid T, else a short reason naming the path of the first bad field. */
  check(x: unknown, path?: string): string | null;
  /** Marks a field that may be absent (set by `optional`). */
  readonly optional?: boolean;
  /** Phantom: carries the static type. Never set at run time. */
  readonly _type?: T;
}

export type Infer<G> = G extends Guard<infer T> ? T : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Shape = Record<string, Guard<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

const at = (path: string | undefined, msg: string): string => (path ? `${path}: ${msg}` : msg);

function guard<T>(check: (x: unknown, path?: string) => string | null): Guard<T> {
  return { check };
}

export function str(opts: { max?: number; min?: number } = {}): Guard<string> {
  const max = opts.max ?? 4096;
  const min = opts.min ?? 0;
  return guard((x, p) => {
    if (typeof x !== 'string') return at(p, 'expected a string');
    if (x.length > max) return at(p, `string longer than ${max}`);
    if (x.length < min) return at(p, min === 1 ? 'must not be empty' : `string shorter than ${min}`);
    return null;
  });
}

export function num(opts: { int?: boolean; min?: number; max?: number } = {}): Guard<number> {
  return guard((x, p) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) return at(p, 'expected a finite number');
    if (opts.int && !Number.isInteger(x)) return at(p, 'expected an integer');
    if (opts.min !== undefined && x < opts.min) return at(p, `must be >= ${opts.min}`);
    if (opts.max !== undefined && x > opts.max) return at(p, `must be <= ${opts.max}`);
    return null;
  });
}

/** A non-negative integer (counts, indices, sizes). */
export const count = (max = Number.MAX_SAFE_INTEGER): Guard<number> => num({ int: true, min: 0, max });

export const bool: Guard<boolean> = guard((x, p) => (typeof x === 'boolean' ? null : at(p, 'expected a boolean')));

export function literal<const V extends readonly (string | number | boolean)[]>(...values: V): Guard<V[number]> {
  return guard((x, p) =>
    values.includes(x as V[number]) ? null : at(p, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`),
  );
}

export function nullable<T>(g: Guard<T>): Guard<T | null> {
  return guard((x, p) => (x === null ? null : g.check(x, p)));
}

/** A field that may be absent (undefined is accepted too). */
export function optional<T>(g: Guard<T>): Guard<T | undefined> & { readonly optional: true } {
  return { check: (x, p) => (x === undefined ? null : g.check(x, p)), optional: true };
}

export function arr<T>(item: Guard<T>, opts: { max?: number } = {}): Guard<T[]> {
  const max = opts.max ?? 1_000_000;
  return guard((x, p) => {
    if (!Array.isArray(x)) return at(p, 'expected an array');
    if (x.length > max) return at(p, `more than ${max} items`);
    for (let i = 0; i < x.length; i++) {
      const e = item.check(x[i], `${p ?? ''}[${i}]`);
      if (e) return e;
    }
    return null;
  });
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** A plain object with exactly these fields: unknown fields are refused (they are a bug or an attack). */
export function obj<S extends Shape>(shape: S): Guard<ObjOf<S>> & { readonly shape: S } {
  const keys = Object.keys(shape);
  return {
    shape,
    check(x, p) {
      if (!isPlainObject(x)) return at(p, 'expected an object');
      for (const k of Object.keys(x)) {
        if (!Object.hasOwn(shape, k)) return at(p, `unexpected field "${k}"`);
      }
      for (const k of keys) {
        const e = shape[k].check(x[k], p ? `${p}.${k}` : k);
        if (e) return e;
      }
      return null;
    },
  };
}

/** One of several object shapes told apart by a string tag field. */
export function tagged<K extends string, const M extends Record<string, Guard<object>>>(
  tag: K,
  variants: M,
): Guard<{ [V in keyof M]: Infer<M[V]> & { [T in K]: V } }[keyof M]> {
  return guard((x, p) => {
    if (!isPlainObject(x)) return at(p, 'expected an object');
    const t = x[tag];
    if (typeof t !== 'string' || !Object.hasOwn(variants, t)) {
      return at(p, `${tag} must be one of ${Object.keys(variants).join(', ')}`);
    }
    return variants[t].check(x, p);
  });
}

// Checked by tag, not instanceof: a typed array cloned into another realm (contextBridge) is still one.
function typedArray<T>(name: string, maxLength: number): Guard<T> {
  const tag = `[object ${name}]`;
  return guard((x, p) => {
    if (Object.prototype.toString.call(x) !== tag) return at(p, `expected a ${name}`);
    if ((x as { length: number }).length > maxLength) return at(p, `${name} longer than ${maxLength}`);
    return null;
  });
}

const MAX_TYPED = 1 << 30;
export const u8 = (max = MAX_TYPED): Guard<Uint8Array> => typedArray<Uint8Array>('Uint8Array', max);
export const i32 = (max = MAX_TYPED): Guard<Int32Array> => typedArray<Int32Array>('Int32Array', max);
export const f32 = (max = MAX_TYPED): Guard<Float32Array> => typedArray<Float32Array>('Float32Array', max);

/** Anything at all: for payloads checked elsewhere. Use sparingly. */
export const unknownValue: Guard<unknown> = guard(() => null);
