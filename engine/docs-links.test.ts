/**
 * The docs hold together: every relative link and image in README.md, CONTRIBUTING.md and docs/*.md
 * names a file that exists (and a heading that exists, for a #fragment), every docs/ page is linked
 * from the README, the README stays short and keeps no dated measurements, and every picture in
 * docs/images/ is made by an e2e spec (docShot in e2e/tour.spec.ts), so none goes stale unnoticed.
 * CONTRIBUTING.md's table of the protocol names every method and event of the contract, and the layer
 * tables of docs/deep-models.md and docs/sequence-models.md name every registered layer type with the
 * defaults the registry holds.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { layerFactory, layerTypes } from './layers/index.js';
import { EVENTS, METHODS } from './protocol/contract.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = join(ROOT, 'docs');
const PAGES = ['README.md', 'CONTRIBUTING.md', ...readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text outside fenced code blocks. */
const unfenced = (md: string): string => md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
/** The text outside fenced code blocks and inline code (links there are examples, not links). */
export const prose = (md: string): string => unfenced(md).replace(/`[^`\n]*`/g, '');

/** Every `[text](target)` and `![alt](target)` target in the prose, with its line for messages. */
export function linksIn(md: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  // Blank out code but keep line numbers.
  const text = md
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (m) => ' '.repeat(m.length));
  for (const m of text.matchAll(/!?\[(?:[^\]\n]|\n(?!\n))*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    out.push({ target: m[1], line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a page offers: its headings' slugs (repeats numbered as GitHub does) and explicit ids. */
export function anchorsOf(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of unfenced(md).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const s = slug(m[1]);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  for (const m of md.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

test('slug and linksIn follow GitHub on the cases the docs use', () => {
  assert.equal(slug('The lanes: what may import what'), 'the-lanes-what-may-import-what');
  assert.equal(slug("The engine's folders"), 'the-engines-folders');
  assert.equal(slug('The latest comparison (2026-12-04)'), 'the-latest-comparison-2026-12-04');
  assert.equal(slug('`locus train --init`'), 'locus-train---init');
  assert.equal(slug('Data: opening a folder'), 'data-opening-a-folder');
  assert.deepEqual(anchorsOf('# A\n## A\n```\n# not a heading\n```\n'), new Set(['a', 'a-1']));
  assert.deepEqual(
    linksIn('see [x](a.md#b) and ![p](images/p.png)\n`[no](code.md)`\n```\n[no](fence.md)\n```\n[y](https://e.org) [z](\nc.md)').map((l) => l.target),
    ['a.md#b', 'images/p.png', 'https://e.org', 'c.md'],
  );
});

test('every relative link and image in the README, CONTRIBUTING.md and docs/ resolves, #fragments included', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    const md = readFileSync(join(ROOT, page), 'utf8');
    for (const { target, line } of linksIn(md)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
      const [path, fragment] = target.split('#', 2) as [string, string | undefined];
      const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), decodeURIComponent(path));
      const where = `${page}:${line}: ${target}`;
      if (!existsSync(file)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (relative(ROOT, file).startsWith('..')) broken.push(`${where} (outside the repository)`);
      if (fragment === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) continue;
      if (!anchorsOf(readFileSync(file, 'utf8')).has(fragment)) broken.push(`${where} (no heading with that anchor in ${relative(ROOT, file)})`);
    }
  }
  assert.deepEqual(broken, []);
});

test('the README stays under 250 lines, keeps no dated measurements, and links every docs/ page', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
  assert.ok(lines < 250, `README.md has ${lines} lines; move detail to a docs/ page`);
  assert.doesNotMatch(prose(readme), /\bMeasured\b|\b20\d\d-\d\d-\d\d\b/, 'figures and their dates belong on docs/performance.md');
  const linked = new Set(linksIn(readme).map((l) => l.target.split('#')[0]));
  const unlinked = readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .filter((f) => !linked.has(`docs/${f}`));
  assert.deepEqual(unlinked, [], 'docs/ pages the README does not link');
});

test('every picture in docs/images/ is shown by a page and made by an e2e spec (docShot)', () => {
  const images = readdirSync(join(DOCS, 'images')).filter((f) => /\.(png|jpe?g|svg|gif|webp)$/i.test(f));
  const shown = new Set<string>();
  for (const page of PAGES) {
    for (const { target } of linksIn(readFileSync(join(ROOT, page), 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      shown.add(relative(ROOT, join(ROOT, dirname(page), target.split('#')[0])));
    }
  }
  const specs = readdirSync(join(ROOT, 'e2e'))
    .filter((f) => f.endsWith('.spec.ts'))
    .map((f) => readFileSync(join(ROOT, 'e2e', f), 'utf8'))
    .join('\n');
  const made = new Set(Array.from(specs.matchAll(/docShot\(\s*page\s*,\s*'([\w-]+)'\s*\)/g), (m) => `${m[1]}.png`));
  assert.deepEqual(images.filter((f) => !shown.has(`docs/images/${f}`)), [], 'pictures no page shows');
  assert.deepEqual(images.filter((f) => !made.has(f)), [], 'pictures no e2e spec makes (add a docShot call)');
});

test("CONTRIBUTING.md's protocol table names every method and event of the contract, and nothing else", () => {
  const md = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
  const start = md.indexOf('### The protocol by area');
  assert.ok(start >= 0, 'CONTRIBUTING.md has a section "The protocol by area"');
  const table = md.slice(start).split('\n').filter((l) => l.startsWith('|')).join('\n');
  const named = new Set(Array.from(table.matchAll(/`([a-z]+\.[a-zA-Z]+)`/g), (m) => m[1]));
  const contract = [...Object.keys(METHODS), ...Object.keys(EVENTS)];
  assert.deepEqual(contract.filter((m) => !named.has(m)), [], 'in the contract, not in the table');
  assert.deepEqual([...named].filter((m) => !contract.includes(m) && !m.endsWith('.ts')), [], 'in the table, not in the contract');
});

test('the layer tables name every registered layer type, with the defaults the registry holds', () => {
  const rows = ['docs/deep-models.md', 'docs/sequence-models.md']
    .flatMap((p) => readFileSync(join(ROOT, p), 'utf8').split('\n'))
    .filter((l) => l.startsWith('| `'));
  const wrong: string[] = [];
  for (const type of layerTypes()) {
    const row = rows.find((r) => r.split('|')[1].includes(`\`${type}\``));
    if (!row) {
      wrong.push(`${type}: no row`);
      continue;
    }
    const defaults = layerFactory(type).defaults as Record<string, unknown>;
    // "`key` (value)" in the options cell: the value must be the default (quoted strings, numbers, booleans).
    for (const m of row.split('|')[2].matchAll(/`(\w+)` \(([^)]*)\)/g)) {
      const [, key, text] = m;
      if (!(key in defaults) || /required| or |list/.test(text)) continue;
      const raw = text.split(/[;,]/)[0].trim().replace('−', '-');
      if (!/^("[^"]*"|-?[\d.]+(e-?\d+)?|true|false)$/.test(raw)) continue; // prose, not a value
      const doc = raw.replace(/^"(.*)"$/, '$1');
      const want = defaults[key];
      const same = typeof want === 'number' ? Number(doc) === want : String(want) === doc;
      if (!same) wrong.push(`${type}.${key}: the docs say ${doc}, the registry ${JSON.stringify(want)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('every npm run NAME the docs give is a script of package.json', () => {
  const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
  const wrong: string[] = [];
  for (const page of PAGES) {
    for (const m of readFileSync(join(ROOT, page), 'utf8').matchAll(/npm run ([\w:-]+)/g)) if (!scripts.includes(m[1])) wrong.push(`${page}: npm run ${m[1]}`);
  }
  assert.deepEqual(wrong, []);
});
