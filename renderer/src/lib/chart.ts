/**
 * Chart.js with only the parts the views use (line charts on linear and log scales), colours taken from
 * the theme's CSS variables so charts follow light and dark.
 */
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Filler);
// Charts are redrawn live at every batch and never animate (none of them, whatever their options say):
// nothing moves but the data, for everyone and so also under prefers-reduced-motion.
Chart.defaults.animation = false;

export { Chart };

/** A CSS variable of the document, resolved now (charts are rebuilt when the theme changes). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * Colours of runs and layers: twelve picked to stay apart (each pair at least 20 apart in CIE Lab,
 * ΔE76) in each theme and to read on its surface (contrast 3:1 or more). Past twelve the colours come
 * round again and seriesDash gives the repeats a dash pattern, so "2 dense" and "14 dense" still differ.
 */
const LIGHT = ['#1c64c8', '#e0670f', '#208a3c', '#d6336c', '#7b3fd4', '#8c6d00', '#0f8a8a', '#8b4513', '#c026d3', '#4d5d73', '#6f9a00', '#b71c1c'];
const DARK = ['#6ea8fe', '#ffa94d', '#69db7c', '#f783ac', '#a98bff', '#ffd43b', '#3bc9db', '#d0a27a', '#ff4fe0', '#adb5bd', '#c0eb75', '#ff6b6b'];
/** Distinct colours before they repeat. */
export const SERIES_COLORS = LIGHT.length;

export function seriesColor(i: number, dark: boolean): string {
  const k = ((i % SERIES_COLORS) + SERIES_COLORS) % SERIES_COLORS;
  return (dark ? DARK : LIGHT)[k];
}

/** The second cue where colour repeats: solid for the first twelve, then dashed, dotted, dash-dot. */
export function seriesDash(i: number): number[] {
  const round = Math.floor(Math.max(0, i) / SERIES_COLORS);
  return [[], [6, 4], [2, 3], [8, 3, 2, 3]][round % 4];
}
