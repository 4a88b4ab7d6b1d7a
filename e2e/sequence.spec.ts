/**
 * The Sequence view in the browser host: an LSTM on the long-memory task for a couple of epochs draws
 * its loss curve, the gate heat maps and per-step means, steps while paused, changes the drawn sequence
 * with the keyboard, compares with a simple RNN run and exports the model. Screenshots to e2e/artifacts/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { hostUrl, shot, tmpRoot } from './host.js';
import { openSample, watchConsole } from './train-helpers.js';

async function openSequence(page: Page): Promise<void> {
  await page.goto(hostUrl());
  await page.getByRole('button', { name: /^Sequence/ }).click();
  await expect(page.getByRole('heading', { name: 'Sequence' })).toBeVisible();
}

async function memoryRun(page: Page, cell: 'lstm' | 'rnn' | 'gru', epochs: number, n = 256, steps = 12): Promise<void> {
  await page.getByTestId('seq-task').selectOption('memory');
  await page.getByTestId('seq-cell').selectOption(cell);
  await page.getByTestId('seq-units').fill('8');
  await page.getByTestId('seq-n').fill(String(n));
  await page.getByTestId('seq-steps').fill(String(steps));
  await page.getByTestId('seq-epochs').fill(String(epochs));
  await page.getByTestId('seq-lr').fill('0.02');
}

const heatPixels = (page: Page, name: string): Promise<string> => page.getByTestId(`seq-heat-${name}`).locator('canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL());

test('LSTM on the memory task: curves, gate heat maps, stepping, another sequence, compare, export', async ({ page }) => {
  const errors = watchConsole(page);
  await openSequence(page);
  await memoryRun(page, 'lstm', 3);
  await page.getByTestId('seq-start-paused').click();
  // Before training: the gates of the untrained network for the first probe sequence.
  const maps = page.getByTestId('seq-heatmaps');
  await expect(maps).toHaveAttribute('data-step', '0');
  for (const g of ['input', 'forget', 'cell', 'output', 'c', 'h']) await expect(page.getByTestId(`seq-heat-${g}`)).toBeVisible();
  const before = await heatPixels(page, 'forget');
  await page.getByTestId('seq-step').click();
  await expect(maps).toHaveAttribute('data-step', '1');
  expect(await heatPixels(page, 'forget')).not.toBe(before);
  await expect.poll(async () => Number(await page.getByTestId('seq-chart-loss').getAttribute('data-points'))).toBe(1);
  await page.getByTestId('seq-resume').click();
  await expect(page.getByTestId('seq-done')).toContainText('trained 3 epochs', { timeout: 60_000 });
  await expect(maps).toHaveAttribute('data-epoch', '3');
  // batch losses plus one training and one validation point an epoch
  expect(Number(await page.getByTestId('seq-chart-loss').getAttribute('data-points'))).toBeGreaterThan(6);
  expect(Number(await page.getByTestId('seq-chart-means').getAttribute('data-points'))).toBe(6 * 12);
  await expect(page.getByTestId('seq-val-acc')).toHaveText(/%$/);

  // The keyboard picks another probe sequence: its input and its gates are drawn.
  const input = await page.getByTestId('seq-input').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
  await page.getByTestId('seq-sample').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('seq-sample')).toHaveText('sequence 2 of 26');
  await expect.poll(() => page.getByTestId('seq-input').evaluate((c) => (c as HTMLCanvasElement).toDataURL())).not.toBe(input);
  await expect(page.getByTestId('seq-truth')).toHaveText(/marker [01]/);
  await shot(page, '40-sequence-lstm');

  // A simple RNN and a GRU on 1024 sequences of 20 steps (seed 1), then both on one chart: the GRU keeps the marker.
  await memoryRun(page, 'rnn', 4, 1024, 20);
  await page.getByTestId('seq-start').click();
  await expect(page.getByTestId('seq-run-name')).toHaveText(/^rnn/);
  await expect(page.getByTestId('seq-done')).toContainText('trained 4 epochs', { timeout: 60_000 });
  await expect(page.getByTestId('seq-heat-h')).toBeVisible();
  await expect(page.getByTestId('seq-heat-forget')).toHaveCount(0);
  const rnnAcc = parseFloat((await page.getByTestId('seq-val-acc').textContent()) ?? '');
  await memoryRun(page, 'gru', 4, 1024, 20);
  await page.getByTestId('seq-start').click();
  await expect(page.getByTestId('seq-run-name')).toHaveText(/^gru/);
  await expect(page.getByTestId('seq-done')).toContainText('trained 4 epochs', { timeout: 60_000 });
  const gruAcc = parseFloat((await page.getByTestId('seq-val-acc').textContent()) ?? '');
  expect(gruAcc).toBeGreaterThan(90);
  expect(rnnAcc).toBeLessThan(65);
  await expect(page.getByTestId('seq-chart-compare')).toHaveAttribute('data-points', '8');
  await page.getByTestId('seq-compare-a').selectOption({ label: `rnn 8×1 · memory · val ${rnnAcc.toFixed(1)}%` });
  await expect(page.getByTestId('seq-compare-b')).toContainText('gru');

  const out = join(tmpRoot(), 'memory-gru.locus.json');
  await page.getByTestId('seq-export-path').fill(out);
  await page.getByTestId('seq-export').click();
  await expect(page.getByTestId('seq-exported')).toContainText('Saved');
  const file = JSON.parse(await readFile(out, 'utf8')) as { kind: string; model: { data: { series: { name: string } } } };
  expect(file.kind).toBe('sequence');
  expect(file.model.data.series.name).toBe('memory');
  await page.getByTestId('seq-chart-compare').scrollIntoViewIfNeeded();
  await shot(page, '41-sequence-compare');
  expect(errors).toEqual([]);
});

test('image rows of the bundled sample with a GRU, in the dark theme', async ({ page }) => {
  const errors = watchConsole(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await openSample(page);
  await page.getByRole('button', { name: /^Sequence/ }).click();
  await page.getByTestId('seq-task').selectOption('rows');
  await page.getByTestId('seq-cell').selectOption('gru');
  await page.getByTestId('seq-units').fill('16');
  await page.getByTestId('seq-epochs').fill('1');
  await page.getByTestId('seq-start').click();
  await expect(page.getByTestId('seq-done')).toContainText(/trained 1 epoch(?!s)/, { timeout: 60_000 });
  for (const g of ['reset', 'update', 'new', 'h']) await expect(page.getByTestId(`seq-heat-${g}`)).toBeVisible();
  await expect(page.getByTestId('seq-input')).toBeVisible();
  await shot(page, '42-sequence-rows-dark');
  expect(errors).toEqual([]);
});
