/** What one presented sample changed, shared by the online algorithms (the UI animates these). */
export interface Moved {
  index: number;
  /** Euclidean length of the prototype's displacement (in its own weight space). */
  distance: number;
}

export interface StepResult {
  /** Index of the presented sample in the data (-1 for a vector given directly). */
  sample: number;
  /** The winning prototype (-1 when none). */
  winner: number;
  /** Prototypes that moved, with how far. Frozen prototypes never appear here. */
  moved: Moved[];
  /** Whether the step created a prototype (the winner is then the new one). */
  created: boolean;
}

/** Move row c[co..co+d) toward x[xo..xo+d) by rate eta; returns the length of the move. */
export function moveToward(c: Float32Array, co: number, x: Float32Array, xo: number, d: number, eta: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const before = c[co + t];
    const after = before + eta * (x[xo + t] - before);
    c[co + t] = after;
    const m = after - before;
    s += m * m;
  }
  return Math.sqrt(s);
}
