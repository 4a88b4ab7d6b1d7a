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

/** Colours of runs and layers: distinct hues, the same index the same colour. */
const RUN_HUES = [230, 28, 150, 340, 270, 45, 190, 0];
export function seriesColor(i: number, dark: boolean): string {
  const h = RUN_HUES[i % RUN_HUES.length];
  return dark ? `hsl(${h} 85% 68%)` : `hsl(${h} 70% 45%)`;
}
