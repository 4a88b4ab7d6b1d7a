/**
 * README.md's five-minute tour, step by step, in the browser host, finding every control by the name
 * the README gives it (Bundled sample, Ctrl+2, Train, Compare runs, Ctrl+4, Run all, Pause all, a
 * dragged k-means prototype, Ctrl+Z, Freeze, Ctrl+6, Export): a control renamed in the app without the
 * README fails here. It also makes the README's and docs/app.md's screenshots: they go to
 * e2e/artifacts/ like every spec's, and to docs/images/ when LOCUS_DOCS_IMAGES=1
 * (`LOCUS_DOCS_IMAGES=1 npm run test:e2e -- tour.spec.ts` after `npm run build`), so the pictures in
 * the docs are always the app as it is.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { hostCall, hostUrl, ROOT, shot, tmpRoot } from './host.js';
import { watchConsole } from './train-helpers.js';

/** The screenshots the docs show, by file name in docs/images/ (docs-links.test.ts checks each is made here). */
export const DOC_IMAGES = ['train-compare', 'cluster-dragged'] as const;

async function docShot(page: Page, name: (typeof DOC_IMAGES)[number]): Promise<void> {
  await shot(page, `tour-${name}`);
  if (process.env.LOCUS_DOCS_IMAGES !== '1') return;
  await mkdir(join(ROOT, 'docs', 'images'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'docs', 'images', `${name}.png`) });
}

/** The view beside the navigation (the nav's Train button has the same name as the form's). */
const view = (page: Page) => page.getByRole('main');
const points = async (page: Page, id: string): Promise<number> => Number(await page.getByTestId(id).getAttribute('data-points'));

test('the README tour: open the bundled sample, train, compare two runs, drag a prototype, export', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchConsole(page);
  // Earlier specs leave classifier runs in the shared workspace; the tour starts from none, as a new user does.
  const listed = (await hostCall('runs.list', { kind: 'classifier' })) as { ok: boolean; result?: { runs: { id: string }[] } };
  expect(listed.ok).toBe(true);
  for (const r of listed.result?.runs ?? []) expect((await hostCall('runs.remove', { id: r.id })).ok).toBe(true);

  // 1. Open a folder: Locus starts in Data; Bundled sample (600 images in 10 classes).
  await page.goto(hostUrl());
  await expect(page.getByTestId('data-asking')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Data' })).toBeVisible();
  const name = page.getByTestId('dataset-name');
  // The engine keeps an earlier spec's folder: open another the way the README says, then the sample.
  if (await name.isVisible()) await page.getByRole('button', { name: 'Sample', exact: true }).click();
  else {
    await expect(page.getByRole('button', { name: 'Browse…' })).toBeVisible();
    await page.getByRole('button', { name: 'Bundled sample' }).click();
  }
  await expect(name).toHaveText('fashion-mnist', { timeout: 60_000 });
  await expect(page.getByTestId('stat-images')).toHaveText('600', { timeout: 60_000 });
  await expect(page.getByTestId('stat-classes')).toHaveText('10');

  // 2. Train (Ctrl+2): the form starts on LeNet-5 with Adam at 0.001, 5 epochs, batch 32, seed 1.
  await page.keyboard.press('Control+2');
  await expect(page.getByRole('heading', { name: 'Train' })).toBeVisible();
  await expect(page.getByLabel('Architecture')).toHaveValue('lenet5');
  await expect(page.getByLabel('Method')).toHaveValue('adam');
  await expect(page.getByLabel('Learning rate')).toHaveValue('0.001');
  await expect(page.getByLabel('Epochs')).toHaveValue('5');
  await expect(page.getByLabel('Batch', { exact: true })).toHaveValue('32');
  await expect(page.getByLabel('Seed')).toHaveValue('1');
  // Two epochs instead of five keep the suite short; everything else is the defaults.
  await page.getByLabel('Epochs').fill('2');
  await view(page).getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('train-done')).toContainText('trained 2 epochs', { timeout: 120_000 });
  await expect(page.getByRole('heading', { name: 'Layers' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Inside the network' })).toBeVisible();
  await expect(page.getByTestId('train-confusion')).toBeVisible();

  // 3. Compare runs: change one thing (the optimizer to Momentum) and train again.
  await page.getByLabel('Method').selectOption({ label: 'Momentum' });
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(1);
  await view(page).getByRole('button', { name: 'Train', exact: true }).click();
  await expect(rows).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByTestId('train-done')).toContainText('trained 2 epochs', { timeout: 120_000 });
  await expect(page.getByRole('heading', { name: 'Compare runs' })).toBeVisible();
  await expect(rows.first().getByTestId('run-label')).toContainText('Momentum');
  await expect(rows.nth(1).getByTestId('run-label')).toContainText('Adam');
  await expect.poll(() => points(page, 'chart-compare'), { message: 'both runs drawn' }).toBe(4);
  for (const mark of ['↻', '⤓', '×']) await expect(rows.first().getByRole('button', { name: mark })).toHaveCount(0); // named in words
  await expect(rows.first().getByRole('button', { name: /^Continue / })).toBeVisible();
  await expect(rows.first().getByRole('button', { name: /^Export / })).toBeVisible();
  await expect(rows.first().getByRole('button', { name: /^Remove / })).toBeVisible();
  await docShot(page, 'train-compare');

  // 4. Cluster, and drag a prototype (Ctrl+4): Run all, Pause all, drag a k-means prototype onto another.
  await page.keyboard.press('Control+4');
  await expect(page.getByRole('heading', { name: 'Clustering' })).toBeVisible();
  const km = page.getByTestId('cluster-panel-0');
  await expect(km).toHaveAttribute('data-algorithm', 'kmeans');
  await expect(page.getByTestId('cluster-panel-1')).toHaveAttribute('data-algorithm', 'art2a');
  await expect(page.getByTestId('cluster-panel-2')).toHaveAttribute('data-algorithm', 'som');
  await expect(km.getByTestId('proto-1')).toBeAttached({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Run all' }).click();
  await expect.poll(async () => Number((await km.locator('[data-fig="steps"] dd').innerText()).replace(/,/g, '')), { timeout: 30_000 }).toBeGreaterThan(300);
  await page.getByRole('button', { name: 'Pause all' }).click();
  await expect(page.getByRole('button', { name: 'Run all' })).toBeVisible();
  const a = await km.getByTestId('proto-0').boundingBox();
  const b = await km.getByTestId('proto-1').boundingBox();
  if (!a || !b) throw new Error('prototype handles have no box');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  for (let t = 1; t <= 8; t++) await page.mouse.move(a.x + a.width / 2 + ((b.x - a.x) * t) / 8, a.y + a.height / 2 + ((b.y - a.y) * t) / 8);
  await page.mouse.up();
  // The status line says how many samples moved.
  const status = km.getByTestId('edit-status');
  await expect(status).toContainText('Moved prototype 1');
  await expect.poll(async () => Number(await status.getAttribute('data-changed'))).toBeGreaterThan(0);
  await expect(status).toContainText(/\d+ samples? changed cluster/);
  await docShot(page, 'cluster-dragged');
  await page.keyboard.press('Control+z');
  await expect(status).toContainText('Undone');
  // Freeze one (the dragged prototype is still selected), so training leaves it alone.
  await km.getByRole('button', { name: 'Freeze', exact: true }).click();
  await expect(status).toContainText('Froze prototype 1');
  await expect(page.getByTestId('cluster-panel-1').getByRole('slider', { name: /vigilance/i })).toBeVisible();
  await expect(page.getByTestId('cluster-panel-2').getByTestId('umatrix')).toBeVisible();

  // 5. Export (Ctrl+6): in the browser, type a path and click Export.
  await page.keyboard.press('Control+6');
  await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Take it further' })).toBeVisible();
  const file = join(tmpRoot(), 'tour-model.locus.json');
  await page.getByLabel('Export to path').fill(file);
  // (Take it further has an Export button of its own, in its own form.)
  await page.locator('form', { has: page.getByLabel('Export to path') }).getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('model-outcome')).toContainText(`Saved ${file}`);
  expect((await stat(file)).size).toBeGreaterThan(1000);
  expect(errors).toEqual([]);
});
