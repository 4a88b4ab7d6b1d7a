/**
 * The order in which online algorithms see samples: a fresh seeded permutation each epoch (or the
 * natural order), with the position saved in the state so a run stopped mid-epoch resumes exactly.
 */
import { Rng, type RngState } from '../core/rng.js';

export interface SampleOrderState {
  rng: RngState;
  shuffle: boolean;
  perm: Int32Array;
  pos: number;
  epoch: number;
}

export class SampleOrder {
  readonly rng: Rng;
  shuffle: boolean;
  #perm: Int32Array = new Int32Array(0);
  #pos = 0;
  #epoch = 0;

  constructor(rng: Rng, shuffle = true) {
    this.rng = rng;
    this.shuffle = shuffle;
  }

  /** Completed passes over the data. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Index of the next sample of n. A change of n starts a new pass. */
  next(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`sample order: need at least one sample, got ${n}`);
    if (this.#perm.length !== n) {
      this.#newPass(n);
    } else if (this.#pos >= n) {
      this.#epoch++;
      this.#newPass(n);
    }
    return this.#perm[this.#pos++];
  }

  /** Samples left in the current pass. */
  remaining(n: number): number {
    return this.#perm.length === n ? n - this.#pos : n;
  }

  #newPass(n: number): void {
    this.#perm = this.shuffle ? this.rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    this.#pos = 0;
  }

  toState(): SampleOrderState {
    return { rng: this.rng.getState(), shuffle: this.shuffle, perm: Int32Array.from(this.#perm), pos: this.#pos, epoch: this.#epoch };
  }

  static fromState(st: SampleOrderState): SampleOrder {
    if (!st || typeof st !== 'object') throw new Error('sample order state must be an object');
    const o = new SampleOrder(Rng.fromState(st.rng), st.shuffle !== false);
    const perm = st.perm instanceof Int32Array ? st.perm : Int32Array.from(st.perm as ArrayLike<number>);
    if (!Number.isInteger(st.pos) || st.pos < 0 || st.pos > perm.length) throw new Error(`sample order: bad position ${st.pos}`);
    o.#perm = Int32Array.from(perm);
    o.#pos = st.pos;
    o.#epoch = st.epoch ?? 0;
    return o;
  }
}
