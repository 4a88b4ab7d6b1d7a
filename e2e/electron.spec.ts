/**
 * The same first steps in the real Electron app, where its binary is installed. Electron 45 downloads
 * its binary on first launch; we never trigger that here: without node_modules/electron/path.txt and
 * the binary it names, this spec is skipped with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { ROOT, shot } from './host.js';

function electronBinary(): string | null {
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const bin = electronBinary();

test('Electron: the window opens on the Data view and loads the bundled sample', async () => {
  test.skip(bin === null, 'the Electron binary is not installed (node_modules/electron/path.txt or dist/ missing); run `npx install-electron` or `node node_modules/electron/install.js` where downloads are allowed');
  const app = await electron.launch({ executablePath: bin ?? '', args: [ROOT], env: { ...process.env, LOCUS_TEST: '1' } });
  try {
    const page = await app.firstWindow();
    await expect(page.getByRole('heading', { name: 'Data' })).toBeVisible();
    const exposed = await page.evaluate(() => ({ api: typeof (window as { locus?: unknown }).locus, node: typeof (window as { require?: unknown }).require }));
    expect(exposed).toEqual({ api: 'object', node: 'undefined' });
    await page.getByTestId('open-sample').click();
    await expect(page.getByTestId('class-list').getByRole('button').first()).toBeVisible({ timeout: 60_000 });
    await shot(page, 'electron-data-sample');
  } finally {
    await app.close();
  }
});
