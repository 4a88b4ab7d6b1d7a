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
  await expect(page.getByTestId('open-sample').or(loaded)).toBeVisible();
  if (!(await loaded.isVisible())) await page.getByTestId('open-sample').click();
  await expect(page.getByTestId('stat-images')).not.toHaveText('', { timeout: 60_000 });
  await page.getByRole('button', { name: new RegExp(`^${view}`) }).click();
  await expect(page.getByRole('heading', { name: view })).toBeVisible();
}

export async function openSampleAndTrainView(page: Page): Promise<void> {
  await openSampleAnd(page, 'Train');
  await expect(page.getByTestId('arch-params')).not.toHaveText('');
}
