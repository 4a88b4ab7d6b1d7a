/**
 * The Clustering view in the browser host: k-means, ART-2A and a SOM side by side on the bundled
 * sample; a prototype dragged with the mouse (the engine reports the samples that changed cluster and
 * the scatter is redrawn), undo, keyboard moves, the vigilance slider, the SOM's U-matrix; then RBF
 * and mixture-of-experts panels on a toy set. Screenshots go to e2e/artifacts/.
 */
import { expect, type Locator, type Page, test } from '@playwright/test';
import { hostUrl, shot } from './host.js';
import { openSample } from './train-helpers.js';


function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A digest of a canvas's pixels (to tell whether a redraw changed anything) and how varied they are. */
async function canvasDigest(canvas: Locator): Promise<{ hash: number; distinct: number }> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!d) return { hash: 0, distinct: 0 };
    let h = 2166136261;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      h = Math.imul(h ^ v, 16777619) >>> 0;
      if (seen.size < 64) seen.add(v);
    }
    return { hash: h, distinct: seen.size };
  });
}

const figure = (panel: Locator, id: string): Locator => panel.locator(`[data-fig="${id}"] dd`);
const asNumber = async (l: Locator): Promise<number> => parseFloat((await l.innerText()).replace(/,/g, ''));


test('k-means, ART-2A and a SOM side by side on the sample: drag, undo, keyboard, vigilance, U-matrix', async ({ page }) => {
  const errors = watchConsole(page);
  await openSample(page);
  await page.getByRole('button', { name: /^Clustering/ }).click();
  await expect(page.getByRole('heading', { name: 'Clustering' })).toBeVisible();
  const [km, art, som] = [0, 1, 2].map((i) => page.getByTestId(`cluster-panel-${i}`));
  await expect(km).toHaveAttribute('data-algorithm', 'kmeans');
  await expect(art).toHaveAttribute('data-algorithm', 'art2a');
  await expect(som).toHaveAttribute('data-algorithm', 'som');
  // k-means and the SOM start with prototypes; ART-2A makes its categories as samples arrive.
  for (const p of [km, som]) await expect(p.getByTestId('proto-0')).toBeAttached({ timeout: 60_000 });
  await expect(art.getByTestId('category-count')).toHaveText('0 categories');
  await expect(page.getByTestId('cluster-source')).toContainText('fashion-mnist');
  await shot(page, 'cluster-01-sample');

  // Train all three for a moment, then pause.
  await page.getByTestId('run-all').click();
  await expect.poll(() => asNumber(figure(som, 'steps')), { timeout: 30_000 }).toBeGreaterThan(300);
  await page.getByTestId('pause-all').click();
  await expect(page.getByTestId('run-all')).toBeVisible();
  expect(await asNumber(figure(km, 'steps'))).toBeGreaterThan(0);
  expect(await asNumber(art.getByTestId('category-count'))).toBeGreaterThan(0);
  expect(await asNumber(figure(km, 'inertia'))).toBeGreaterThan(0);

  // The SOM's U-matrix and mosaic are drawn.
  await expect.poll(async () => (await canvasDigest(som.getByTestId('umatrix'))).distinct).toBeGreaterThan(4);
  await expect.poll(async () => (await canvasDigest(som.getByTestId('som-mosaic'))).distinct).toBeGreaterThan(4);
  await expect(km.getByTestId('proto-strip').locator('canvas')).toHaveCount(10);
  await shot(page, 'cluster-02-trained');

  // Drag k-means prototype 1 onto prototype 2: the engine reports the samples that changed cluster.
  const scatter = km.getByTestId('scatter').locator('canvas');
  const before = await canvasDigest(scatter);
  const a = await km.getByTestId('proto-0').boundingBox();
  const b = await km.getByTestId('proto-1').boundingBox();
  if (!a || !b) throw new Error('prototype handles have no box');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  for (let t = 1; t <= 8; t++) {
    await page.mouse.move(a.x + a.width / 2 + ((b.x - a.x) * t) / 8, a.y + a.height / 2 + ((b.y - a.y) * t) / 8);
  }
  await page.mouse.up();
  const status = km.getByTestId('edit-status');
  await expect(status).toContainText('Moved prototype 1');
  await expect.poll(async () => Number(await status.getAttribute('data-changed'))).toBeGreaterThan(0);
  await expect.poll(async () => (await canvasDigest(scatter)).hash).not.toBe(before.hash);
  await shot(page, 'cluster-03-dragged');

  // Undo (Ctrl+Z) puts it back; the reply names the samples that went back.
  await page.keyboard.press('Control+z');
  await expect(status).toContainText('Undone');
  await expect(km.getByTestId('undo')).toBeDisabled();
  expect(Number(await status.getAttribute('data-changed'))).toBeGreaterThan(0);

  // The keyboard: focus a prototype, move it with the arrows, undo with the button.
  await km.getByTestId('proto-2').focus();
  for (let t = 0; t < 4; t++) await page.keyboard.press('Shift+ArrowLeft');
  await expect(status).toContainText('Moved prototype 3');
  await expect(km.getByTestId('undo')).toBeEnabled();
  await km.getByTestId('undo').click();
  await expect(status).toContainText('Undone');

  // Hovering a sample shows its image, class and cluster.
  const box = await km.getByTestId('scatter').boundingBox();
  if (!box) throw new Error('the plane has no box');
  const card = km.locator('.hovercard');
  let shown = false;
  for (let t = 0.2; t <= 0.8 && !shown; t += 0.02) {
    await page.mouse.move(box.x + box.width * t, box.y + box.height * 0.6);
    shown = await card.isVisible();
  }
  expect(shown).toBe(true);
  await expect(card).toContainText(/Sample \d+/);
  await expect(card).toContainText(/prototype \d+/);
  await expect.poll(async () => (await canvasDigest(card.locator('canvas'))).distinct).toBeGreaterThan(2);
  await shot(page, 'cluster-04-hover');
  // Shift+click that sample: the selected prototype (3, from the keyboard) is put on it; then undo.
  await page.keyboard.down('Shift');
  await page.mouse.down();
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(status).toContainText(/Put prototype 3 on sample \d+/);
  await km.getByTestId('undo').click();
  await expect(status).toContainText('Undone');

  // Freeze, add and remove.
  await km.getByTestId('freeze').click();
  await expect(status).toContainText('Froze prototype 3');
  await km.getByTestId('add').click();
  await expect(status).toContainText('Added prototype 11');
  await expect(figure(km, 'k')).toHaveText('11');
  await km.getByTestId('remove').click();
  await expect(figure(km, 'k')).toHaveText('10');

  // ART vigilance: a higher vigilance leaves samples unplaced; training makes categories for them.
  const cats = await asNumber(art.getByTestId('category-count'));
  await art.getByTestId('vigilance').fill('0.75');
  await expect.poll(() => asNumber(figure(art, 'unassigned'))).toBeGreaterThan(0);
  await art.getByTestId('step').click();
  await art.getByRole('combobox', { name: 'Samples per step' }).selectOption('epoch');
  await art.getByTestId('step').click();
  await expect.poll(() => asNumber(art.getByTestId('category-count'))).toBeGreaterThan(cats);
  await expect(art.getByTestId('art-last')).toContainText('Sample');
  await shot(page, 'cluster-05-edited');

  await page.getByRole('radio', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, 'cluster-06-dark');
  await page.getByRole('radio', { name: 'System' }).click();

  // Settings, and fewer panels side by side.
  await km.getByRole('button', { name: 'Settings of panel 1' }).click();
  await expect(km.getByLabel('Clusters k')).toHaveValue('10');
  await shot(page, 'cluster-07-settings');
  await km.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('radio', { name: '2 panels' }).click();
  await expect(page.getByTestId('cluster-panel-2')).toHaveCount(0);
  await shot(page, 'cluster-08-two-panels');
  expect(errors).toEqual([]);
});

test('toy sets: RBF stages one at a time and a mixture of experts with gating regions', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(hostUrl());
  await page.getByRole('button', { name: /^Clustering/ }).click();
  await page.getByTestId('source-toy').click();
  await page.getByTestId('toy-name').selectOption('moons');
  await expect(page.getByTestId('cluster-source')).toContainText('moons');
  const rbf = page.getByTestId('cluster-panel-1');
  const moe = page.getByTestId('cluster-panel-2');
  await rbf.getByTestId('algorithm').selectOption('rbf');
  await expect(rbf).toHaveAttribute('data-algorithm', 'rbf');
  for (const stage of ['1 · Place centres', '2 · Set spreads', '3 · Fit weights']) {
    await expect(rbf.getByTestId('step')).toContainText(stage);
    await rbf.getByTestId('step').click();
  }
  await expect(rbf.getByTestId('step')).toContainText('Fine-tune');
  await expect.poll(() => asNumber(figure(rbf, 'acc'))).toBeGreaterThan(80);
  // An RBF network's prototypes are centres, and the edit status says so.
  await rbf.getByTestId('proto-0').focus();
  await page.keyboard.press('ArrowRight');
  await expect(rbf.getByTestId('edit-status')).toContainText('Moved centre 1');
  await rbf.getByTestId('undo').click();
  await expect(rbf.getByTestId('edit-status')).toContainText('Undone');
  await moe.getByTestId('algorithm').selectOption('moe');
  await expect(moe).toHaveAttribute('data-algorithm', 'moe');
  await moe.getByTestId('run').click();
  await expect.poll(() => asNumber(figure(moe, 'steps')), { timeout: 30_000 }).toBeGreaterThan(20);
  await moe.getByTestId('pause').click();
  await moe.getByRole('combobox', { name: 'Regions' }).selectOption('gating');
  // The gating legend: one entry per expert (4 by default), with its share of the samples.
  const experts = moe.getByTestId('expert-legend').locator('li');
  await expect(experts).toHaveCount(4);
  await expect(experts.first()).toHaveText(/^Expert 1 · \d+%$/);
  const shares = await experts.evaluateAll((li) => li.map((e) => Number(/(\d+)%/.exec(e.textContent ?? '')?.[1] ?? NaN)));
  expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThanOrEqual(4);
  // Fuzzy ART on the plane: its categories are boxes.
  const km = page.getByTestId('cluster-panel-0');
  await km.getByTestId('algorithm').selectOption('fuzzy-art');
  await km.getByRole('combobox', { name: 'Samples per step' }).selectOption('epoch');
  await km.getByTestId('step').click();
  await expect.poll(() => asNumber(km.getByTestId('category-count'))).toBeGreaterThan(1);
  await shot(page, 'cluster-09-toy');
  expect(errors).toEqual([]);
});
