/**
 * Each sample's best prototype, kept up to date incrementally after an edit. Only what an edit can
 * change is recomputed: one column of scores for a moved or added prototype, and full rescans only for
 * the samples that belonged to a prototype that moved away or was removed. The result always equals a
 * fresh nearest-prototype pass (same scores, lowest index on ties).
 */
import { argmin } from './distance.js';
import type { Scorer } from './scorer.js';

/** Samples whose prototype changed. `from` is in the index space before the edit, `to` after it. */
export interface Reassignment {
  samples: Int32Array;
  from: Int32Array;
  to: Int32Array;
}

class ChangeList {
  #s: number[] = [];
  #f: number[] = [];
  #t: number[] = [];
  push(i: number, from: number, to: number): void {
    this.#s.push(i);
    this.#f.push(from);
    this.#t.push(to);
  }
  done(): Reassignment {
    return { samples: Int32Array.from(this.#s), from: Int32Array.from(this.#f), to: Int32Array.from(this.#t) };
  }
}

export class Assignment {
  readonly scorer: Scorer;
  /** Best prototype per sample (-1: no prototype can take it). */
  readonly labels: Int32Array;
  /** The score of that prototype (+Infinity when unassigned). */
  readonly scores: Float64Array;
  #col: Float64Array;
  #row = new Float64Array(8);

  constructor(scorer: Scorer) {
    this.scorer = scorer;
    this.labels = new Int32Array(scorer.n).fill(-1);
    this.scores = new Float64Array(scorer.n).fill(Infinity);
    this.#col = new Float64Array(scorer.n);
    this.full();
  }

  /** Recompute every sample from scratch. */
  full(): Reassignment {
    const s = this.scorer;
    s.prepare();
    const old = Int32Array.from(this.labels);
    s.all(this.labels, this.scores);
    const ch = new ChangeList();
    for (let i = 0; i < s.n; i++) if (old[i] !== this.labels[i]) ch.push(i, old[i], this.labels[i]);
    return ch.done();
  }

  /** Prototype j changed (moved, or its settings changed); every other prototype is as before. */
  afterSet(j: number): Reassignment {
    const s = this.scorer;
    s.prepare();
    const col = this.#col;
    s.column(j, col);
    const ch = new ChangeList();
    const labels = this.labels;
    const scores = this.scores;
    for (let i = 0; i < s.n; i++) {
      const l = labels[i];
      const v = col[i];
      if (l === j) {
        if (v <= scores[i]) scores[i] = v;
        else this.#rescan(i, ch, l, l);
      } else if (v < scores[i] || (v === scores[i] && v !== Infinity && j < l)) {
        labels[i] = j;
        scores[i] = v;
        ch.push(i, l, j);
      }
    }
    return ch.done();
  }

  /** A prototype was appended at index j (the last one). */
  afterAdd(j: number): Reassignment {
    const s = this.scorer;
    s.prepare();
    const col = this.#col;
    s.column(j, col);
    const ch = new ChangeList();
    for (let i = 0; i < s.n; i++) {
      if (col[i] < this.scores[i]) {
        ch.push(i, this.labels[i], j);
        this.labels[i] = j;
        this.scores[i] = col[i];
      }
    }
    return ch.done();
  }

  /** Prototype j was removed (already gone from the scorer's prototypes; later ones shifted down). */
  afterRemove(j: number): Reassignment {
    const s = this.scorer;
    s.prepare();
    const ch = new ChangeList();
    const labels = this.labels;
    for (let i = 0; i < s.n; i++) {
      const l = labels[i];
      if (l === j) this.#rescan(i, ch, l, -2);
      else if (l > j) labels[i] = l - 1;
    }
    return ch.done();
  }

  /** Rescan sample i; record a change unless the new label equals `same` (-2: always record). */
  #rescan(i: number, ch: ChangeList, from: number, same: number): void {
    const s = this.scorer;
    if (this.#row.length < s.k) this.#row = new Float64Array(2 * s.k);
    s.row(i, this.#row);
    const b = argmin(this.#row, s.k);
    this.labels[i] = b;
    this.scores[i] = b < 0 ? Infinity : this.#row[b];
    if (b !== same) ch.push(i, from, b);
  }
}
