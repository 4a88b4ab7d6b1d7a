/**
 * The Models view with GAN and sequence model files, in the browser host: each opens and says what it
 * is (kind, layers, parameters, the data it was trained on), a damaged one is refused with the reason;
 * each exports to TensorFlow.js (a folder that @tensorflow/tfjs's loadLayersModel reads in Node, and
 * that computes what the engine computes), a foreign folder is replaced only after "Replace it"; and
 * "Continue training" takes a sequence model and a GAN to their views, where the run continues the file.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { Rng } from '../engine/core/rng.js';
import { ganFromFile } from '../engine/io/gan.js';
import { readModelFile } from '../engine/io/index.js';
import { sequenceFromFile } from '../engine/io/sequence.js';
import { folderHandler, maxAbsDiff, tf, tfPredict } from '../engine/io/tfjs-testkit.js';
import { tensor } from '../engine/core/tensor.js';
import { hostCall, shot, tmpRoot } from './host.js';
import { writeGan, writeSequence } from './model-files.js';
import { openSampleAnd, watchConsole } from './train-helpers.js';

test('open a GAN and a sequence model file, export each to TensorFlow.js, continue training both', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const root = join(tmpRoot(), `e2e-models-tfjs-${process.pid}`);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const ganPath = join(root, 'shoes-gan.locus.json');
  const seqPath = join(root, 'memory.locus.json');
  await writeGan(ganPath);
  await writeSequence(seqPath);
  await openSampleAnd(page, 'Models');

  // The GAN: what it is and what it was trained on.
  await page.getByTestId('import-path').fill(ganPath);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Opened ${ganPath}: a GAN making 28×28 greyscale images from 8 latent values`);
  await expect(page.getByTestId('model-kind')).toHaveText('GAN (image generator)');
  await expect(page.getByTestId('model-data')).toContainText('28×28 greyscale images scaled to [-1, 1]; 1 epoch in batches of 32');
  const g = ganFromFile(await readModelFile(ganPath));
  const params = [...g.gan.generator.params(), ...g.gan.discriminator.params()].reduce((a, p) => a + p.value.length, 0);
  await expect(page.getByTestId('model-params')).toContainText(`${params.toLocaleString('en-US')} parameters`);
  await expect(page.getByTestId('model-layers')).toContainText('generator: ');
  await shot(page, '60-models-gan-opened');

  // Its generator to TensorFlow.js: loadLayersModel reads the folder; latent codes in, the same images out.
  const ganOut = join(root, 'gan-tfjs');
  await page.getByTestId('external-format').selectOption('tfjs');
  await page.getByTestId('external-path').fill(ganOut);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote ${ganOut}/model.json and its weights (TensorFlow.js layers format`);
  const json = JSON.parse(await readFile(join(ganOut, 'model.json'), 'utf8'));
  expect(json.format).toBe('layers-model');
  expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
  const gm = await tf.loadLayersModel(folderHandler(ganOut));
  const z = g.gan.sampleLatent(2, new Rng(3));
  const images = gm.predict(tf.tensor(z.data, [...z.shape])) as import('@tensorflow/tfjs').Tensor;
  expect(images.shape).toEqual([2, 28, 28, 1]);
  const ours = g.gan.generate(z, new Rng(0)).data;
  expect(maxAbsDiff(Float32Array.from(await images.data()), ours)).toBeLessThan(1e-4);

  // A folder that holds someone else's files: refused and left alone, replaced once confirmed.
  const project = join(root, 'project');
  await mkdir(project);
  await writeFile(join(project, 'notes.txt'), 'mine');
  await page.getByTestId('external-path').fill(project);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText('it was not replaced');
  expect(await readFile(join(project, 'notes.txt'), 'utf8')).toBe('mine');
  await page.getByTestId('external-overwrite').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote ${project}/model.json`);
  await tf.loadLayersModel(folderHandler(project));

  // The sequence model.
  await page.getByTestId('import-path').fill(seqPath);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-kind')).toHaveText('sequence model');
  await expect(page.getByTestId('model-what')).toHaveText('a sequence model (LSTM) that classifies into 2 classes from 6 steps of 3 features');
  await expect(page.getByTestId('model-data')).toContainText('generated "memory" series of 6 steps');
  const seqOut = join(root, 'seq-tfjs');
  await page.getByTestId('external-path').fill(seqOut);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Wrote ${seqOut}/model.json`);
  const sm = await tf.loadLayersModel(folderHandler(seqOut));
  const s = sequenceFromFile(await readModelFile(seqPath));
  const x = tensor([2, 6, 3], Float32Array.from({ length: 36 }, (_, i) => Math.sin(i)));
  expect(maxAbsDiff(tfPredict(sm, x).data, s.model.predict(x, new Rng(0)).data)).toBeLessThan(1e-4);
  await shot(page, '61-models-sequence-tfjs');

  // A damaged file is refused with the reason; the opened model stays.
  const bad = JSON.parse(await readFile(seqPath, 'utf8'));
  bad.model.classes = ['0'];
  const badPath = join(root, 'bad.locus.json');
  await writeFile(badPath, JSON.stringify(bad));
  await page.getByTestId('import-path').fill(badPath);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-outcome')).toContainText('1 class names for 2 outputs');
  await expect(page.getByTestId('model-kind')).toHaveText('sequence model');

  // Continue training the sequence model: the Sequence view says which file it continues; the run does.
  await page.getByTestId('continue-go').click();
  await expect(page.getByRole('heading', { name: 'Sequence' })).toBeVisible();
  await expect(page.getByTestId('continue-note')).toContainText('Continues memory.locus.json');
  await shot(page, '62-sequence-continues-file');
  await page.getByTestId('seq-start').click();
  await expect(page.getByTestId('seq-run-name')).toContainText('lstm continued · memory');
  await expect(page.getByTestId('seq-done')).toContainText('trained', { timeout: 60_000 });
  const seqAgain = join(root, 'memory-continued.locus.json');
  expect((await hostCall('sequence.export', { path: seqAgain })).ok).toBe(true);
  const continued = sequenceFromFile(await readModelFile(seqAgain));
  expect(continued.training.history[0]).toEqual(s.training.history[0]);
  expect(continued.training.history.length).toBeGreaterThan(1);
  expect(continued.model.spec()).toEqual(s.model.spec());
  await page.getByRole('button', { name: /^Models/ }).click();

  // And the GAN, on the loaded sample (28x28 greyscale, as the GAN makes).
  await page.getByTestId('import-path').fill(ganPath);
  await page.getByTestId('import-go').click();
  await expect(page.getByTestId('model-kind')).toHaveText('GAN (image generator)');
  await page.getByTestId('continue-go').click();
  await expect(page.getByRole('heading', { name: 'GAN' })).toBeVisible();
  await expect(page.getByTestId('continue-note')).toContainText('Continues shoes-gan.locus.json');
  await page.getByTestId('gan-epochs').fill('1');
  await page.getByTestId('gan-start').click();
  await expect(page.getByTestId('gan-done')).toContainText('trained 1 epoch', { timeout: 90_000 });
  const ganAgain = join(root, 'gan-continued.locus.json');
  expect((await hostCall('gan.export', { path: ganAgain })).ok).toBe(true);
  const g2 = ganFromFile(await readModelFile(ganAgain));
  expect(g2.gan.latent).toBe(8);
  expect(g2.gan.generator.spec()).toEqual(g.gan.generator.spec());
  expect(g2.training.history.map((h) => h.epoch)).toEqual([1, 2]);
  await shot(page, '63-gan-continued');
  expect(errors).toEqual([]);
  await rm(root, { recursive: true, force: true });
});
