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

/**
 * Open the app with the bundled sample loaded (the engine keeps it between pages; another folder left
 * by an earlier spec is replaced). The page first asks the engine what it holds ('data-asking'), then
 * shows either the open panel or the loaded folder.
 */
export async function openSample(page: Page): Promise<void> {
  await page.goto(hostUrl());
  await expect(page.getByTestId('data-asking')).toHaveCount(0);
  const name = page.getByTestId('dataset-name');
  if (!(await name.isVisible())) await page.getByTestId('open-sample').click();
  else if ((await name.textContent()) !== 'fashion-mnist') await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(name).toHaveText('fashion-mnist', { timeout: 60_000 });
  await expect(page.getByTestId('stat-images')).not.toHaveText('', { timeout: 60_000 });
}

/** openSample, then go to a view. */
export async function openSampleAnd(page: Page, view: 'Train' | 'GAN' | 'Models'): Promise<void> {
  await openSample(page);
  await page.getByRole('button', { name: new RegExp(`^${view}`) }).click();
  await expect(page.getByRole('heading', { name: view })).toBeVisible();
}

/**
 * Press Train and wait for that run to end with `done` in its note. The view shows the last run until
 * the engine accepts the new one (and a page opened after another spec shows the engine's last run), so
 * the new run's id is waited for first: the note of the run before never passes for this one's.
 */
export async function trainUntilDone(page: Page, done: string | RegExp = /trained/): Promise<void> {
  const line = page.getByTestId('train-status-line');
  // The attribute is there once the engine has said which run it holds.
  await expect(line).toHaveAttribute('data-run', /.*/);
  const before = (await line.getAttribute('data-run')) ?? '';
  await page.getByTestId('train-start').click();
  await expect(line).not.toHaveAttribute('data-run', before, { timeout: 60_000 });
  await expect(page.getByTestId('train-done')).toContainText(done, { timeout: 60_000 });
}

export async function openSampleAndTrainView(page: Page): Promise<void> {
  await openSampleAnd(page, 'Train');
  await expect(page.getByTestId('arch-params')).not.toHaveText('');
}
