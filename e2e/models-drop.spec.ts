/**
 * Classify by dropping image files on the Models view, or choosing them with its file input, in the
 * browser host: the file's bytes go to the engine (never a path), which decodes them as it decodes a
 * folder's files; the view shows the image with its top three classes, the same as classifying the
 * same file by its path; a file that is not an image is refused with the reason.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { hostCall, shot, tmpRoot, writeShape } from './host.js';
import { writeClassifier } from './model-files.js';
import { openSampleAnd, watchConsole } from './train-helpers.js';

interface Ranked {
  class: string;
  probability: number;
}

test('drop an image on the Models view or choose one: its top 3 classes beside it; a text file is refused', async ({ page }) => {
  const errors = watchConsole(page);
  const root = join(tmpRoot(), `e2e-models-drop-${process.pid}`);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const model = join(root, 'shapes.locus.json');
  await writeClassifier(model);
  const disc = join(root, 'disc.png');
  await writeShape(disc, 'disc', 200, 40);
  await openSampleAnd(page, 'Models');
  await page.getByTestId('import-path').fill(model);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-classes')).toContainText('4 — disc, square, bar, ring');

  // What the engine says for the same file by path (the reference).
  const ref = await hostCall('models.predict', { path: disc });
  expect(ref.ok).toBe(true);
  const top = (ref.result as { top: Ranked[] }).top.slice(0, 3);

  // Drop it: a DataTransfer built in the page with the file's bytes, dropped on the view.
  const bytes = [...(await readFile(disc))];
  await page.getByTestId('models-view').evaluate((el, b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'disc.png', { type: 'image/png' }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, bytes);
  const rows = page.getByTestId('prediction-class');
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(rows.nth(i)).toContainText(top[i].class);
    await expect(rows.nth(i)).toContainText(`${(100 * top[i].probability).toFixed(1)}%`);
  }
  await expect(page.getByTestId('prediction-original')).toBeVisible();
  await expect(page.getByTestId('prediction-original')).toHaveJSProperty('naturalWidth', 40);
  await shot(page, '64-models-dropped');

  // Choose one with the file input instead: a square this time.
  const square = join(root, 'square.png');
  await writeShape(square, 'square', 40, 40);
  const ref2 = (await hostCall('models.predict', { path: square })).result as { top: Ranked[] };
  await page.getByTestId('predict-file').setInputFiles(square);
  await expect(rows.first()).toContainText(`${(100 * ref2.top[0].probability).toFixed(1)}%`);
  await expect(rows).toHaveCount(3);

  // A text file named like an image: refused with the reason, nothing classified.
  const notes = join(root, 'notes.png');
  await writeFile(notes, 'these are my notes, not a picture');
  await page.getByTestId('predict-file').setInputFiles(notes);
  await expect(page.getByTestId('predict-error')).toContainText('notes.png: not an image: text file (despite the .png name)');
  await expect(page.getByTestId('prediction')).toHaveCount(0);
  expect(errors).toEqual([]);
  await rm(root, { recursive: true, force: true });
});
