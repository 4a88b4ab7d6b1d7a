/** Progress reporting for loads: at most one event per `intervalMs`, but always the first and last. */
export interface LoadProgress {
  phase: 'scan' | 'decode';
  done: number;
  total: number;
  cached?: number;
}

export type ProgressFn = (p: LoadProgress) => void;

export function throttledProgress(
  fn: ProgressFn | undefined,
  intervalMs = 100,
  now: () => number = () => performance.now(),
): (p: LoadProgress, force?: boolean) => void {
  let last = -Infinity;
  return (p, force = false) => {
    if (!fn) return;
    const t = now();
    if (!force && t - last < intervalMs) return;
    last = t;
    fn(p);
  };
}
