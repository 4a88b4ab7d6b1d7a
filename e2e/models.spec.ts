/**
 * The Models view in the browser host: a model trained on the bundled sample is exported to a JSON file,
 * a tampered copy is refused with the reason, the good file is imported back and classifies an image of
 * the folder; a failed export leaves the earlier file whole. Screenshots go to e2e/artifacts/.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { shot, tmpRoot } from './host.js';
import { openSampleAndTrainView, trainUntilDone, watchConsole } from './train-helpers.js';

test('export a trained model, refuse a tampered copy with the reason, import it back and classify', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-epochs').fill('1');
  await trainUntilDone(page);

  await page.getByRole('button', { name: /^Models/ }).click();
  await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
  await expect(page.getByTestId('model-source')).toContainText('trained here');
  const file = join(tmpRoot(), 'e2e-model.locus.json');
  await page.getByTestId('export-path').fill(file);
  await page.getByTestId('export-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Saved ${file}`);
  const good = await readFile(file, 'utf8');

  // An export that cannot be written is reported; the earlier file is untouched.
  await page.getByTestId('export-path').fill(join(tmpRoot(), 'no-such-folder', 'x.json'));
  await page.getByTestId('export-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText('cannot write the file');
  expect(await readFile(file, 'utf8')).toBe(good);

  // A tampered file: a weight tensor's shape no longer matches the architecture.
  const json = JSON.parse(good) as { model: { params: Record<string, { shape: number[] }> } };
  const first = Object.keys(json.model.params)[0];
  json.model.params[first].shape = [3, 3];
  const bad = join(tmpRoot(), 'e2e-tampered.json');
  await writeFile(bad, JSON.stringify(json));
  await page.getByTestId('import-path').fill(bad);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText('e2e-tampered.json');
  await expect(page.getByTestId('model-outcome')).toContainText(first);
  await shot(page, '20-models-refused');

  await page.getByTestId('import-path').fill(file);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText('Opened');
  await expect(page.getByTestId('model-source')).toContainText('imported');
  await expect(page.getByTestId('model-epochs')).toContainText('1 epoch');
  await page.getByTestId('predict-index').fill('7');
  await page.getByTestId('predict-go').click();
  await expect(page.getByTestId('prediction').locator('li')).toHaveCount(5);
  await page.getByTestId('evaluate-val').click();
  await expect(page.getByTestId('evaluation')).toContainText('accuracy');
  await shot(page, '21-models-imported');
  expect(errors).toEqual([]);
});
