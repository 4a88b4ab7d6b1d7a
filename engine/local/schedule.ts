/**
 * Decay schedules for learning rates and neighbourhood radii, as a function of the step count t and a
 * planned total. The step count lives in the model state, so a resumed run continues the same curve.
 * The MiniSom names follow minisom.py exactly (T = total):
 *   asymptotic       v0 / (1 + t / (T/2))
 *   inverse-to-zero  v0 * C / (C + t), C = T/100
 *   linear-to-zero   v0 * (1 - t/T)
 *   inverse-to-one   v0 / (1 + t (v0 - 1) / T)
 *   linear-to-one    v0 + t (1 - v0) / T
 * and the general ones: constant v0; linear v0 -> v1; exponential v0 (v1/v0)^(t/T) (t clamped at T).
 */
export type DecayKind =
  | 'constant'
  | 'linear'
  | 'exponential'
  | 'asymptotic'
  | 'inverse-to-zero'
  | 'linear-to-zero'
  | 'inverse-to-one'
  | 'linear-to-one';

export interface Schedule {
  kind: DecayKind;
  start: number;
  /** Final value for 'linear' and 'exponential'. */
  end?: number;
  /** Planned number of steps T. */
  total: number;
}

const KINDS: readonly DecayKind[] = [
  'constant',
  'linear',
  'exponential',
  'asymptotic',
  'inverse-to-zero',
  'linear-to-zero',
  'inverse-to-one',
  'linear-to-one',
];

export function checkSchedule(s: Schedule, what: string): void {
  if (!s || !KINDS.includes(s.kind)) throw new Error(`${what}: unknown schedule kind "${s?.kind}" (known: ${KINDS.join(', ')})`);
  if (!Number.isFinite(s.start)) throw new Error(`${what}: start must be a finite number`);
  if (!(s.total > 0)) throw new Error(`${what}: total steps must be positive, got ${s.total}`);
  if ((s.kind === 'linear' || s.kind === 'exponential') && !Number.isFinite(s.end)) {
    throw new Error(`${what}: a ${s.kind} schedule needs a finite end value`);
  }
  if (s.kind === 'exponential' && !((s.end as number) > 0 && s.start > 0)) {
    throw new Error(`${what}: an exponential schedule needs positive start and end`);
  }
}

/** The scheduled value at step t (t = 0 gives start). */
export function scheduleValue(s: Schedule, t: number): number {
  const T = s.total;
  const v0 = s.start;
  const f = Math.min(t / T, 1);
  switch (s.kind) {
    case 'constant':
      return v0;
    case 'linear':
      return v0 + ((s.end as number) - v0) * f;
    case 'exponential':
      return v0 * Math.pow((s.end as number) / v0, f);
    case 'asymptotic':
      return v0 / (1 + t / (T / 2));
    case 'inverse-to-zero': {
      const C = T / 100;
      return (v0 * C) / (C + t);
    }
    case 'linear-to-zero':
      return v0 * (1 - f);
    case 'inverse-to-one':
      return v0 / (1 + (t * (v0 - 1)) / T);
    case 'linear-to-one':
      return v0 + (t < T ? t : T) * ((1 - v0) / T);
  }
}
