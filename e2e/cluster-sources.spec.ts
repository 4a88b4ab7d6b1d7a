/**
 * Switching the Clustering view's data source never discards work: train on the folder, move and
 * freeze a prototype, switch to a toy set (its own runs, edited too), back to the folder and to the toy
 * set again, and to another view and back: every run, edit, frozen prototype and undo history is as it
 * was. Closing a panel, or switching a trained panel to another algorithm, can be undone (the run is
 * kept in the engine); after the page is loaded again the engine's runs are offered and shown as they were.
 */
import { expect, type Locator, type Page, test } from '@playwright/test';
import { shot } from './host.js';
import { openSample, watchConsole } from './train-helpers.js';

const figure = (panel: Locator, id: string): Locator => panel.locator(`[data-fig="${id}"] dd`);

/** What a panel shows of its run: steps, the prototypes' places and labels, and the undo button. */
async function state(panel: Locator): Promise<{ steps: string; k: number; handles: string[]; undo: boolean; status: string }> {
  const handles = panel.getByTestId('scatter').locator('[data-testid^="proto-"]');
  const n = await handles.count();
  const out: string[] = [];
  for (let j = 0; j < n; j++) {
    const h = handles.nth(j);
    out.push(`${await h.getAttribute('style')} ${await h.getAttribute('aria-label')}`);
  }
  return {
    steps: await figure(panel, 'steps').innerText(),
    k: n,
    handles: out,
    undo: await panel.getByTestId('undo').isEnabled(),
    status: await panel.getByTestId('edit-status').innerText(),
  };
}

async function chooseSource(page: Page, kind: 'folder' | 'toy', name: RegExp): Promise<void> {
  await page.getByTestId(kind === 'folder' ? 'source-folder' : 'source-toy').click();
  await expect(page.getByTestId('cluster-source')).toHaveText(name);
  await expect(page.getByTestId('source-folder')).toBeEnabled();
}

test('switching source keeps each source\'s runs, edits, frozen prototypes and undo; a closed panel comes back', async ({ page }) => {
  const errors = watchConsole(page);
  await openSample(page);
  await page.getByRole('button', { name: /^Clustering/ }).click();
  await expect(page.getByTestId('cluster-source')).toContainText('fashion-mnist');
  const km = page.getByTestId('cluster-panel-0');
  const som = page.getByTestId('cluster-panel-2');
  await expect(km).toHaveAttribute('data-algorithm', 'kmeans');
  await expect(km.getByTestId('proto-0')).toBeAttached({ timeout: 60_000 });

  // Train k-means on the folder for an epoch, then freeze prototype 2 and move prototype 3.
  await km.getByRole('combobox', { name: 'Samples per step' }).selectOption('epoch');
  await km.getByTestId('step').click();
  await expect.poll(async () => parseFloat((await figure(km, 'steps').innerText()).replace(/,/g, ''))).toBeGreaterThan(0);
  await som.getByTestId('step').click();
  await expect.poll(async () => parseFloat((await figure(som, 'steps').innerText()).replace(/,/g, ''))).toBeGreaterThan(0);
  await km.getByTestId('proto-1').focus();
  await km.getByTestId('freeze').click();
  const status = km.getByTestId('edit-status');
  await expect(status).toContainText('Froze prototype 2');
  await km.getByTestId('proto-2').focus();
  const unmoved = await km.getByTestId('proto-2').getAttribute('style');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(status).toContainText('Moved prototype 3');
  await expect(km.getByTestId('proto-1')).toHaveAttribute('aria-label', /, frozen/);
  const folderKm = await state(km);
  const folderSom = await state(som);
  expect(folderKm.undo).toBe(true);
  await shot(page, 'cluster-sources-01-folder-edited');

  // A toy set: runs of its own, from the start; edit one of them too.
  await chooseSource(page, 'toy', /blobs/);
  await expect(figure(km, 'steps')).toHaveText('0');
  await expect(km.getByTestId('undo')).toBeDisabled();
  await km.getByTestId('proto-0').focus();
  await km.getByTestId('freeze').click();
  await expect(km.getByTestId('edit-status')).toContainText('Froze prototype 1');
  const toyKm = await state(km);

  // Back to the folder: the runs as they were left.
  await chooseSource(page, 'folder', /fashion-mnist/);
  await expect.poll(() => state(km)).toEqual(folderKm);
  await expect.poll(() => state(som)).toEqual(folderSom);
  await shot(page, 'cluster-sources-02-folder-again');
  // The undo history came back too: undo puts prototype 3 back, then unfreezes prototype 2.
  await km.getByTestId('undo').click();
  await expect(km.getByTestId('proto-2')).toHaveAttribute('style', unmoved ?? '');
  await expect(km.getByTestId('proto-1')).toHaveAttribute('aria-label', /, frozen/);
  await km.getByTestId('undo').click();
  await expect(km.getByTestId('undo')).toBeDisabled();
  await expect(km.getByTestId('proto-1')).not.toHaveAttribute('aria-label', /, frozen/);
  const undone = await state(km);

  // And the toy set's run is there as it was left as well.
  await chooseSource(page, 'toy', /blobs/);
  await expect.poll(() => state(km)).toEqual(toyKm);

  // Another view and back: nothing changes.
  await chooseSource(page, 'folder', /fashion-mnist/);
  await page.getByRole('button', { name: /^Data/ }).click();
  await page.getByRole('button', { name: /^Clustering/ }).click();
  await expect(page.getByTestId('cluster-source')).toContainText('fashion-mnist');
  await expect.poll(() => state(km)).toEqual(undone);

  // Closing a panel keeps its run: Undo close brings it back where it was, trained as it was.
  await som.getByRole('button', { name: 'Close panel 3' }).click();
  await expect(page.getByTestId('cluster-panel-2')).toHaveCount(0);
  await expect(page.getByTestId('closed-panel')).toContainText('Self-organizing map');
  await page.getByTestId('undo-close').click();
  await expect(page.getByTestId('closed-panel')).toHaveCount(0);
  await expect(som).toHaveAttribute('data-algorithm', 'som');
  await expect.poll(() => state(som)).toEqual(folderSom);
  await shot(page, 'cluster-sources-03-undo-close');

  // Another algorithm for a trained panel does not throw its run away either: Undo puts it back.
  await km.getByTestId('algorithm').selectOption('art2a');
  await expect(km).toHaveAttribute('data-algorithm', 'art2a');
  await expect(page.getByTestId('closed-panel')).toContainText('Replaced the Online k-means panel by ART-2A');
  await page.getByTestId('undo-close').click();
  await expect(km).toHaveAttribute('data-algorithm', 'kmeans');
  await expect(page.getByTestId('closed-panel')).toHaveCount(0);
  await expect.poll(() => state(km)).toEqual(undone);

  // The page is loaded again: the engine still holds the runs, and the view offers them as they were.
  await openSample(page);
  await page.getByRole('button', { name: /^Clustering/ }).click();
  await expect(page.getByTestId('cluster-source')).toContainText('fashion-mnist');
  await expect(page.getByTestId('earlier-runs')).toBeVisible();
  await page.getByTestId('show-earlier').click();
  await expect(km).toHaveAttribute('data-algorithm', 'kmeans');
  await expect(som).toHaveAttribute('data-algorithm', 'som');
  const { status: _status, ...kept } = undone;
  await expect
    .poll(async () => {
      const { status: _s, ...now } = await state(km);
      return now;
    })
    .toEqual(kept);
  await shot(page, 'cluster-sources-04-after-reload');
  expect(errors).toEqual([]);
});
