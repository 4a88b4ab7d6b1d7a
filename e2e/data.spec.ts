/**
 * The Data view in the browser host: open the bundled sample, a generated folder with a corrupt file,
 * cancel a slow load, survive an engine crash. Screenshots of each state go to e2e/artifacts/.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { freshEngine, hostCall, hostUrl, shot, tmpRoot, writeShape } from './host.js';

// The first test starts from an empty engine, whatever other specs loaded before.
test.beforeAll(freshEngine);

/** Errors the page logs (CSP violations among them) fail the test that caused them. */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Wait until the page knows what the engine holds (the open panel or the loaded folder shows). */
async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('data-asking')).toHaveCount(0);
}

/** A folder is loaded when the test starts (the sample if the engine holds none, e.g. after a retry's fresh engine). */
async function someFolderLoaded(page: Page): Promise<void> {
  await settled(page);
  if (await page.getByTestId('dataset-name').isVisible()) return;
  await page.getByTestId('open-sample').click();
  await expect(page.getByTestId('dataset-name')).toBeVisible({ timeout: 60_000 });
}

async function openPath(page: Page, path: string): Promise<void> {
  await settled(page);
  const field = page.getByTestId('path-input');
  if (await field.isVisible()) {
    await field.fill(path);
    await page.getByTestId('path-open').click();
    return;
  }
  await page.getByRole('button', { name: 'Browse…' }).click();
  const dialog = page.getByTestId('folder-browser');
  await expect(dialog).toBeVisible();
  // Let the first listing arrive before typing, so it cannot land in the middle of the typing.
  await expect(dialog.locator('.list')).toHaveAttribute('aria-busy', 'false');
  await dialog.getByLabel('Folder path').fill(path);
  await dialog.getByRole('button', { name: 'Go' }).click();
  await expect(dialog.getByLabel('Folder path')).toHaveValue(path);
  await dialog.getByTestId('fb-open').click();
}

/** True once the grid's first canvas has non-black pixels. */
async function gridDrawn(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="thumb-grid"] canvas.loaded');
    if (!c) return false;
    const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!d) return false;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
    return sum > 0;
  });
}

test('the bundled sample opens: classes with counts, split, and a drawn thumbnail grid', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(hostUrl());
  await expect(page.getByRole('heading', { name: 'Data' })).toBeVisible();
  await shot(page, '01-data-empty');
  await page.getByTestId('open-sample').click();
  await expect(page.getByTestId('stat-images')).not.toHaveText('', { timeout: 60_000 });
  const classes = Number((await page.getByTestId('stat-classes').innerText()).split(/\s/)[0]);
  expect(classes).toBeGreaterThan(1);
  await expect(page.getByTestId('class-list').getByRole('button')).toHaveCount(classes);
  const counts = await page.getByTestId('class-count').allInnerTexts();
  expect(counts.every((c) => Number(c.replace(/,/g, '')) > 0)).toBe(true);
  await expect(page.getByTestId('split')).toContainText('Train');
  await expect.poll(() => gridDrawn(page)).toBe(true);
  await shot(page, '02-data-sample');

  // Filter by a class, then move through the grid with the keyboard.
  await page.getByTestId('class-list').getByRole('button').nth(1).click();
  await expect(page.getByTestId('grid-count')).toHaveText(`${counts[1]} images`);
  await page.getByTestId('thumb-grid').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#thumb-1')).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('radio', { name: 'Validation' }).click();
  await expect.poll(() => gridDrawn(page)).toBe(true);
  await shot(page, '03-data-filtered');

  // Dark theme, then back to the system theme for the other tests.
  await page.getByRole('radio', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, '04-data-dark');
  await page.getByRole('radio', { name: 'System' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');

  // The views to come have their places in the shell.
  await page.getByRole('button', { name: /^Train/ }).click();
  await expect(page.getByRole('heading', { name: 'Train' })).toBeVisible();
  await shot(page, '05-train-placeholder');
  await page.keyboard.press('Control+1');
  await expect(page.getByRole('heading', { name: 'Data' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a folder with a corrupt file loads, and the skipped list names the file and the reason', async ({ page }) => {
  const errors = watchConsole(page);
  const dir = join(tmpRoot(), 'shapes');
  const kinds = ['disc', 'square', 'bar'] as const;
  for (const k of kinds) for (let i = 0; i < 14; i++) await writeShape(join(dir, k, `${k}-${i}.png`), k, i);
  await writeFile(join(dir, 'square', 'broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
  await writeFile(join(dir, 'disc', 'notes.txt'), 'not an image\n');

  await page.goto(hostUrl());
  await openPath(page, dir);
  await expect(page.getByTestId('dataset-name')).toHaveText('shapes');
  await expect(page.getByTestId('stat-images')).toHaveText('42');
  await expect(page.getByTestId('stat-classes')).toHaveText('3');
  const skipped = page.getByTestId('skipped');
  await expect(skipped).toContainText('broken.png');
  await expect(skipped).toContainText('notes.txt');
  await expect.poll(() => gridDrawn(page)).toBe(true);
  await shot(page, '06-data-skipped');
  // It is now first in the recent folders (shown on the empty state after a restart; here: in settings).
  const settings = await hostCall('shell.settings', {});
  expect((settings.result as { recentFolders: string[] }).recentFolders[0]).toBe(dir);
  expect(errors).toEqual([]);
});

test('a slow load can be cancelled, and the folder shown before stays', async ({ page }) => {
  // Large, well-compressed PNGs: cheap to write, slow to decode.
  const dir = join(tmpRoot(), 'slow');
  const W = 3000;
  const px = Buffer.alloc(W * W);
  for (let i = 0; i < px.length; i++) px[i] = (i % W) + Math.floor(i / W);
  await mkdir(join(dir, 'a'), { recursive: true });
  await mkdir(join(dir, 'b'), { recursive: true });
  await sharp(px, { raw: { width: W, height: W, channels: 1 } }).png().toFile(join(dir, 'a', '0.png'));
  for (let i = 1; i < 240; i++) await copyFile(join(dir, 'a', '0.png'), join(dir, i % 2 ? 'b' : 'a', `${i}.png`));

  await page.goto(hostUrl());
  await someFolderLoaded(page);
  const before = await page.getByTestId('dataset-name').textContent();
  await openPath(page, dir);
  const status = page.getByTestId('load-status');
  await expect(status.getByRole('progressbar')).toBeVisible();
  await expect(status).toContainText('Decoding');
  await shot(page, '07-data-loading');
  await status.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('load-cancelled')).toBeVisible();
  await expect(status.getByRole('progressbar')).toHaveCount(0);
  await expect(page.getByTestId('dataset-name')).toHaveText(before ?? '');
  const current = await hostCall('data.current', {});
  expect((current.result as { summary: { name: string } }).summary.name).toBe(before);
});

test('when the engine crashes it is restarted, the page says so, and loading works again', async ({ page }) => {
  await page.goto(hostUrl());
  await someFolderLoaded(page);
  const ping1 = await hostCall('engine.ping', {});
  const crash = hostCall('debug.crash', {});
  await expect(page.getByTestId('notice-warning')).toContainText('The engine restarted');
  expect((await crash).ok).toBe(false);
  // The old data went with the old engine: the view is back to its start, with the folder in Recent.
  await expect(page.getByTestId('open-sample')).toBeVisible();
  await expect(page.getByTestId('recent-list')).toBeVisible();
  await shot(page, '08-engine-restarted');
  const ping2 = await hostCall('engine.ping', {});
  expect((ping2.result as { pid: number }).pid).not.toBe((ping1.result as { pid: number }).pid);
  await page.getByTestId('open-sample').click();
  await expect.poll(() => gridDrawn(page), { timeout: 60_000 }).toBe(true);
  await page.getByRole('button', { name: /^Dismiss/ }).click();
  await expect(page.getByTestId('notice-warning')).toHaveCount(0);
});
