/**
 * The GAN view in the browser host: an image GAN on the bundled sample, started paused and stepped,
 * shows a sample grid that changes with each step; the 2-D toy GAN runs to the end with its plane.
 * Screenshots go to e2e/artifacts/.
 */
import { expect, type Page, test } from '@playwright/test';
import { shot } from './host.js';
import { openSampleAnd, watchConsole } from './train-helpers.js';

const gridPixels = (page: Page): Promise<string> => page.getByTestId('gan-grid').evaluate((c) => (c as HTMLCanvasElement).toDataURL());

test('image GAN: stepping changes the sample grid of the fixed latent codes', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAnd(page, 'GAN');
  await page.getByTestId('gan-mode-image').click();
  await page.getByTestId('gan-epochs').fill('1');
  await page.getByTestId('gan-batch').fill('32');
  await page.getByTestId('gan-width').fill('8');
  await page.getByTestId('gan-every').fill('1');
  await page.getByRole('button', { name: 'Start paused' }).click();
  await expect(page.getByTestId('gan-grid')).toHaveAttribute('data-step', '0');
  const before = await gridPixels(page);
  await page.getByTestId('gan-step').click();
  await expect(page.getByTestId('gan-grid')).toHaveAttribute('data-step', '1');
  await page.getByTestId('gan-step').click();
  await expect(page.getByTestId('gan-grid')).toHaveAttribute('data-step', '2');
  expect(await gridPixels(page)).not.toBe(before);
  await expect.poll(async () => Number(await page.getByTestId('gan-chart-loss').getAttribute('data-points'))).toBe(4);
  await shot(page, '30-gan-images');
  await page.getByTestId('gan-stop').click();
  await expect(page.getByTestId('gan-done')).toContainText('stopped during epoch 1 after step 2');
  expect(errors).toEqual([]);
});

test('2-D toy GAN: the generated cloud, the real one and the surface, to the end', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAnd(page, 'GAN');
  await page.getByTestId('gan-mode-toy').click();
  await page.getByTestId('gan-toy-set').selectOption('rings');
  await page.getByTestId('gan-steps').fill('400');
  await page.getByTestId('gan-start').click();
  await expect(page.getByTestId('gan-done')).toContainText('trained 400 steps', { timeout: 60_000 });
  await expect(page.getByTestId('gan-toy')).toHaveAttribute('data-step', '400');
  await shot(page, '31-gan-toy');
  expect(errors).toEqual([]);
});
