/**
 * The Train view in the browser host: a small CNN trains on the bundled sample with live curves and an
 * accuracy; a run started paused steps one batch, takes a new learning rate, resumes and stops; finished
 * runs are overlaid for comparison. Screenshots go to e2e/artifacts/.
 */
import { expect, type Page, test } from '@playwright/test';
import { shot } from './host.js';
import { openSampleAndTrainView, watchConsole } from './train-helpers.js';

const points = async (page: Page, id: string): Promise<number> => Number(await page.getByTestId(id).getAttribute('data-points'));

test('a small CNN trains for an epoch: loss and accuracy charts fill, accuracy and a confusion matrix show', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('lenet5');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-batch').fill('32');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-done')).toContainText('trained 1 epoch', { timeout: 60_000 });
  await expect(page.getByTestId('val-acc')).toHaveText(/\d+(\.\d)?%/);
  expect(await points(page, 'chart-loss')).toBeGreaterThan(2);
  expect(await points(page, 'chart-acc')).toBe(2);
  expect(await points(page, 'chart-grads')).toBeGreaterThan(0);
  await expect(page.getByTestId('train-confusion')).toBeVisible();
  await expect(page.getByTestId('filters').locator('canvas')).toHaveCount(6);
  await expect(page.getByTestId('feature-maps').locator('canvas')).toHaveCount(6);
  await shot(page, '10-train-done');
  // The charts are rebuilt in the dark theme's colours.
  await page.getByRole('radio', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, '13-train-dark');
  await page.getByRole('radio', { name: 'System' }).click();
  expect(errors).toEqual([]);
});

test('pause, step, a new learning rate while paused, resume, stop; finished runs are compared', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-optimizer').selectOption('momentum');
  await page.getByTestId('train-epochs').fill('2');
  await page.getByTestId('train-batch').fill('16');
  await page.getByRole('button', { name: 'Start paused' }).click();
  await expect(page.getByTestId('train-status')).toContainText('Paused');
  await page.getByTestId('train-step').click();
  await expect(page.getByTestId('train-status')).toContainText('batch 1/');
  await page.getByTestId('train-step').click();
  await expect(page.getByTestId('train-status')).toContainText('batch 2/');
  await page.getByTestId('paused-lr').fill('0.02');
  await page.getByRole('button', { name: 'Set' }).click();
  await expect(page.getByTestId('train-lr')).toHaveValue('0.02');
  await shot(page, '11-train-paused');
  await page.getByTestId('train-resume-run').click();
  await expect(page.getByTestId('train-done')).toContainText('trained 2 epochs', { timeout: 60_000 });

  // A second run with Adam; both appear on the comparison chart.
  await page.getByTestId('train-optimizer').selectOption('adam');
  await page.getByTestId('train-epochs').fill('2');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-done')).toContainText('trained 2 epochs', { timeout: 60_000 });
  await expect(page.getByTestId('runs').locator('li')).toHaveCount(2);
  expect(await points(page, 'chart-compare')).toBe(4);
  await shot(page, '12-train-compare');

  // Stop ends a run at once.
  await page.getByRole('button', { name: 'Start paused' }).click();
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-done')).toContainText('stopped during epoch 1');
  expect(errors).toEqual([]);
});

test('a diverging run shows the engine message naming where it broke and a lower learning rate', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-optimizer').selectOption('sgd');
  await page.getByTestId('train-lr').fill('10');
  await page.getByTestId('train-epochs').fill('2');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-error')).toContainText('NaN or infinite', { timeout: 60_000 });
  await expect(page.getByTestId('train-error')).toContainText('try a lower learning rate (now 10, e.g. 1)');
  await shot(page, '14-train-diverged');
  expect(errors).toEqual([]);
});
