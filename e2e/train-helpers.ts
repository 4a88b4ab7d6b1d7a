/** Steps the Train, Models and GAN specs share. */
import { expect, type Page } from '@playwright/test';
import { hostUrl } from './host.js';

/** Errors the page logs (CSP violations among them); a spec expects none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Open the app with the bundled sample loaded (the engine keeps it between pages) and go to a view. */
export async function openSampleAnd(page: Page, view: 'Train' | 'GAN' | 'Models'): Promise<void> {
  await page.goto(hostUrl());
  const loaded = page.getByTestId('dataset-name');
  // The page asks the engine what it holds when it starts: the empty panel may give way to the loaded
  // folder while we look, so click only while the button is there.
  await expect(page.getByTestId('open-sample').or(loaded)).toBeVisible();
  for (let i = 0; i < 20 && !(await loaded.isVisible()); i++) {
    await page.getByTestId('open-sample').click({ timeout: 2_000 }).catch(() => {});
    await loaded.waitFor({ timeout: 3_000 }).catch(() => {});
  }
  await expect(page.getByTestId('stat-images')).not.toHaveText('', { timeout: 60_000 });
  await page.getByRole('button', { name: new RegExp(`^${view}`) }).click();
  await expect(page.getByRole('heading', { name: view })).toBeVisible();
}

export async function openSampleAndTrainView(page: Page): Promise<void> {
  await openSampleAnd(page, 'Train');
  await expect(page.getByTestId('arch-params')).not.toHaveText('');
}
