/**
 * The Models view's "Take it further" card in the browser host: a model trained on the bundled sample
 * is exported as a PyTorch package (a folder) and as an ONNX file; a target that holds someone else's
 * file is refused with the reason and replaced only after "Replace it". Opened GAN and sequence model
 * files export to both formats too, and onnxruntime-web runs the ONNX files as Locus runs the models.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { Rng } from '../engine/core/rng.js';
import { tensor } from '../engine/core/tensor.js';
import { ganFromFile } from '../engine/io/gan.js';
import { readModelFile } from '../engine/io/index.js';
import { ortRun } from '../engine/io/onnx/testkit.js';
import { maxAbsDiff } from '../engine/io/pytorch/testkit.js';
import { sequenceFromFile } from '../engine/io/sequence.js';
import { shot, tmpRoot } from './host.js';
import { writeGan, writeSequence } from './model-files.js';
import { openSampleAnd, openSampleAndTrainView, trainUntilDone, watchConsole } from './train-helpers.js';

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

test('an opened GAN and sequence model file go to PyTorch (both networks; the generated series) and ONNX, which runs as Locus does', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const root = join(tmpRoot(), `e2e-take-it-further-files-${process.pid}`);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const ganPath = join(root, 'shoes-gan.locus.json');
  const seqPath = join(root, 'memory.locus.json');
  await writeGan(ganPath);
  await writeSequence(seqPath);
  await openSampleAnd(page, 'Models');

  await page.getByTestId('import-path').fill(ganPath);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-kind')).toHaveText('GAN (image generator)');
  const ganPkg = join(root, 'gan-pytorch');
  await page.getByTestId('external-format').selectOption('pytorch');
  await page.getByTestId('external-path').fill(ganPkg);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote the PyTorch package ${ganPkg}`);
  const ganInfo = JSON.parse(await readFile(join(ganPkg, 'locus.json'), 'utf8'));
  expect(ganInfo.kind).toBe('gan');
  const manifest = JSON.parse(await readFile(join(ganPkg, 'weights.json'), 'utf8')) as { tensors: { name: string }[] };
  const names = manifest.tensors.map((t) => t.name);
  expect(names.some((n) => n.startsWith('generator.'))).toBe(true);
  expect(names.some((n) => n.startsWith('discriminator.'))).toBe(true);

  const ganOnnx = join(root, 'gan-generator.onnx');
  await page.getByTestId('external-format').selectOption('onnx');
  await page.getByTestId('external-path').fill(ganOnnx);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote ${ganOnnx} (ONNX`);
  const { gan } = ganFromFile(await readModelFile(ganPath));
  const z = gan.sampleLatent(2, new Rng(4));
  const got = await ortRun(new Uint8Array(await readFile(ganOnnx)), z.data, z.shape);
  expect(got.shape).toEqual([2, 1, 28, 28]);
  expect(maxAbsDiff(got.data, gan.generate(z, new Rng(0)).data)).toBeLessThan(1e-5);

  await page.getByTestId('import-path').fill(seqPath);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-kind')).toHaveText('sequence model');
  const seqPkg = join(root, 'memory-pytorch');
  await page.getByTestId('external-format').selectOption('pytorch');
  await page.getByTestId('external-path').fill(seqPkg);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote the PyTorch package ${seqPkg}`);
  expect((await readdir(seqPkg)).sort()).toEqual(['data.py', 'locus.json', 'model.py', 'series.bin', 'series.json', 'train.py', 'weights.bin', 'weights.json']);

  const seqOnnx = join(root, 'memory.onnx');
  await page.getByTestId('external-format').selectOption('onnx');
  await page.getByTestId('external-path').fill(seqOnnx);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote ${seqOnnx} (ONNX`);
  const s = sequenceFromFile(await readModelFile(seqPath));
  const x = tensor([2, 6, 3], Float32Array.from({ length: 36 }, (_, i) => Math.sin(i)));
  const out = await ortRun(new Uint8Array(await readFile(seqOnnx)), x.data, x.shape);
  expect(maxAbsDiff(out.data, s.model.predict(x, new Rng(0)).data)).toBeLessThan(1e-5);
  expect(errors).toEqual([]);
  await rm(root, { recursive: true, force: true });
});
