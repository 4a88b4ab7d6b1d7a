/**
 * What a chart says without its colours: a line style and a point shape for each curve (so two curves
 * differ in more than hue), and a sentence with the latest value of each curve for screen readers.
 * Pure functions, no Chart.js and no DOM, so they are unit-tested under Node.
 */

/** Dash patterns in the order curves get them: solid, dashed, dotted, dash-dot, long dash. */
export const DASHES: readonly (readonly number[])[] = [[], [6, 4], [2, 3], [10, 3, 2, 3], [12, 5]];
/** Point shapes in the same order (Chart.js point styles). */
export const POINTS = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot'] as const;

/** The style of the i-th curve of a chart. */
export function curveStyle(i: number): { dash: number[]; point: (typeof POINTS)[number] } {
  return { dash: [...DASHES[i % DASHES.length]], point: POINTS[i % POINTS.length] };
}

/** A number as a person reads it off a chart: four significant digits, no exponent for everyday sizes. */
export function readable(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(2);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

export interface CurveText {
  label: string;
  points: readonly { x: number; y: number }[];
}

/**
 * The text alternative of a line chart: its title, then each curve's latest value and where it was
 * read ("Loss. training loss 0.4123 at epoch 3; validation loss 0.5 at epoch 3."). Curves with no
 * points yet are left out; with no points at all it says so.
 */
export function chartSummary(title: string, curves: readonly CurveText[], xTitle: string, empty = 'no data yet'): string {
  const parts: string[] = [];
  for (const c of curves) {
    const last = c.points.at(-1);
    if (!last) continue;
    parts.push(`${c.label} ${readable(last.y)} at ${xTitle} ${readable(last.x)}`);
  }
  return `${title}. ${parts.length ? `Latest: ${parts.join('; ')}.` : `${empty}.`}`;
}
