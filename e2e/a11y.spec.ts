/**
 * Accessibility held by a machine (docs/accessibility.md):
 * - axe-core on every view (Data, Train, GAN, Clustering, Sequence, Models, Experiments) in the light and the dark
 *   theme with the bundled sample open: idle, with runs in progress (paused after a step, so what is on
 *   screen does not depend on timing), the 2-D toy GAN, and ended runs. Any WCAG 2.0 / 2.1 level A or AA
 *   violation fails. The rule set and its exceptions are AXE_TAGS and AXE_EXCEPTIONS, and nowhere else.
 * - Keyboard alone through Train, Clustering (a prototype moved by arrow keys) and Models.
 * - prefers-reduced-motion turns every transition and animation off.
 * - Every text colour of both themes at 4.5:1 on its backgrounds (text over canvases, which axe leaves
 *   for review).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import type { AxeResults, Result, RunOptions } from 'axe-core';
import { freshEngine, shot, tmpRoot } from './host.js';
import { openSample, watchConsole } from './train-helpers.js';

/** The rules that run: every WCAG 2.0 and 2.1 success criterion at level A and AA that axe checks. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Rules switched off, each with its reason. Empty: nothing is excused. */
export const AXE_EXCEPTIONS: Record<string, string> = {};

const VIEWS = ['Data', 'Train', 'GAN', 'Clustering', 'Sequence', 'Models', 'Experiments'] as const;
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
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: new RegExp(`^${view}`) }).click();
  await expect(page.getByRole('heading', { name: view, level: 1 })).toBeVisible();
}

/** Views in both themes; returns the violations found, each prefixed with where it was found. */
async function auditAll(page: Page, when: string, views: readonly View[] = VIEWS): Promise<string[]> {
  const found: string[] = [];
  for (const theme of THEMES) {
    // The theme follows the system (the app's default): the emulated colour scheme switches it.
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const view of views) {
      await show(page, view);
      await shot(page, `a11y-${when.replace(/\W+/g, '-')}-${theme}-${view.toLowerCase()}`);
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

  // Runs that ended: the outcome lines, the confusion matrix, the lists of finished runs.
  await page.emulateMedia({ colorScheme: 'light' });
  await show(page, 'Train');
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-done')).toBeVisible();
  await expect(page.getByTestId('train-confusion')).toBeVisible();
  await show(page, 'Sequence');
  await page.getByTestId('seq-stop').click();
  await expect(page.getByTestId('seq-done')).toBeVisible();
  found.push(...(await auditAll(page, 'stopped', ['Train', 'Sequence'])));

  // The GAN view's other mode: the 2-D toy GAN, paused after a step, with its plane and legend.
  await show(page, 'GAN');
  await page.getByTestId('gan-stop').click();
  await page.getByTestId('gan-mode-toy').click();
  await page.getByRole('button', { name: 'Start paused' }).click();
  await page.getByTestId('gan-step').click();
  await expect(page.getByTestId('gan-toy')).toHaveAttribute('data-step', /^[1-9]/);
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await shot(page, `a11y-${theme}-gan-toy`);
    found.push(...(await audit(page)).map((v) => `toy GAN ${theme} | ${v}`));
  }
  await page.getByTestId('gan-stop').click();
  await page.getByTestId('gan-mode-image').click();
  await page.emulateMedia({ colorScheme: null });

  // One line per distinct problem, with every place it was seen.
  const where = new Map<string, string[]>();
  for (const [at, problem] of found.map((f) => f.split(' | '))) where.set(problem, [...(where.get(problem) ?? []), at]);
  expect([...where].map(([problem, at]) => `${problem}\n    seen in: ${at.join('; ')}`)).toEqual([]);
  expect(errors).toEqual([]);
});

/** Press Tab until `target` has the focus: it is reachable by keyboard in the page's own order. */
async function tabTo(page: Page, target: Locator, max = 150): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${target.toString()} was not reached in ${max} presses of Tab`);
}

async function viewByKey(page: Page, key: number, view: View): Promise<void> {
  await page.keyboard.press(`Control+${key}`);
  await expect(page.getByRole('heading', { name: view, level: 1 })).toBeVisible();
}

test('keyboard only: Train starts paused, steps and stops, its run is renamed; a prototype moves by arrow keys; Models exports and classifies', async ({ page }) => {
  const errors = watchConsole(page);
  await openSample(page);

  // Train: reach Start paused and Step by Tab, press them with Enter or Space.
  await viewByKey(page, 2, 'Train');
  await tabTo(page, page.getByRole('button', { name: 'Start paused' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('train-status')).toContainText('Paused');
  await tabTo(page, page.getByTestId('train-step'));
  await page.keyboard.press('Space');
  await expect(page.getByTestId('train-status')).toContainText('batch 1/');
  await tabTo(page, page.getByTestId('train-stop'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('train-done')).toBeVisible();
  // The finished run is renamed, and asked to be removed then kept, with focus following each swap.
  const row = page.getByTestId('run-row').first();
  await tabTo(page, row.getByTestId('run-label'));
  await page.keyboard.press('Enter');
  await expect(row.getByTestId('run-name-edit')).toBeFocused();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('by keyboard');
  await page.keyboard.press('Enter');
  await expect(row.getByTestId('run-label')).toBeFocused();
  await expect(row.getByTestId('run-label')).toHaveText('by keyboard');
  await tabTo(page, row.getByTestId('run-remove'));
  await page.keyboard.press('Enter');
  await expect(row.getByRole('button', { name: 'Keep' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(row.getByTestId('run-remove')).toBeFocused();

  // Clustering: the first panel's prototypes are one stop in the Tab order (arrow keys move the one
  // focused); what is focused, and the size of its cluster, are in the plane's text and the handle's name.
  await viewByKey(page, 4, 'Clustering');
  const km = page.getByTestId('cluster-panel-0');
  await expect(km.getByTestId('proto-0')).toBeAttached({ timeout: 60_000 });
  const handle = km.locator('[data-testid^="proto-"][tabindex="0"]');
  await tabTo(page, handle);
  const id = await handle.getAttribute('data-testid');
  const n = Number(id?.slice('proto-'.length)) + 1;
  await expect(km.getByTestId('scatter-text')).toHaveText(new RegExp(`^Selected: prototype ${n}, \\d+ samples\\.$`));
  await expect(km.getByTestId(id ?? '')).toHaveAccessibleName(new RegExp(`^prototype ${n}: \\d+ samples`));
  const left = await km.getByTestId(id ?? '').evaluate((el) => (el as HTMLElement).style.left);
  for (let t = 0; t < 3; t++) await page.keyboard.press('Shift+ArrowRight');
  await expect(km.getByTestId('edit-status')).toContainText(`Moved prototype ${n}`);
  expect(await km.getByTestId(id ?? '').evaluate((el) => (el as HTMLElement).style.left)).not.toBe(left);
  await page.keyboard.press('Control+z');
  await expect(km.getByTestId('edit-status')).toContainText('Undone');

  // Models: export the stopped run's model and classify an image, typing into fields reached by Tab.
  await viewByKey(page, 6, 'Models');
  const file = join(tmpRoot(), 'a11y-keyboard.locus.json');
  await tabTo(page, page.getByTestId('export-path'));
  await page.keyboard.press('Control+a');
  await page.keyboard.type(file);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('model-outcome')).toContainText(`Saved ${file}`);
  await tabTo(page, page.getByTestId('predict-index'));
  await page.keyboard.press('Control+a');
  await page.keyboard.type('3');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('prediction').locator('li')).toHaveCount(5);
  expect(errors).toEqual([]);
});

test('with prefers-reduced-motion nothing slides or fades; without it the transitions are there', async ({ page }) => {
  await openSample(page);
  const hint = page.locator('#nav-train kbd');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect.poll(() => hint.evaluate((el) => getComputedStyle(el).transitionDuration)).toBe('0.15s');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect.poll(() => hint.evaluate((el) => getComputedStyle(el).transitionDuration)).toBe('0s');
  // Every element of the page: no transition or animation left running.
  const moving = await page.evaluate(() =>
    [...document.querySelectorAll('*')].filter((el) => {
      const cs = getComputedStyle(el);
      return cs.transitionDuration.split(',').some((d) => parseFloat(d) > 0) || cs.animationDuration.split(',').some((d) => parseFloat(d) > 0);
    }).length,
  );
  expect(moving).toBe(0);
  await page.emulateMedia({ reducedMotion: null });
});

/**
 * Text colours of the theme against the backgrounds they are used on, for what axe cannot measure:
 * text drawn over a canvas (a chart's empty note, a plane's veil) it reports as "needs review".
 */
const TEXT_ON: Record<string, string[]> = {
  '--text': ['--bg', '--surface', '--surface-2', '--surface-3'],
  '--muted': ['--bg', '--surface', '--surface-2', '--surface-3'],
  '--faint': ['--bg', '--surface', '--surface-2', '--surface-3', '--accent-soft'],
  '--accent': ['--bg', '--surface', '--surface-2', '--accent-soft'],
  '--danger': ['--bg', '--surface', '--surface-2', '--danger-soft'],
  '--warn': ['--bg', '--surface', '--surface-2', '--warn-soft'],
  '--ok': ['--bg', '--surface', '--surface-2'],
  '--accent-text': ['--accent'],
};

/** WCAG 2.x contrast ratio of two opaque colours as the browser computes them ("rgb(r, g, b)"). */
function contrast(a: string, b: string): number {
  const lum = (rgb: string): number => {
    const m = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(rgb);
    if (!m) throw new Error(`not an opaque rgb() colour: ${rgb}`);
    const [r, g, bl] = m.slice(1).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('every text colour of both themes reaches 4.5:1 on the backgrounds it is used on', async ({ page }) => {
  await openSample(page);
  const low: string[] = [];
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    const names = [...new Set([...Object.keys(TEXT_ON), ...Object.values(TEXT_ON).flat()])];
    // Each variable resolved by the browser: the colour of an element painted with it.
    const vars = await page.evaluate((list) => {
      const probe = document.body.appendChild(document.createElement('span'));
      const out = Object.fromEntries(list.map((n) => ((probe.style.color = `var(${n})`), [n, getComputedStyle(probe).color])));
      probe.remove();
      return out;
    }, names);
    for (const [fg, bgs] of Object.entries(TEXT_ON)) {
      for (const bg of bgs) {
        const ratio = contrast(vars[fg], vars[bg]);
        if (ratio < 4.5) low.push(`${theme}: ${fg} ${vars[fg]} on ${bg} ${vars[bg]} is ${ratio.toFixed(2)}:1`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: null });
  expect(low).toEqual([]);
});
