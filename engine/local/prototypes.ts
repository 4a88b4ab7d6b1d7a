/**
 * A growable set of prototype rows (k x width, row-major) with a frozen flag per row. Every prototype
 * model (k-means centroids, ART category weights, SOM units, RBF centres) keeps its prototypes here, so
 * editing, freezing and serialization work the same way for all of them.
 * The rows live in the WebAssembly kernel memory when those kernels are active (selfOwnedZeros), so the
 * distance kernels read them where they are instead of copying them in at every presented sample.
 */
import { selfOwnedZeros } from '../kernels/resident.js';

export class PrototypeStore {
  readonly width: number;
  #data: Float32Array;
  #frozen: Uint8Array;
  #count = 0;

  constructor(width: number, capacity = 8) {
    if (!Number.isInteger(width) || width <= 0) throw new Error(`prototype width must be a positive integer, got ${width}`);
    this.width = width;
    this.#data = selfOwnedZeros(Math.max(1, capacity) * width);
    this.#frozen = new Uint8Array(Math.max(1, capacity));
  }

  get count(): number {
    return this.#count;
  }

  /**
   * The live rows, k x width (a view: valid until the next add, and not to be kept past the store: its
   * room in the kernel memory is reused once the store is collected). Likewise row().
   */
  get data(): Float32Array {
    return this.#data.subarray(0, this.#count * this.width);
  }

  /** Row j as a view into the store (writes go through). */
  row(j: number): Float32Array {
    this.#check(j);
    return this.#data.subarray(j * this.width, (j + 1) * this.width);
  }

  /** A copy of row j, into `out` when given. */
  copyRow(j: number, out?: Float32Array): Float32Array {
    const r = this.row(j);
    if (!out) return Float32Array.from(r);
    out.set(r);
    return out;
  }

  /** Add `delta` to row j (a drag of the prototype). */
  shift(j: number, delta: ArrayLike<number>): void {
    this.#checkLen(delta);
    const r = this.row(j);
    for (let t = 0; t < this.width; t++) r[t] += delta[t];
  }

  set(j: number, v: ArrayLike<number>): void {
    this.#check(j);
    this.#checkLen(v);
    this.#data.set(v, j * this.width);
  }

  /** Append a row; returns its index. */
  add(v: ArrayLike<number>, frozen = false): number {
    this.#checkLen(v);
    if (this.#count * this.width >= this.#data.length) {
      const cap = this.#frozen.length * 2;
      const d = selfOwnedZeros(cap * this.width);
      d.set(this.#data);
      const f = new Uint8Array(cap);
      f.set(this.#frozen);
      this.#data = d;
      this.#frozen = f;
    }
    const j = this.#count++;
    this.#data.set(v, j * this.width);
    this.#frozen[j] = frozen ? 1 : 0;
    return j;
  }

  /** Remove row j; rows after it shift down by one. */
  remove(j: number): void {
    this.#check(j);
    const w = this.width;
    this.#data.copyWithin(j * w, (j + 1) * w, this.#count * w);
    this.#frozen.copyWithin(j, j + 1, this.#count);
    this.#count--;
  }

  isFrozen(j: number): boolean {
    this.#check(j);
    return this.#frozen[j] === 1;
  }

  setFrozen(j: number, frozen: boolean): void {
    this.#check(j);
    this.#frozen[j] = frozen ? 1 : 0;
  }

  /** Frozen flags as a list of indices. */
  frozenIndices(): number[] {
    const out: number[] = [];
    for (let j = 0; j < this.#count; j++) if (this.#frozen[j]) out.push(j);
    return out;
  }

  clear(): void {
    this.#count = 0;
  }

  toState(): PrototypeStoreState {
    return { width: this.width, count: this.#count, data: new Float32Array(this.data), frozen: this.frozenIndices() };
  }

  static fromState(st: PrototypeStoreState): PrototypeStore {
    if (!st || typeof st !== 'object') throw new Error('prototype state must be an object');
    const data = toF32(st.data, 'prototype data');
    if (!Number.isInteger(st.count) || st.count < 0 || data.length !== st.count * st.width) {
      throw new Error(`prototype state: ${st.count} rows of ${st.width} need ${st.count * st.width} values, got ${data.length}`);
    }
    const s = new PrototypeStore(st.width, Math.max(8, st.count));
    for (let j = 0; j < st.count; j++) s.add(data.subarray(j * st.width, (j + 1) * st.width));
    for (const j of st.frozen ?? []) s.setFrozen(j, true);
    return s;
  }

  #check(j: number): void {
    if (!Number.isInteger(j) || j < 0 || j >= this.#count) {
      throw new Error(`prototype index ${j} out of range (have ${this.#count})`);
    }
  }

  #checkLen(v: ArrayLike<number>): void {
    if (v.length !== this.width) throw new Error(`prototype needs ${this.width} values, got ${v.length}`);
    for (let t = 0; t < v.length; t++) {
      if (!Number.isFinite(v[t])) throw new Error(`prototype value ${t} is not finite (${v[t]})`);
    }
  }
}

export interface PrototypeStoreState {
  width: number;
  count: number;
  data: Float32Array;
  frozen: number[];
}

/** Accept a Float32Array or a plain number array (a state that went through JSON without the encoder). */
export function toF32(v: unknown, what: string): Float32Array {
  if (v instanceof Float32Array) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Float32Array.from(v);
  throw new Error(`${what} must be a Float32Array or an array of numbers`);
}
