/**
 * Experiments in the app: the list, one experiment run with progress for the whole experiment and
 * cancelled, a short one run to the end with its finding, table and curves, the report (HTML) and
 * the results (JSON) saved (and saved again over the first, after the question), an experiment file
 * opened and run, and "Try the experiment" from Train's settings.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { freshEngine, hostUrl, shot, tmpRoot } from './host.js';
import { openSampleAndTrainView, watchConsole } from './train-helpers.js';

async function showExperiments(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Experiments/ }).click();
  await expect(page.getByRole('heading', { name: 'Experiments', level: 1 })).toBeVisible();
}

async function choose(page: Page, id: string): Promise<void> {
  await page.locator(`[data-testid="exp-item"][data-id="${id}"]`).click();
  await expect(page.locator(`[data-testid="exp-item"][data-id="${id}"]`)).toHaveAttribute('aria-current', 'true');
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is (the same rule set as a11y.spec.ts); one line per problem. */
async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const r = await page.evaluate(() =>
    (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
  );
  return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

test.beforeAll(async () => {
  await freshEngine();
});

test('an experiment runs with progress and is cancelled; another runs to its finding, table and curves; report and results are saved', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchConsole(page);
  await page.goto(hostUrl());
  await showExperiments(page);
  const items = page.getByTestId('exp-item');
  await expect.poll(() => items.count()).toBeGreaterThan(10);
  await expect(page.locator('[data-testid="exp-item"][data-id="art-vigilance"]')).toContainText('ART: vigilance');

  // A longer one, cancelled while its first variants train: progress for the whole experiment.
  await choose(page, 'vanishing-gradients');
  await expect(page.getByTestId('exp-explanation')).toContainText('sigmoid');
  await page.getByTestId('exp-run').click();
  const bar = page.getByRole('progressbar', { name: 'Progress of the experiment' });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('aria-valuenow', /^\d+$/);
  await expect(page.getByTestId('exp-status')).toContainText('Vanishing and exploding gradients · variant');
  await shot(page, 'experiments-running');
  await page.getByTestId('exp-cancel').click();
  await expect(page.getByTestId('exp-done')).toContainText('Cancelled', { timeout: 60_000 });
  await expect(page.getByTestId('exp-run')).toBeEnabled();
  await expect(page.getByTestId('exp-row').filter({ hasText: /not run|cancelled/ }).first()).toBeVisible();

  // A short one, to its end.
  await choose(page, 'optimizers');
  await expect(page.getByTestId('exp-results')).toHaveCount(0);
  await page.getByTestId('exp-run').click();
  await expect(page.getByTestId('exp-done')).toContainText('Completed', { timeout: 120_000 });
  const finding = page.getByTestId('exp-finding');
  await expect(finding).toContainText('validation accuracy after 3 epochs: SGD');
  const findingText = ((await finding.locator('.fline').textContent()) ?? '').trim();
  expect(findingText).toMatch(/highest: /);
  await expect(page.getByTestId('exp-row')).toHaveCount(6);
  await expect(page.getByTestId('exp-row').first()).toContainText('%');
  await expect(page.getByTestId('exp-row').first()).toContainText('completed');
  await expect.poll(async () => Number(await page.getByTestId('exp-curves').getAttribute('data-points'))).toBeGreaterThanOrEqual(6 * 3);
  await expect(page.getByRole('img', { name: /^training loss\. Latest: SGD / })).toBeVisible();
  // Another figure for the curves; per-layer traces on shared axes, one small chart per variant.
  await page.getByTestId('exp-curve-metric').selectOption('valAcc');
  await expect(page.getByRole('img', { name: /^validation accuracy\. Latest: SGD \d/ })).toBeVisible();
  await expect(page.getByTestId('exp-trace')).toHaveCount(6);
  await shot(page, 'experiments-done');
  await page.getByTestId('exp-traces').scrollIntoViewIfNeeded();
  await shot(page, 'experiments-traces');

  // The report and the results, saved through the path fields of the browser host.
  const html = join(tmpRoot(), `exp-report-${Date.now()}.html`);
  const json = join(tmpRoot(), `exp-results-${Date.now()}.json`);
  await page.getByTestId('exp-export-html-path').fill(html);
  await page.getByTestId('exp-export-html').click();
  await expect(page.getByTestId('exp-outcome')).toContainText(`Saved the report to ${html}`);
  const report = await readFile(html, 'utf8');
  expect(report).toContain(escapeHtml(findingText));
  expect(report).toContain('<svg');
  await page.getByTestId('exp-export-json-path').fill(json);
  await page.getByTestId('exp-export-json').click();
  await expect(page.getByTestId('exp-outcome')).toContainText(`Saved the results to ${json}`);
  const results = JSON.parse(await readFile(json, 'utf8')) as { format: string; finding: string; variants: unknown[]; experiment: Record<string, unknown> };
  expect(results.format).toBe('locus-experiment-results');
  expect(results.finding).toBe(findingText);
  expect(results.variants).toHaveLength(6);

  // Saving onto the same file again asks first; Replace it writes it.
  await page.getByTestId('exp-export-html').click();
  await expect(page.getByTestId('exp-outcome')).toContainText('exists');
  await page.getByTestId('exp-replace').click();
  await expect(page.getByTestId('exp-outcome')).toContainText(`Saved the report to ${html}`);

  // An experiment file (this run's own experiment, renamed) is opened and run.
  const file = join(tmpRoot(), `exp-file-${Date.now()}.json`);
  await writeFile(file, JSON.stringify({ ...results.experiment, id: 'my-optimizers', title: 'My optimizers', variants: (results.experiment.variants as unknown[]).slice(0, 2) }, null, 2));
  await page.getByTestId('exp-open-path').fill(file);
  await page.getByTestId('exp-open').click();
  await expect(page.getByTestId('exp-opened')).toContainText('Opened');
  await expect(page.getByTestId('exp-title')).toHaveText('My optimizers');
  await page.getByTestId('exp-run').click();
  await expect(page.getByTestId('exp-done')).toContainText('Completed', { timeout: 60_000 });
  await expect(page.getByTestId('exp-row')).toHaveCount(2);

  // A clustering experiment: its pictures side by side, each an image with a text alternative; axe finds
  // nothing wrong with the results in either theme.
  await choose(page, 'art-vigilance');
  await page.getByTestId('exp-run').click();
  await expect(page.getByTestId('exp-done')).toContainText('Completed', { timeout: 60_000 });
  await expect(page.getByTestId('exp-picture')).toHaveCount(4);
  await expect(page.getByRole('img', { name: /^Prototypes, vigilance 0\.8: \d+ images of 28×28$/ })).toBeVisible();
  await page.getByTestId('exp-pictures').scrollIntoViewIfNeeded();
  await shot(page, 'experiments-pictures');
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    found.push(...(await axe(page)).map((v) => `${theme} | ${v}`));
  }
  await page.emulateMedia({ colorScheme: null });
  expect(found).toEqual([]);

  // A reload picks the latest run up again.
  await page.reload();
  await showExperiments(page);
  await expect(page.getByTestId('exp-finding')).toContainText('categories made: vigilance 0.3');
  expect(errors).toEqual([]);
});

test('"Try the experiment" beside Train\'s optimizer opens the Experiments view with that experiment chosen', async ({ page }) => {
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  const link = page.getByRole('button', { name: 'Try the experiment: Optimizers side by side' });
  await link.click();
  await expect(page.getByRole('heading', { name: 'Experiments', level: 1 })).toBeVisible();
  await expect(page.getByTestId('exp-title')).toHaveText('Optimizers side by side');
  await expect(page.locator('[data-testid="exp-item"][data-id="optimizers"]')).toHaveAttribute('aria-current', 'true');
  // On the open folder: the choice is there for an experiment that allows it.
  await expect(page.getByTestId('exp-on-folder')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('two finished runs ticked in Train\'s Compare runs are saved as an experiment, opened in Experiments and run', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await openSampleAndTrainView(page);
  // The experiments before left finished classifier runs (each variant is a run): keep two ticked.
  const rows = page.getByTestId('train-runs').getByTestId('run-row');
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
  const n = await rows.count();
  for (let i = 0; i < n; i++) {
    const box = rows.nth(i).getByRole('checkbox');
    if ((await box.isChecked()) !== i < 2) await box.click();
  }
  const save = page.getByTestId('save-experiment');
  await expect(save).toBeEnabled();
  await save.click();
  await page.getByTestId('save-experiment-title').fill('Two of my runs');
  const file = join(tmpRoot(), `exp-from-runs-${Date.now()}.json`);
  await page.getByTestId('save-experiment-path').fill(file);
  await page.getByTestId('save-experiment-go').click();
  await expect(page.getByTestId('save-experiment-outcome')).toContainText(`Saved ${file}`);
  const saved = JSON.parse(await readFile(file, 'utf8')) as { title: string; variants: unknown[] };
  expect(saved.title).toBe('Two of my runs');
  expect(saved.variants).toHaveLength(2);
  await page.getByRole('button', { name: 'Open in Experiments' }).click();
  await expect(page.getByTestId('exp-title')).toHaveText('Two of my runs');
  await page.getByTestId('exp-run').click();
  await expect(page.getByTestId('exp-done')).toContainText('Completed', { timeout: 150_000 });
  await expect(page.getByTestId('exp-row')).toHaveCount(2);
  expect(errors).toEqual([]);
});

test('an image GAN experiment shows its sample grids over time, each variant beside the other at each epoch, and the report draws them', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await page.goto(hostUrl());
  await showExperiments(page);
  // The built-in is listed; a small file of the same kind (a narrow DCGAN for 2 epochs) is run.
  await expect(page.locator('[data-testid="exp-item"][data-id="gan-images"]')).toContainText('Image GAN: the samples over time');
  const file = join(tmpRoot(), `exp-gan-${Date.now()}.json`);
  await writeFile(
    file,
    JSON.stringify({
      format: 'locus-experiment',
      version: 1,
      id: 'small-image-gan',
      title: 'Small image GAN',
      idea: 'samples over time',
      kind: 'gan',
      data: { source: 'sample', perClass: 6 },
      base: { mode: 'image', epochs: 2, width: 4, latent: 8, grid: 9 },
      variants: [
        { name: 'non-saturating', set: {} },
        { name: 'saturating', set: { nonSaturating: false } },
      ],
      metrics: ['dLoss', 'gLoss'],
      pictures: ['samples'],
      explanation: 'A test. Two epochs. Three grids.',
    }),
  );
  await page.getByTestId('exp-open-path').fill(file);
  await page.getByTestId('exp-open').click();
  await expect(page.getByTestId('exp-title')).toHaveText('Small image GAN');
  await page.getByTestId('exp-run').click();
  await expect(page.getByTestId('exp-done')).toContainText('Completed', { timeout: 90_000 });
  // Before training, after epoch 1 and after epoch 2: one card each, the two variants side by side.
  const cards = page.getByTestId('exp-pictures');
  await expect(cards).toHaveCount(3);
  await expect(cards.nth(0).getByRole('heading')).toHaveText('Samples before training');
  await expect(cards.nth(2).getByRole('heading')).toHaveText('Samples after epoch 2');
  await expect(page.getByTestId('exp-picture')).toHaveCount(6);
  await expect(page.getByRole('img', { name: 'Samples after epoch 2, saturating: 9 images of 28×28' })).toBeVisible();
  await cards.nth(0).scrollIntoViewIfNeeded();
  await shot(page, 'experiments-gan-over-time');
  const html = join(tmpRoot(), `exp-gan-report-${Date.now()}.html`);
  await page.getByTestId('exp-export-html-path').fill(html);
  await page.getByTestId('exp-export-html').click();
  await expect(page.getByTestId('exp-outcome')).toContainText(`Saved the report to ${html}`);
  const report = await readFile(html, 'utf8');
  for (const label of ['Samples before training', 'Samples after epoch 1', 'Samples after epoch 2']) expect(report).toContain(`alt="${label}, non-saturating"`);
  expect(errors).toEqual([]);
});
