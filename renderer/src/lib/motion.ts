/**
 * prefers-reduced-motion for what CSS cannot reach: live redraws. Charts never animate (lib/chart.ts)
 * and CSS transitions are off under the preference (app.css); what still moves is a picture redrawn as
 * a run streams (curves growing, the toy GAN's points and arrows, decision regions, a clustering plane).
 * Under the preference those step at most once a second instead of flowing; the last state is always
 * drawn, and pausing or a run's end draws at once.
 */

/** The shortest time between two live redraws under prefers-reduced-motion (ms). */
export const REDUCED_MOTION_MS = 1000;

export function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** The shortest time between two live redraws: `ms`, or REDUCED_MOTION_MS under prefers-reduced-motion. */
export function liveMs(ms: number): number {
  return reducedMotion() ? Math.max(ms, REDUCED_MOTION_MS) : ms;
}
