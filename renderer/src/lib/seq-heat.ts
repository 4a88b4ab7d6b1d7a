/**
 * Colour scales of the Sequence view's heat maps: gates (sigmoids, 0 to 1) on viridis, signed values
 * (tanh states, cell contents, time-delay outputs) on a blue–grey–red diverging scale centred on 0.
 * Both read on light and dark backgrounds.
 */

type RGB = readonly [number, number, number];
const VIRIDIS: readonly RGB[] = [
  [68, 1, 84],
  [65, 68, 135],
  [42, 120, 142],
  [34, 168, 132],
  [122, 209, 81],
  [253, 231, 37],
];
const COOLWARM: readonly RGB[] = [
  [59, 76, 192],
  [141, 176, 254],
  [221, 221, 221],
  [244, 154, 123],
  [180, 4, 38],
];

function lerp(stops: readonly RGB[], v: number): RGB {
  const t = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(t));
  const f = t - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** Names whose values are sigmoid gates in [0, 1]. */
const GATES = new Set(['input', 'forget', 'output', 'reset', 'update']);

export interface HeatScale {
  kind: 'gate' | 'signed';
  min: number;
  max: number;
  color(v: number): RGB;
}

/** The scale for a trace name and its values: [0, 1] for gates, [-m, m] (m the largest magnitude, at least 1 for tanh) otherwise. */
export function heatScale(name: string, values: Float32Array): HeatScale {
  if (GATES.has(name)) return { kind: 'gate', min: 0, max: 1, color: (v) => lerp(VIRIDIS, v) };
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  const bound = name === 'c' ? Math.max(m, 1e-6) : Math.max(m, 1);
  return { kind: 'signed', min: -bound, max: bound, color: (v) => lerp(COOLWARM, (v / bound + 1) / 2) };
}

/** Paint a [rows, cols] matrix (row-major, rows drawn top to bottom) into an ImageData of cols x rows, transposed when `transpose`. */
export function paintMatrix(out: ImageData, values: Float32Array, rows: number, cols: number, scale: HeatScale, transpose: boolean): void {
  const d = out.data;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [R, G, B] = scale.color(values[r * cols + c]);
      const o = transpose ? (c * rows + r) * 4 : (r * cols + c) * 4;
      d[o] = R;
      d[o + 1] = G;
      d[o + 2] = B;
      d[o + 3] = 255;
    }
  }
}

/** A CSS gradient of a scale, for its legend. */
export function scaleGradient(kind: HeatScale['kind']): string {
  const stops = kind === 'gate' ? VIRIDIS : COOLWARM;
  return `linear-gradient(to right, ${stops.map((s) => `rgb(${s.join(' ')})`).join(', ')})`;
}

/** Plain-language names of the traces. */
export const TRACE_LABELS: Record<string, string> = {
  input: 'input gate',
  forget: 'forget gate',
  output: 'output gate',
  cell: 'cell candidate',
  c: 'cell state c',
  h: 'hidden state h',
  reset: 'reset gate',
  update: 'update gate',
  new: 'candidate n',
  tanh: 'tanh output',
};
