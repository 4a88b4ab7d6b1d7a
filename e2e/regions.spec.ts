/**
 * Decision regions in Train (TensorFlow Playground's picture): with no folder loaded, Train on a 2-D toy
 * set draws the network's class over the plane as it learns; on moons the model ends with both classes'
 * regions and high validation accuracy. Screenshots in e2e/artifacts/ (both themes).
 */
import { expect, test } from '@playwright/test';
import { freshEngine, hostCall, hostUrl, shot } from './host.js';
import { watchConsole } from './train-helpers.js';

test.beforeAll(freshEngine);

test('Train on the moons toy set: decision regions of both classes, drawn as it learns', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(hostUrl());
  await page.getByRole('button', { name: /^Train/ }).click();
  await page.getByTestId('train-use-toy').click();
  await expect(page.getByTestId('train-source-toy')).toBeChecked();
  await page.getByTestId('train-toy-set').selectOption('moons');
  await page.getByTestId('train-toy-n').fill('400');
  await expect(page.getByTestId('arch-params')).not.toHaveText('');
  await page.getByTestId('train-start').click();
  const regions = page.getByTestId('train-regions');
  await expect(regions).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('train-done')).toContainText('trained 5 epochs', { timeout: 60_000 });
  await expect(regions).toHaveAttribute('data-classes', '2');
  await expect(regions).toHaveAttribute('aria-label', /moon 1 \d+% of the plane, moon 2 \d+% of the plane/);
  const acc = Number(((await page.getByTestId('val-acc').textContent()) ?? '').replace('%', ''));
  expect(acc).toBeGreaterThanOrEqual(85);
  // The engine's grid agrees with the picture's source: both classes, a probability per cell.
  const r = (await hostCall('train.regions', { size: 16 })) as { ok: boolean; result?: { grid: { size: number } } };
  expect(r.ok).toBe(true);
  expect(r.result?.grid.size).toBe(16);
  await shot(page, '61-train-regions');
  expect(errors).toEqual([]);
});
