/**
 * The Train view in the browser host: a small CNN trains on the bundled sample with live curves and an
 * accuracy; a run started paused steps one batch, takes a new learning rate, resumes and stops; finished
 * runs are overlaid for comparison. Screenshots go to e2e/artifacts/.
 */
import { expect, type Page, test } from '@playwright/test';
import { shot } from './host.js';
import { openSampleAndTrainView, trainUntilDone, watchConsole } from './train-helpers.js';

const points = async (page: Page, id: string): Promise<number> => Number(await page.getByTestId(id).getAttribute('data-points'));

test('a small CNN trains for an epoch: loss and accuracy charts fill, accuracy and a confusion matrix show', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('lenet5');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-batch').fill('32');
  await trainUntilDone(page, 'trained 1 epoch');
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
  await page.getByRole('button', { name: 'Set', exact: true }).click();
  await expect(page.getByTestId('train-lr')).toHaveValue('0.02');
  await shot(page, '11-train-paused');
  await page.getByTestId('train-resume-run').click();
  await expect(page.getByTestId('train-done')).toContainText('trained 2 epochs', { timeout: 60_000 });

  // A second run with Adam; both appear on the comparison chart (beside the runs of earlier specs,
  // which the engine keeps: they are hidden from the chart here, so it shows these two).
  const rows = page.getByTestId('run-row');
  await expect(rows.first()).toHaveAttribute('title', /Momentum/);
  const rowsBefore = await rows.count();
  for (let i = 1; i < rowsBefore; i++) await rows.nth(i).getByRole('checkbox').uncheck();
  await expect.poll(() => points(page, 'chart-compare')).toBe(2);
  await page.getByTestId('train-optimizer').selectOption('adam');
  await page.getByTestId('train-epochs').fill('2');
  await trainUntilDone(page, 'trained 2 epochs');
  await expect(rows).toHaveCount(rowsBefore + 1);
  await expect.poll(() => points(page, 'chart-compare'), { message: 'both runs drawn' }).toBe(4);
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

test('runs last: a refused start keeps the last charts, runs are told apart by what differs, renamed, kept over a reload, removed after asking', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-epochs').fill('1');
  await trainUntilDone(page, 'trained 1 epoch');
  const accBefore = await points(page, 'chart-acc');
  expect(accBefore).toBeGreaterThan(0);

  // An invalid form names every bad field at once and keeps Train disabled; nothing is thrown away.
  await page.getByTestId('train-lr').fill('-1');
  await page.getByTestId('train-epochs').fill('0');
  await expect(page.getByTestId('form-errors')).toContainText('Learning rate must be more than 0 and at most 10');
  await expect(page.getByTestId('form-errors')).toContainText('Epochs must be at least 1');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  expect(await points(page, 'chart-acc')).toBe(accBefore);

  // Two runs that differ only in their activation are labelled by it.
  await page.getByTestId('train-lr').fill('0.001');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByLabel('Activation').selectOption('sigmoid');
  await trainUntilDone(page, 'trained 1 epoch');
  const rows = page.getByTestId('run-row');
  await expect(rows.first().getByTestId('run-label')).toContainText('sigmoid');
  await expect(rows.nth(1).getByTestId('run-label')).toContainText('relu');

  // A name given in the list is kept by the engine and survives a reload of the page.
  await rows.first().getByTestId('run-label').click();
  await page.getByTestId('run-name-edit').fill('sigmoid baseline');
  await page.getByTestId('run-name-edit').press('Enter');
  await expect(rows.first().getByTestId('run-label')).toHaveText('sigmoid baseline');
  const count = await rows.count();
  await page.reload();
  await page.getByRole('button', { name: /^Train/ }).click();
  await expect(page.getByTestId('run-row')).toHaveCount(count);
  await expect(page.getByTestId('run-row').first().getByTestId('run-label')).toHaveText('sigmoid baseline');
  await expect.poll(() => points(page, 'chart-compare')).toBeGreaterThan(0);
  await shot(page, '15-train-runs-kept');

  // Removing asks first; keeping it changes nothing, removing it takes it off the list.
  await page.getByTestId('run-row').first().getByTestId('run-remove').click();
  await page.getByRole('button', { name: 'Keep' }).click();
  await expect(page.getByTestId('run-row')).toHaveCount(count);
  await page.getByTestId('run-row').first().getByTestId('run-remove').click();
  await page.getByTestId('run-remove-yes').click();
  await expect(page.getByTestId('run-row')).toHaveCount(count - 1);
  expect(errors).toEqual([]);
});

test('pruning a finished run changes its confusion matrix and figures, and can be undone', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-epochs').fill('2');
  await trainUntilDone(page, 'trained 2 epochs');
  const confusion = async () => (await page.getByTestId('train-confusion').textContent()) ?? '';
  const before = await confusion();
  const accBefore = await page.getByTestId('val-acc').textContent();
  await page.getByLabel('Share to prune, %').fill('95');
  await page.getByTestId('prune-go').click();
  await expect(page.getByTestId('pruned')).toContainText('pruned');
  // The header, the run list and the confusion matrix all show the pruned network now.
  const after = (await page.getByTestId('pruned').locator('strong').textContent()) ?? '';
  await expect(page.getByTestId('val-acc')).toHaveText(after);
  await expect(page.getByTestId('run-row').first()).toContainText(after);
  await expect.poll(confusion).not.toBe(before);
  await page.getByTestId('prune-undo').click();
  await expect(page.getByTestId('val-acc')).toHaveText(accBefore ?? '');
  await expect.poll(confusion).toBe(before);
  await expect(page.getByTestId('run-row').first()).toContainText(accBefore ?? '');
  expect(errors).toEqual([]);
});
