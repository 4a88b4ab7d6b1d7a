/**
 * The speed control (slow motion to full speed) of the 2-D toy GAN and of Train on a 2-D toy set: at the
 * slowest stop a run takes about one step a second, and moving the control to full speed lets it finish;
 * the toy GAN's plane draws the generator's gradient as arrows (toggleable). Screenshots in e2e/artifacts/.
 */
import { expect, type Page, test } from '@playwright/test';
import { freshEngine, hostUrl, shot } from './host.js';
import { watchConsole } from './train-helpers.js';

test.beforeAll(freshEngine);

async function open(page: Page, view: 'GAN' | 'Train'): Promise<void> {
  await page.goto(hostUrl());
  await page.getByRole('button', { name: new RegExp(`^${view}`) }).click();
  await expect(page.getByRole('heading', { name: view })).toBeVisible();
}

test('toy GAN: slow motion runs about a step a second, full speed finishes; gradient arrows on the points', async ({ page }) => {
  const errors = watchConsole(page);
  await open(page, 'GAN');
  await page.getByTestId('gan-mode-toy').click();
  await page.getByTestId('gan-steps').fill('300');
  const speed = page.getByTestId('gan-speed');
  await speed.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('gan-speed-value')).toHaveText('1 step a second');
  await page.getByTestId('gan-start').click();
  const plot = page.getByTestId('gan-toy');
  await expect(plot).toBeVisible();
  await page.waitForTimeout(3000);
  const slow = Number(await plot.getAttribute('data-step'));
  expect(slow, 'about one step a second').toBeLessThanOrEqual(5);
  await expect(page.getByTestId('gan-status')).toContainText('Training');
  // Arrows: one per generated point, off with the toggle.
  expect(Number(await plot.getAttribute('data-arrows'))).toBeGreaterThan(100);
  await shot(page, '60-gan-toy-slow-arrows');
  await page.getByTestId('gan-arrows').uncheck();
  await expect(plot).toHaveAttribute('data-arrows', '0');
  await page.getByTestId('gan-arrows').check();
  await speed.focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('gan-speed-value')).toHaveText('full speed');
  await expect(page.getByTestId('gan-done')).toContainText('trained 300 steps', { timeout: 60_000 });
  expect(errors).toEqual([]);
});

test('Train on a toy set: slow motion holds it to about a batch a second, full speed finishes', async ({ page }) => {
  const errors = watchConsole(page);
  await open(page, 'Train');
  await page.getByTestId('train-use-toy').click();
  await page.getByTestId('train-toy-set').selectOption('moons');
  await page.getByTestId('train-toy-n').fill('200');
  await expect(page.getByTestId('train-preset')).toHaveValue('mlp');
  const speed = page.getByTestId('train-speed');
  await speed.focus();
  await page.keyboard.press('Home');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toContainText('epoch 1/5', { timeout: 20_000 });
  await page.waitForTimeout(3000);
  const text = (await page.getByTestId('train-status').textContent()) ?? '';
  const batch = Number(/batch (\d+)\//.exec(text)?.[1] ?? 0);
  expect(batch, text).toBeLessThanOrEqual(5);
  await speed.focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('train-done')).toContainText('trained 5 epochs', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
