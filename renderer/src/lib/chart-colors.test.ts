/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERIES_COLORS, seriesColor, seriesDash } from './chart.js';

/** sRGB hex to CIE Lab (D65). */
function lab(hex: string): [number, number, number] {
  const lin = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = [lin(1), lin(3), lin(5)];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
const deltaE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));
function luminance(hex: string): number {
  const lin = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
}
const contrast = (a: string, b: string) => {
  const [lo, hi] = [luminance(a), luminance(b)].sort((x, y) => x - y);
  return (hi + 0.05) / (lo + 0.05);
};

test('12 layers get 12 colours at least ΔE 20 apart in each theme, each readable on its surface', () => {
  for (const [dark, surface] of [[false, '#ffffff'], [true, '#191c21']] as const) {
    const colours = Array.from({ length: 12 }, (_, i) => seriesColor(i, dark));
    assert.equal(new Set(colours).size, 12);
    let worst = Infinity;
    for (let i = 0; i < 12; i++) for (let j = i + 1; j < 12; j++) worst = Math.min(worst, deltaE(colours[i], colours[j]));
    assert.ok(worst >= 20, `closest pair ΔE ${worst.toFixed(1)} (dark ${dark})`);
    for (const c of colours) assert.ok(contrast(c, surface) >= 3, `${c} on ${surface}: contrast ${contrast(c, surface).toFixed(2)}`);
  }
  // The case from the issue: layers 2 and 18 were one blue.
  assert.notEqual(seriesColor(2, false), seriesColor(18, false));
});

test('past twelve the colour repeats with a dash pattern as the second cue', () => {
  assert.equal(SERIES_COLORS, 12);
  assert.equal(seriesColor(13, true), seriesColor(1, true));
  assert.deepEqual(seriesDash(1), []);
  assert.notDeepEqual(seriesDash(13), seriesDash(1));
  assert.notDeepEqual(seriesDash(25), seriesDash(13));
});
