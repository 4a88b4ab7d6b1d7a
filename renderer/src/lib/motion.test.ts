/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { liveMs, REDUCED_MOTION_MS, reducedMotion } from './motion.js';
import { Redraw } from './state/redraw.js';

const g = globalThis as { matchMedia?: (q: string) => { matches: boolean } };
function prefer(reduce: boolean): void {
  g.matchMedia = (q) => ({ matches: reduce && q === '(prefers-reduced-motion: reduce)' });
}
afterEach(() => delete g.matchMedia);

test('live redraws keep their pace unless the system asks for reduced motion, then step a second apart', () => {
  assert.equal(reducedMotion(), false);
  assert.equal(liveMs(150), 150);
  prefer(false);
  assert.equal(liveMs(150), 150);
  prefer(true);
  assert.equal(reducedMotion(), true);
  assert.equal(liveMs(150), REDUCED_MOTION_MS);
  assert.equal(liveMs(0), REDUCED_MOTION_MS);
  assert.equal(liveMs(5000), 5000);
});

test('a Redraw under reduced motion draws the first request at once and holds the next for a second, drawing the last', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  prefer(true);
  let runs = 0;
  const r = new Redraw(150, () => runs++);
  r.request();
  assert.equal(runs, 1);
  r.request();
  r.request();
  t.mock.timers.tick(500);
  assert.equal(runs, 1, 'held: less than a second since the last draw');
  // performance.now() is not mocked: the wait was computed as about a second when requested.
  t.mock.timers.tick(REDUCED_MOTION_MS);
  assert.equal(runs, 2, 'the requests in the window drawn once, at its end');
});
