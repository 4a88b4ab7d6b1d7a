/**
 * How samples are matched to prototypes: a score per (sample, prototype), lower is closer, +Infinity
 * means "this prototype cannot take this sample" (e.g. an ART category that fails vigilance). The
 * Assignment keeps each sample's best prototype incrementally through these three queries.
 */
import { argmin, checkMatrix, columnDistances, rowDistances, sqNorms } from './distance.js';
import { nearestAll } from './nearest.js';
import type { PrototypeStore } from './prototypes.js';

export interface Scorer {
  /** Number of samples. */
  readonly n: number;
  /** Number of prototypes right now. */
  readonly k: number;
  /** Called before each batch of queries, after prototypes may have changed. */
  prepare(): void;
  /** Scores of sample i against every prototype, into out[0..k). */
  row(i: number, out: Float64Array): void;
  /** Scores of every sample against prototype j, into out[0..n). */
  column(j: number, out: Float64Array): void;
  /** Best prototype (lowest index on ties, -1 if none) and its score for every sample. */
  all(labels: Int32Array, scores: Float64Array): void;
}

/** A full pass built from row(): for scorers without a faster kernel. */
export function allByRows(s: Scorer, labels: Int32Array, scores: Float64Array): void {
  const buf = new Float64Array(Math.max(1, s.k));
  for (let i = 0; i < s.n; i++) {
    s.row(i, buf);
    const j = argmin(buf, s.k);
    labels[i] = j;
    scores[i] = j < 0 ? Infinity : buf[j];
  }
}

/** Squared Euclidean distance between samples and the prototype rows (width = sample dimension). */
export class EuclideanScorer implements Scorer {
  readonly n: number;
  readonly #x: Float32Array;
  readonly #d: number;
  readonly #xn: Float64Array;
  readonly #protos: PrototypeStore;
  #cn = new Float64Array(0);

  constructor(protos: PrototypeStore, x: Float32Array, n: number) {
    checkMatrix('samples', x, n, protos.width);
    this.#protos = protos;
    this.#x = x;
    this.n = n;
    this.#d = protos.width;
    this.#xn = sqNorms(x, n, this.#d);
    this.prepare();
  }

  get k(): number {
    return this.#protos.count;
  }

  prepare(): void {
    const k = this.#protos.count;
    if (this.#cn.length < k) this.#cn = new Float64Array(Math.max(k, 2 * this.#cn.length));
    sqNorms(this.#protos.data, k, this.#d, this.#cn);
  }

  row(i: number, out: Float64Array): void {
    rowDistances(this.#x, i * this.#d, this.#xn[i], this.#protos.data, this.#cn, this.k, this.#d, out);
  }

  column(j: number, out: Float64Array): void {
    columnDistances(this.#x, this.#xn, this.n, this.#protos.data, j * this.#d, this.#cn[j], this.#d, out);
  }

  all(labels: Int32Array, scores: Float64Array): void {
    nearestAll(this.#x, this.#xn, this.n, this.#protos.data, this.#cn, this.k, this.#d, { labels, scores });
  }
}
