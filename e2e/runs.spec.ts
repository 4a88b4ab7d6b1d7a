/**
 * Runs that last, across views: a GAN run and a sequence run are listed in their view's comparison
 * with their figures, and both are still there after the page reloads and after the engine restarts
 * (the workspace folder keeps them).
 */
import { expect, test, type Page } from '@playwright/test';
import { hostCall, hostUrl, shot } from './host.js';
import { watchConsole } from './train-helpers.js';

async function view(page: Page, name: 'GAN' | 'Sequence' | 'Clustering'): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
}

const rows = (page: Page, testid: string) => page.getByTestId(testid).getByTestId('run-row');

test('GAN and sequence runs are compared in their views and outlive a reload and an engine restart', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(hostUrl());
  await view(page, 'GAN');
  await page.getByTestId('gan-mode-toy').click();
  const ganBefore = await rows(page, 'gan-runs').count();
  await page.getByTestId('gan-steps').fill('60');
  await page.getByTestId('gan-start').click();
  await expect(page.getByTestId('gan-done')).toContainText('trained 60 steps', { timeout: 60_000 });
  await expect(rows(page, 'gan-runs')).toHaveCount(ganBefore + 1);
  await expect(rows(page, 'gan-runs').first()).toContainText('completed');
  await expect.poll(async () => Number(await page.getByTestId('gan-runs-chart').getAttribute('data-points'))).toBeGreaterThan(0);

  await view(page, 'Sequence');
  const seqBefore = await rows(page, 'seq-runs').count();
  await page.getByTestId('seq-task').selectOption('memory');
  await page.getByTestId('seq-n').fill('128');
  await page.getByTestId('seq-epochs').fill('1');
  await page.getByTestId('seq-start').click();
  await expect(page.getByTestId('seq-done')).toContainText('trained 1 epoch', { timeout: 60_000 });
  await expect(rows(page, 'seq-runs')).toHaveCount(seqBefore + 1);

  // A reload: the engine still holds them.
  await page.reload();
  await view(page, 'GAN');
  await expect(rows(page, 'gan-runs')).toHaveCount(ganBefore + 1);
  // An engine restart: the new engine reads them back from the workspace folder.
  await hostCall('debug.crash', {}).catch(() => {});
  await expect(page.getByText('The engine restarted')).toBeVisible({ timeout: 30_000 });
  await page.reload();
  await view(page, 'GAN');
  await expect(rows(page, 'gan-runs')).toHaveCount(ganBefore + 1, { timeout: 30_000 });
  await view(page, 'Sequence');
  await expect(rows(page, 'seq-runs')).toHaveCount(seqBefore + 1);
  await expect.poll(async () => Number(await page.getByTestId('seq-runs-chart').getAttribute('data-points'))).toBeGreaterThan(0);
  await shot(page, '43-sequence-runs-kept');
  expect(errors.filter((e) => !/engine/i.test(e))).toEqual([]);
});

test('a clustering run is listed with its figures in the Clustering view\'s run comparison', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(hostUrl());
  await view(page, 'Clustering');
  await page.getByTestId('source-toy').click();
  const panel = page.getByTestId('cluster-panel-0');
  await expect(panel.getByTestId('step')).toBeEnabled({ timeout: 30_000 });
  // The panel's run is in the registry from its creation; presenting samples records its figures.
  await expect(rows(page, 'cluster-runs').first()).toHaveAttribute('title', /blobs|rings|moons|spirals|gaussians/);
  await panel.getByTestId('step').click();
  await expect.poll(async () => Number(await page.getByTestId('cluster-runs-chart').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
