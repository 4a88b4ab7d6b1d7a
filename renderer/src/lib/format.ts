/** Number and text formatting shared by the views. */
const nf = new Intl.NumberFormat('en-US');
export const fmt = (n: number): string => nf.format(n);
export const pct = (x: number, digits = 0): string => `${(x * 100).toFixed(digits)}%`;
export const plural = (n: number, one: string, many = `${one}s`): string => `${fmt(n)} ${n === 1 ? one : many}`;
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
/** The last part of a path, for titles (works for / and \ separators). */
export const baseName = (p: string): string => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || p;
