/**
 * Accessibility held by a machine: axe-core runs on every view (Data, Train, GAN, Clustering, Sequence,
 * Models) in the light and the dark theme, with the bundled sample open, first idle and then with runs
 * in progress (paused after a step, so what is on screen does not depend on timing). Any WCAG 2.0 / 2.1
 * level A or AA violation fails the spec. The rule set and its exceptions are AXE_TAGS and AXE_EXCEPTIONS
 * below, and nowhere else; docs/accessibility.md describes them.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { expect, type Page, test } from '@playwright/test';
import type { AxeResults, Result, RunOptions } from 'axe-core';
import { freshEngine, shot } from './host.js';
import { openSample, watchConsole } from './train-helpers.js';

/** The rules that run: every WCAG 2.0 and 2.1 success criterion at level A and AA that axe checks. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Rules switched off, each with its reason. Empty: nothing is excused. */
export const AXE_EXCEPTIONS: Record<string, string> = {};

const VIEWS = ['Data', 'Train', 'GAN', 'Clustering', 'Sequence', 'Models'] as const;
type View = (typeof VIEWS)[number];
const THEMES = ['light', 'dark'] as const;

// The page's Content-Security-Policy allows no inline script, so axe is not added as a <script> tag:
// its source is evaluated through the DevTools protocol, which the page's CSP does not govern.
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | null = null;

async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate(() => 'axe' in window)) return;
  axeSource ??= await readFile(AXE_PATH, 'utf8');
  await page.evaluate(axeSource);
}

/** One line per violating node: the rule, the element and axe's own summary of what is wrong. */
function describe(violations: Result[]): string[] {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact ?? 'n/a'}): ${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? v.help}`));
}

async function audit(page: Page): Promise<string[]> {
  await injectAxe(page);
  const options: RunOptions = {
    runOnly: { type: 'tag', values: AXE_TAGS },
    rules: Object.fromEntries(Object.keys(AXE_EXCEPTIONS).map((id) => [id, { enabled: false }])),
    resultTypes: ['violations'],
  };
  const results = await page.evaluate((o) => (window as unknown as { axe: { run: (c: Document, o: RunOptions) => Promise<AxeResults> } }).axe.run(document, o), options);
  return describe(results.violations);
}

async function show(page: Page, view: View): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^${view}`) }).click();
  await expect(page.getByRole('heading', { name: view, level: 1 })).toBeVisible();
}

/** Every view in both themes; returns the violations found, each prefixed with where it was found. */
async function auditAll(page: Page, when: string): Promise<string[]> {
  const found: string[] = [];
  for (const theme of THEMES) {
    // The theme follows the system (the app's default): the emulated colour scheme switches it.
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const view of VIEWS) {
      await show(page, view);
      if (when === 'in progress') await shot(page, `a11y-${theme}-${view.toLowerCase()}`);
      found.push(...(await audit(page)).map((v) => `${when} ${theme} ${view} | ${v}`));
    }
  }
  return found;
}

test.beforeAll(async () => {
  await freshEngine();
});

test('axe finds no WCAG 2.1 A/AA violation on any view, in both themes, idle and with runs in progress', async ({ page }) => {
  const errors = watchConsole(page);
  await openSample(page);
  const system = page.getByRole('radio', { name: 'System' });
  if ((await system.getAttribute('aria-checked')) !== 'true') await system.click();

  const found = await auditAll(page, 'idle');

  // Runs in progress, each paused after a step so its charts, grids and figures have something to show.
  await page.emulateMedia({ colorScheme: 'light' });
  await show(page, 'Train');
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByRole('button', { name: 'Start paused' }).click();
  await expect(page.getByTestId('train-status')).toContainText('Paused');
  await page.getByTestId('train-step').click();
  await expect(page.getByTestId('train-status')).toContainText('batch 1/');
  // Each chart reads as one image whose name is its title and the latest value of each curve.
  await expect(page.getByRole('img', { name: /^Loss\. Latest: batch loss \d[\d.e-]* at epoch [\d.]+\.$/ })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Accuracy. Accuracy appears after the first epoch.' })).toBeVisible();

  await show(page, 'GAN');
  await page.getByTestId('gan-mode-image').click();
  await page.getByTestId('gan-epochs').fill('1');
  await page.getByTestId('gan-width').fill('8');
  await page.getByTestId('gan-every').fill('1');
  await page.getByRole('button', { name: 'Start paused' }).click();
  await expect(page.getByTestId('gan-grid')).toHaveAttribute('data-step', '0');
  await page.getByTestId('gan-step').click();
  await expect(page.getByTestId('gan-grid')).toHaveAttribute('data-step', '1');
  await expect(page.getByRole('img', { name: /^Generated samples: 64 samples, epoch \d+, step 1$/ })).toBeVisible();

  await show(page, 'Sequence');
  await page.getByTestId('seq-start-paused').click();
  await expect(page.getByTestId('seq-status')).toContainText('Paused');
  await page.getByTestId('seq-step').click();
  await expect(page.getByTestId('seq-status')).toContainText('batch 1/');

  await show(page, 'Clustering');
  await expect(page.getByTestId('cluster-panel-0').getByTestId('proto-0')).toBeAttached({ timeout: 60_000 });
  await page.getByTestId('run-all').click();
  await expect.poll(async () => parseFloat(await page.getByTestId('cluster-panel-0').locator('[data-fig="steps"] dd').innerText()), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.getByTestId('pause-all').click();
  await expect(page.getByTestId('run-all')).toBeVisible();

  found.push(...(await auditAll(page, 'in progress')));

  await show(page, 'Train');
  await page.getByTestId('train-stop').click();
  await show(page, 'GAN');
  await page.getByTestId('gan-stop').click();
  await show(page, 'Sequence');
  await page.getByTestId('seq-stop').click();
  await page.emulateMedia({ colorScheme: null });

  // One line per distinct problem, with every place it was seen.
  const where = new Map<string, string[]>();
  for (const [at, problem] of found.map((f) => f.split(' | '))) where.set(problem, [...(where.get(problem) ?? []), at]);
  expect([...where].map(([problem, at]) => `${problem}\n    seen in: ${at.join('; ')}`)).toEqual([]);
  expect(errors).toEqual([]);
});
