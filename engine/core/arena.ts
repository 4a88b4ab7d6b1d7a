/**
 * Output buffers reused from one call to the next. A fresh Float32Array of a few megabytes costs far more
 * than its computation on a virtual machine: the allocator maps new pages for it and each page faults on
 * first touch (4.8 MB: about 18 ms fresh against 0.5 ms reused here; docs/performance.md). An arena hands
 * out its arrays in the order they are asked for during one call and, after `reset`, the same arrays in
 * the same order to the next call (a new one where a length changed). Every array comes zero-filled, as
 * a fresh one would. Arrays handed out before a reset must be dead after it: the owner copies what it
 * returns (Sequential.predict), or uses nothing of a training step after the step (the trainers: forward
 * outputs, caches and backward gradients all come from one arena, reset at the start of each step).
 * `alloc` makes a new array (kernels/resident.ts's arenaZeros places them in the kernel memory, where
 * the WebAssembly kernels use them without copies); by default an ordinary Float32Array. `allocInts`
 * likewise for the Int32Arrays (arenaInts).
 */
export class Arena {
  #f32: Float32Array[] = [];
  #i32: Int32Array[] = [];
  #nf = 0;
  #ni = 0;
  readonly #alloc: (n: number) => Float32Array;
  readonly #allocInts: (n: number) => Int32Array;

  constructor(alloc: (n: number) => Float32Array = (n) => new Float32Array(n), allocInts: (n: number) => Int32Array = (n) => new Int32Array(n)) {
    this.#alloc = alloc;
    this.#allocInts = allocInts;
  }

  /** Start a new call: hand out the same arrays again. */
  reset(): void {
    this.#nf = 0;
    this.#ni = 0;
  }

  /**
   * A zero-filled Float32Array of n values, distinct from every other one since the last reset. With
   * zero = false it may hold the last call's values instead: only for an output the caller overwrites
   * entirely (a kernel whose contract says OVERWRITTEN), where the filling would be wasted.
   */
  f32(n: number, zero = true): Float32Array {
    const i = this.#nf++;
    const a = this.#f32[i];
    if (a && a.length === n) return zero ? a.fill(0) : a;
    return (this.#f32[i] = this.#alloc(n));
  }

  /** A zero-filled Int32Array of n values, distinct from every other one since the last reset. */
  i32(n: number): Int32Array {
    const i = this.#ni++;
    const a = this.#i32[i];
    if (a && a.length === n) return a.fill(0);
    return (this.#i32[i] = this.#allocInts(n));
  }

  /** Values held, for memory accounting in tests. */
  get held(): number {
    let s = 0;
    for (const a of this.#f32) s += a.length;
    for (const a of this.#i32) s += a.length;
    return s;
  }
}

/**
 * A fresh zero-filled Float32Array, or the arena's next one when there is an arena (zero = false: not
 * refilled with zeros, for outputs that are overwritten entirely; see Arena.f32).
 */
export function f32Of(arena: Arena | undefined, n: number, zero = true): Float32Array {
  return arena ? arena.f32(n, zero) : new Float32Array(n);
}

/** A fresh zero-filled Int32Array, or the arena's next one when there is an arena. */
export function i32Of(arena: Arena | undefined, n: number): Int32Array {
  return arena ? arena.i32(n) : new Int32Array(n);
}
