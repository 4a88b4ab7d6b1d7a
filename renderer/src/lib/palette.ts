/** Class colours: distinct hues, readable on light and dark backgrounds (the same index, the same colour). */
const HUES = [212, 28, 140, 350, 265, 48, 185, 320, 95, 5, 240, 160];
export function classColor(i: number): string {
  if (i < 0) return 'var(--muted)';
  const h = HUES[i % HUES.length];
  const round = Math.floor(i / HUES.length);
  return `hsl(${h} ${70 - 12 * (round % 3)}% ${52 + 6 * (round % 2)}%)`;
}
