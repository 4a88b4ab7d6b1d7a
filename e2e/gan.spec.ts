/**
 * The GAN view in the browser host: an image GAN on the bundled sample, started paused and stepped,
 * shows a sample grid that changes with each step and exports to a gan model file that reads back; the
 * 2-D toy GAN runs to the end with its plane (and cannot be exported). Screenshots go to e2e/artifacts/.
 */
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { ganFromFile } from '../engine/io/gan.js';
import { readModelFile } from '../engine/io/index.js';
import { shot, tmpRoot } from './host.js';
import { openSampleAnd, watchConsole } from './train-helpers.js';

const gridPixels = (page: Page): Promise<string> => page.getByTestId('gan-grid').evaluate((c) => (c as HTMLCanvasElement).toDataURL());

test('image GAN: after an epoch on 28x28 grey images the status line shows the confident-samples score', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAnd(page, 'GAN');
  await page.getByTestId('gan-mode-image').click();
  await page.getByTestId('gan-epochs').fill('1');
  await page.getByTestId('gan-width').fill('4');
  await page.getByTestId('gan-start').click();
  await expect(page.getByTestId('gan-done')).toContainText('trained 1 epoch', { timeout: 60_000 });
  await expect(page.getByTestId('gan-score')).toHaveText(/confident samples: \d+% \(real photos: \d+%\)/);
  expect(errors).toEqual([]);
});

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

  const out = join(tmpRoot(), 'gan-sample.locus.json');
  await page.getByTestId('gan-export-path').fill(out);
  await page.getByTestId('gan-export').click();
  await expect(page.getByTestId('gan-exported')).toContainText('Saved');
  // Read it back as locus info does: the schema and every check, then both networks rebuilt.
  const file = await readModelFile(out);
  expect(file.kind).toBe('gan');
  const loaded = ganFromFile(file);
  expect(loaded.input).toEqual({ channels: 1, height: 28, width: 28 });
  expect(loaded.optimizers?.generator.getState().t).toBe(2);
  await page.getByTestId('gan-export-path').fill(join(tmpRoot(), 'no-such-folder', 'gan.json'));
  await page.getByTestId('gan-export').click();
  await expect(page.getByTestId('gan-exported')).toContainText('cannot write the file');
  await page.getByTestId('gan-stop').click();
  await expect(page.getByTestId('gan-done')).toContainText('stopped during epoch 1 after step 2');
  expect(errors).toEqual([]);
});

test('2-D toy GAN: the generated cloud, the real one and the surface, to the end', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAnd(page, 'GAN');
  await page.getByTestId('gan-mode-toy').click();
  await expect(page.getByTestId('gan-export')).toBeDisabled();
  await expect(page.getByTestId('gan-export')).toHaveAttribute('title', /not a model-file kind/);
  await page.getByTestId('gan-toy-set').selectOption('rings');
  await page.getByTestId('gan-steps').fill('400');
  await page.getByTestId('gan-start').click();
  await expect(page.getByTestId('gan-done')).toContainText('trained 400 steps', { timeout: 60_000 });
  await expect(page.getByTestId('gan-toy')).toHaveAttribute('data-step', '400');
  await shot(page, '31-gan-toy');
  expect(errors).toEqual([]);
});
