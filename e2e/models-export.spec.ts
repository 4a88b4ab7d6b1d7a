/**
 * The Models view's "Take it further" card in the browser host: a model trained on the bundled sample
 * is exported as a PyTorch package (a folder) and as an ONNX file; a target that holds someone else's
 * file is refused with the reason and replaced only after "Replace it".
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { shot, tmpRoot } from './host.js';
import { openSampleAndTrainView, trainUntilDone, watchConsole } from './train-helpers.js';

test('export the current model to PyTorch and ONNX; a foreign target is replaced only when confirmed', async ({ page }) => {
  const errors = watchConsole(page);
  const root = join(tmpRoot(), `e2e-take-it-further-${process.pid}`);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await openSampleAndTrainView(page);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-epochs').fill('1');
  await trainUntilDone(page);
  await page.getByRole('button', { name: /^Models/ }).click();
  await expect(page.getByTestId('external-export')).toBeVisible();

  const pkg = join(root, 'sample-pytorch');
  await page.getByTestId('external-format').selectOption('pytorch');
  await page.getByTestId('external-path').fill(pkg);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote the PyTorch package ${pkg}`);
  expect((await readdir(pkg)).sort()).toEqual(['data.py', 'locus.json', 'model.py', 'train.py', 'weights.bin', 'weights.json']);
  expect(JSON.parse(await readFile(join(pkg, 'locus.json'), 'utf8')).model.classes).toHaveLength(10);
  await shot(page, '22-models-pytorch');

  const onnx = join(root, 'sample.onnx');
  await page.getByTestId('external-format').selectOption('onnx');
  await page.getByTestId('external-path').fill(onnx);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote ${onnx} (ONNX`);
  expect((await readFile(onnx)).subarray(4, 9).toString()).toBe('Locus');

  // A file Locus did not write: refused and left alone, then replaced once the user confirms.
  const notes = join(root, 'notes.onnx');
  await writeFile(notes, 'my notes');
  await page.getByTestId('external-path').fill(notes);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText('it was not replaced');
  expect(await readFile(notes, 'utf8')).toBe('my notes');
  await page.getByTestId('external-overwrite').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote ${notes} (ONNX`);
  expect((await readFile(notes)).subarray(4, 9).toString()).toBe('Locus');
  expect(errors).toEqual([]);
  await rm(root, { recursive: true, force: true });
});
