/**
 * Ideas of the engine offered in Train: input dropout, hints (virtual examples), batch normalization's
 * two statistics side by side, and growing a trained network with its before/after figures and undo.
 */
import { expect, test, type Page } from '@playwright/test';
import { shot } from './host.js';
import { openSampleAndTrainView, trainUntilDone, watchConsole } from './train-helpers.js';

const points = async (page: Page, id: string): Promise<number> => Number(await page.getByTestId(id).getAttribute('data-points'));

test('input dropout, virtual examples and batch norm train, are named in the run label, and BN statistics are drawn', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByRole('checkbox', { name: 'Batch normalization' }).check();
  await page.getByTestId('train-input-dropout').fill('0.2');
  await page.getByTestId('train-hints').selectOption('penalty');
  await page.getByTestId('train-hint-weight').fill('0.5');
  await page.getByTestId('train-epochs').fill('1');
  await trainUntilDone(page, 'trained 1 epoch');
  const row = page.getByTestId('run-row').first();
  await expect(row).toHaveAttribute('title', /BN · input dropout 0\.2 .*hints penalty/);
  await page.getByTestId('layer-view').selectOption('bn');
  await expect.poll(() => points(page, 'chart-grads')).toBeGreaterThan(0);
  await shot(page, '16-train-bn-statistics');
  expect(errors).toEqual([]);
});

test('growing a trained network keeps its accuracy, adds parameters, trains on, and can be undone', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-epochs').fill('1');
  await trainUntilDone(page, 'trained 1 epoch');
  await page.getByTestId('grow-units').fill('8');
  await page.getByTestId('grow-layer').selectOption({ label: 'layer 2 (256 units)' });
  await page.getByTestId('grow-go').click();
  const grown = page.getByTestId('grown');
  await expect(grown).toContainText('parameters');
  const text = (await grown.textContent()) ?? '';
  const [, before, after] = /accuracy ([\d.]+%) → ([\d.]+%)/.exec(text) ?? [];
  expect(before).toBe(after);
  // Continue training the grown network: its layer table is the grown one.
  await page.getByTestId('train-resume').check();
  await expect(page.getByTestId('arch-table')).toContainText('264');
  await trainUntilDone(page, 'trained 1 epoch');
  await page.getByTestId('train-resume').uncheck();
  await page.getByTestId('grow-undo').click();
  await expect(grown).toHaveCount(0);
  expect(errors).toEqual([]);
});
