/**
 * Accessibility held by a machine (docs/accessibility.md):
 * - axe-core on every view (Data, Train, GAN, Clustering, Sequence, Models, Experiments) in the light and the dark
 *   theme with the bundled sample open: idle, with runs in progress (paused after a step, so what is on
 *   screen does not depend on timing), the 2-D toy GAN, and ended runs; then on a folder that is not the
 *   sample (RGB, long and CJK class names) with the folder browser, finished runs compared, the remove and
 *   replace questions open, a toy set's decision regions and the speed control, the toy GAN's arrows.
 *   Any WCAG 2.0 / 2.1 level A or AA violation, or best-practice one, fails. The rule set and its
 *   exceptions are AXE_TAGS and AXE_EXCEPTIONS, and nowhere else.
 * - Keyboard alone through Train (settings, start, pause, resume, stop, compare, rename, remove),
 *   Clustering (a prototype moved by arrow keys), Models (every export format, the replace question,
 *   open) and Experiments (pick, run, cancel, save the report); focus never falls back to the page.
 * - prefers-reduced-motion turns every transition and animation off.
 * - Every text colour of both themes at 4.5:1 on its backgrounds (text over canvases, which axe leaves
 *   for review).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import type { AxeResults, Result, RunOptions } from 'axe-core';
import { freshEngine, hostUrl, shot, tmpRoot, writeShape } from './host.js';
import { openSample, trainUntilDone, watchConsole } from './train-helpers.js';

/** The rules that run: every WCAG 2.0 and 2.1 success criterion at level A and AA that axe checks, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

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
  await expect(km.getByTestId('scatter-text')).toHaveText(new RegExp(`^Selected: prototype ${n}, [\\d,]+ samples?\\.$`));
  await expect(km.getByTestId(id ?? '')).toHaveAccessibleName(new RegExp(`^prototype ${n}: [\\d,]+ samples?[,.]`));
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

test('keyboard only: Train pauses and resumes with the focus kept, compares and removes runs; Models exports every format and answers Replace it?; Experiments picks, runs, cancels and saves', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await openSample(page);
  const focused = (testid: string) => expect(page.getByTestId(testid)).toBeFocused();

  // Train: a setting typed in, then the toolbar's buttons swap under the focus and it stays on the one
  // that replaced them (Resume, Pause, Train), never back at the top of the page.
  await viewByKey(page, 2, 'Train');
  await tabTo(page, page.getByTestId('train-epochs'));
  await page.keyboard.press('Control+a');
  await page.keyboard.type('2');
  await expect(page.getByTestId('train-epochs')).toHaveValue('2');
  await tabTo(page, page.getByRole('button', { name: 'Start paused' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('train-status')).toContainText('Paused');
  await focused('train-resume-run');
  await page.keyboard.press('Enter');
  await focused('train-pause');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('train-status')).toContainText('Paused');
  await focused('train-resume-run');
  await tabTo(page, page.getByTestId('train-stop'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('train-done')).toBeVisible();
  await focused('train-start');

  // Compare runs: a run's checkbox shows or hides it on the chart; × asks, Escape keeps, Remove removes.
  const rows = page.getByTestId('train-runs').getByTestId('run-row');
  const n = await rows.count();
  expect(n).toBeGreaterThanOrEqual(1);
  const box = rows.last().getByRole('checkbox');
  const was = await box.isChecked();
  await tabTo(page, box);
  await page.keyboard.press('Space');
  await expect(box).toBeChecked({ checked: !was });
  const remove = rows.last().getByTestId('run-remove');
  await tabTo(page, remove);
  await page.keyboard.press('Enter');
  await expect(rows.last().getByRole('button', { name: 'Keep' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(remove).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Shift+Tab');
  await expect(rows.last().getByTestId('run-remove-yes')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(rows).toHaveCount(n - 1);

  // Models' Take it further: each format picked with the arrow keys and exported with Enter; a file that
  // Locus did not write is kept until the question that takes the focus is answered (Escape keeps it).
  await viewByKey(page, 6, 'Models');
  const format = page.getByTestId('external-format');
  const path = page.getByTestId('external-path');
  const outcome = page.getByTestId('model-outcome');
  const stamp = Date.now();
  for (const [key, value, target] of [
    ['Home', 'pytorch', join(tmpRoot(), `a11y-kb-${stamp}-pytorch`)],
    ['End', 'tfjs', join(tmpRoot(), `a11y-kb-${stamp}-tfjs`)],
  ] as const) {
    await tabTo(page, format);
    await page.keyboard.press(key);
    await expect(format).toHaveValue(value);
    await tabTo(page, path);
    await page.keyboard.press('Control+a');
    await page.keyboard.type(target);
    await page.keyboard.press('Enter');
    await expect(outcome).toContainText(target, { timeout: 30_000 });
    await expect(outcome).toContainText('Wrote');
  }
  await tabTo(page, format);
  await page.keyboard.press('ArrowUp');
  await expect(format).toHaveValue('onnx');
  const mine = join(tmpRoot(), `a11y-kb-${stamp}.onnx`);
  await writeFile(mine, 'mine');
  await tabTo(page, path);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(mine);
  await page.keyboard.press('Enter');
  await focused('external-ask');
  await page.keyboard.press('Escape');
  await expect(outcome).toHaveCount(0);
  await expect(path).toBeFocused();
  expect(await readFile(mine, 'utf8')).toBe('mine');
  await page.keyboard.press('Enter');
  await focused('external-ask');
  await page.keyboard.press('Tab');
  await focused('external-overwrite');
  await page.keyboard.press('Enter');
  await expect(outcome).toContainText(`Wrote ${mine}`, { timeout: 30_000 });
  await expect(path).toBeFocused();
  // Open a model file: the JSON model exported by keyboard in the test before, else this one.
  await tabTo(page, page.getByTestId('export-path'));
  const json = join(tmpRoot(), `a11y-kb-${stamp}.locus.json`);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(json);
  await page.keyboard.press('Enter');
  await expect(outcome).toContainText(`Saved ${json}`);
  await tabTo(page, page.getByTestId('import-path'));
  await page.keyboard.type(json);
  await page.keyboard.press('Enter');
  await expect(outcome).toContainText(`Opened ${json}`);

  // Experiments: one picked from the list, run, cancelled (the focus goes from Run to Cancel and back),
  // and its report saved, all by keyboard.
  await viewByKey(page, 7, 'Experiments');
  const item = page.locator('[data-testid="exp-item"][data-id="art-vigilance"]');
  await tabTo(page, item);
  await page.keyboard.press('Enter');
  await expect(item).toHaveAttribute('aria-current', 'true');
  await tabTo(page, page.getByTestId('exp-run'));
  await page.keyboard.press('Enter');
  await focused('exp-cancel');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('exp-done')).toContainText('Cancelled', { timeout: 60_000 });
  await focused('exp-run');
  const report = join(tmpRoot(), `a11y-kb-${stamp}.html`);
  await tabTo(page, page.getByTestId('exp-export-html-path'));
  await page.keyboard.press('Control+a');
  await page.keyboard.type(report);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('exp-outcome')).toContainText(`Saved the report to ${report}`);
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

/** Views in both themes as they are now (no view switching); returns the violations, each with where. */
async function auditHere(page: Page, when: string): Promise<string[]> {
  const found: string[] = [];
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await shot(page, `a11y-${when.replace(/\W+/g, '-')}-${theme}`);
    found.push(...(await audit(page)).map((v) => `${when} ${theme} | ${v}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

/** Class names a folder of someone else's may have: long, accented, CJK. */
const LONG = 'Ünïcödé — a class name far longer than any column it is shown in, with accents and a dash';
const CJK = '猫と犬の長いクラス名前・とても長い名前です';

test('axe on a folder that is not the sample (RGB, long and unicode class names), and on what comes and goes: the folder browser, finished runs compared, the remove and replace questions, decision regions with the speed control, the toy GAN\'s arrows', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchConsole(page);
  const root = join(tmpRoot(), `a11y-folder-${Date.now()}`);
  for (const [c, name] of [LONG, CJK, 'x'].entries()) {
    for (let i = 0; i < 12; i++) await writeShape(join(root, name, `${i}.png`), (['disc', 'square', 'bar'] as const)[c], 7 * c + i, 32);
  }
  await page.goto(hostUrl());
  await expect(page.getByTestId('data-asking')).toHaveCount(0);
  const found: string[] = [];
  // The folder browser (a modal dialog) with the folder's parent listed, then the folder opened in colour.
  const browse = page.getByRole('button', { name: 'Browse…' });
  await ((await browse.isVisible()) ? browse : page.getByTestId('choose-folder')).click();
  const dialog = page.getByTestId('folder-browser');
  await expect(dialog.locator('.list')).toHaveAttribute('aria-busy', 'false');
  await dialog.getByLabel('Folder path').fill(root);
  await dialog.getByRole('button', { name: 'Go' }).click();
  await expect(dialog.locator('.list')).toHaveAttribute('aria-busy', 'false');
  found.push(...(await auditHere(page, 'folder browser')));
  await dialog.getByTestId('fb-open').click();
  await expect(page.getByTestId('stat-images')).toHaveText('36', { timeout: 60_000 });
  await page.locator('details.settings summary').click();
  await page.getByLabel('Colour').selectOption('3');
  await page.getByRole('button', { name: 'Reload with these' }).click();
  await expect(page.getByTestId('stat-size')).toContainText('RGB', { timeout: 60_000 });
  // Long names keep their whole text as the name a screen reader reads, however they are cut on screen.
  await expect(page.getByRole('button', { name: `${LONG}: 12 images`, exact: false })).toBeVisible();
  await expect(page.getByRole('button', { name: `${CJK}: 12 images`, exact: false })).toBeVisible();
  found.push(...(await auditHere(page, 'other folder Data')));

  // Train: two finished runs in Compare runs, the confusion matrix with the long names, and the
  // question before a run is removed (Escape answers Keep).
  await show(page, 'Train');
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-epochs').fill('1');
  await trainUntilDone(page);
  await trainUntilDone(page);
  await expect(page.getByTestId('train-confusion').getByRole('rowheader', { name: LONG })).toBeAttached();
  const row = page.getByTestId('train-runs').getByTestId('run-row').last();
  await row.getByTestId('run-remove').click();
  await expect(row.getByRole('group', { name: /^Remove .+\?$/ })).toBeVisible();
  found.push(...(await auditHere(page, 'other folder Train, runs ended, remove?')));
  await row.getByRole('button', { name: 'Keep' }).press('Escape');
  await expect(row.getByTestId('run-remove')).toBeFocused();

  // Models: a prediction, an evaluation, and Take it further asking before it replaces a file.
  await show(page, 'Models');
  await page.getByTestId('predict-index').fill('3');
  await page.getByTestId('predict-go').click();
  await expect(page.getByTestId('prediction')).toBeVisible();
  await page.getByTestId('evaluate-val').click();
  await expect(page.getByTestId('evaluation')).toBeVisible();
  const mine = join(root, 'mine.onnx');
  await writeFile(mine, 'mine');
  await page.getByTestId('external-format').selectOption('onnx');
  await page.getByTestId('external-path').fill(mine);
  await page.getByTestId('external-go').click();
  await expect(page.getByTestId('external-ask')).toBeFocused();
  await expect(page.getByRole('group', { name: `Replace ${mine}?` })).toBeVisible();
  found.push(...(await auditHere(page, 'other folder Models, replace?')));
  await page.keyboard.press('Escape');

  // Clustering on colour images: prototypes and their strips.
  await show(page, 'Clustering');
  await expect(page.getByTestId('cluster-panel-0').getByTestId('proto-0')).toBeAttached({ timeout: 60_000 });
  found.push(...(await auditHere(page, 'other folder Clustering')));

  // Train on a toy set in slow motion: the speed control and the decision regions, as it trains.
  await show(page, 'Train');
  await page.getByTestId('train-source-toy').check();
  await page.getByTestId('train-speed').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('train-start').click();
  await expect(page.getByRole('img', { name: /^Decision regions of the model over the plane from .+% of the plane; the set's points on top$/ })).toBeVisible({ timeout: 30_000 });
  found.push(...(await auditHere(page, 'toy Train in progress')));
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-done')).toBeVisible();

  // The toy GAN in slow motion with its gradient arrows: the plane is an image named with its step and D's outputs.
  await show(page, 'GAN');
  await page.getByTestId('gan-mode-toy').click();
  await page.getByTestId('gan-speed').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('gan-start').click();
  await expect.poll(async () => Number(await page.getByTestId('gan-toy').getAttribute('data-arrows')), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByRole('img', { name: /arrows where the generator moves its points, step \d+; D\(real\) \d+%, D\(generated\) \d+%$/ })).toBeVisible();
  found.push(...(await auditHere(page, 'toy GAN in progress, arrows')));
  await page.getByTestId('gan-stop').click();
  await expect(page.getByTestId('gan-done')).toBeVisible();

  const where = new Map<string, string[]>();
  for (const [at, problem] of found.map((f) => f.split(' | '))) where.set(problem, [...(where.get(problem) ?? []), at]);
  expect([...where].map(([problem, at]) => `${problem}\n    seen in: ${at.join('; ')}`)).toEqual([]);
  expect(errors).toEqual([]);
});
