/**
 * Frame times of the renderer: requestAnimationFrame intervals for a few seconds with nothing running,
 * then while LeNet-5 trains on the bundled sample in the Train view (live charts, filters and feature
 * maps updating), then while the DCGAN trains in the GAN view (a new sample grid every 10 steps). The
 * engine runs on its default kernel threads (LOCUS_THREADS to change). One line each:
 *   frames <state> count=<n> median_ms=<..> p95_ms=<..> max_ms=<..> over_50ms=<n>
 */
import { expect, type Page, test } from '@playwright/test';
import { openSampleAnd, openSampleAndTrainView } from '../train-helpers.js';

async function frameIntervals(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (span) =>
      new Promise<number[]>((done) => {
        const out: number[] = [];
        let last = performance.now();
        const end = last + span;
        const frame = (now: number) => {
          out.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(frame);
          else done(out);
        };
        requestAnimationFrame(frame);
      }),
    ms,
  );
}

function report(state: string, t: number[]): void {
  const s = [...t].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1);
  console.log(`frames ${state} count=${s.length} median_ms=${at(0.5)} p95_ms=${at(0.95)} max_ms=${s[s.length - 1].toFixed(1)} over_50ms=${s.filter((v) => v > 50).length}`);
}

/** Start a run with the `<prefix>-start` button, report 15 s of frames after 2 s, stop it and wait for its end. */
async function whileRunning(page: Page, prefix: 'train' | 'gan', state: string): Promise<void> {
  await page.getByTestId(`${prefix}-start`).click();
  await expect(page.getByTestId(`${prefix}-stop`)).toBeVisible();
  await page.waitForTimeout(2_000);
  report(state, await frameIntervals(page, 15_000));
  await page.getByTestId(`${prefix}-stop`).click();
  await expect(page.getByTestId(`${prefix}-done`)).toBeVisible({ timeout: 30_000 });
}

test('frame times in the Train view, idle and while LeNet-5 trains', async ({ page }) => {
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('lenet5');
  await page.getByTestId('train-epochs').fill('10000');
  await page.getByTestId('train-batch').fill('32');
  report('idle', await frameIntervals(page, 5_000));
  await whileRunning(page, 'train', 'training');
});

test('frame times in the GAN view while the DCGAN trains', async ({ page }) => {
  await openSampleAnd(page, 'GAN');
  await page.getByTestId('gan-mode-image').click();
  await page.getByTestId('gan-epochs').fill('1000');
  await page.getByTestId('gan-batch').fill('32');
  await page.getByTestId('gan-every').fill('10');
  await whileRunning(page, 'gan', 'gan');
});
