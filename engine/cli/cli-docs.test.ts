/**
 * docs/cli.md against the commands: its reference section must be exactly what `npm run docs:cli`
 * makes from the usage strings, so a flag added to a command's usage without regenerating the page
 * fails here; every flag a command's parser accepts must be named in its usage, and every flag its
 * usage names must be accepted (so neither a new flag without docs nor docs of a flag that went away
 * pass).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import util from 'node:util';
import { cliReference, DOC, flagsIn, withReference } from '../../scripts/docs-cli.js';
import { raw, writeImage } from '../data/testkit.js';
import { COMMANDS } from './commands.js';
import { locus } from './testkit.js';

test('docs/cli.md holds the reference the commands\' usage strings make (npm run docs:cli rewrites it)', () => {
  const doc = readFileSync(DOC, 'utf8');
  const want = withReference(doc);
  if (want === doc) return;
  // Name what differs so the failure says which command drifted.
  const stale = Object.entries(COMMANDS)
    .filter(([, c]) => !doc.includes('```text\n' + c.usage.trimEnd() + '\n```'))
    .map(([name]) => `locus ${name}`);
  assert.fail(`docs/cli.md is out of date (${stale.join(', ') || 'the command list'}): run npm run docs:cli`);
});

test('the reference names every command and every flag of its usage', () => {
  const ref = cliReference();
  for (const [name, c] of Object.entries(COMMANDS)) {
    assert.ok(ref.includes(`### locus ${name}\n`), name);
    for (const f of flagsIn(c.usage)) assert.ok(ref.includes(`--${f}`), `locus ${name} --${f}`);
  }
});

test('withReference refuses a page without its markers', () => {
  assert.throws(() => withReference('# no markers here\n'), /markers/);
});

/** Flags every command takes (args.ts adds them; `locus --help` says so once). */
const COMMON = new Set(['help', 'json']);

let dir = '';
after(() => rm(dir, { recursive: true, force: true }));

/**
 * The flags each command's parser accepts: the options it hands to node:util parseArgs
 * (engine/cli/args.ts), caught on each parse and unioned. eval and predict parse again by the model
 * file's kind (sequence, rbf), so they are also run with a small model of each.
 */
let acceptedOnce: Promise<Record<string, Set<string>>> | undefined;
const accepted = (): Promise<Record<string, Set<string>>> => (acceptedOnce ??= findAccepted());

async function findAccepted(): Promise<Record<string, Set<string>>> {
  dir = await mkdtemp(join(tmpdir(), 'locus-cli-docs-'));
  const seqFile = join(dir, 'seq.json');
  const rbfFile = join(dir, 'rbf.json');
  const bar = (horizontal: boolean, p: number) => raw(8, 8, 1, (x, y) => ((horizontal ? y : x) === p ? 255 : 10));
  for (let i = 0; i < 4; i++) {
    await writeImage(join(dir, 'bars', 'horizontal', `h${i}.png`), bar(true, i), 8, 8, 1, (x) => x.png());
    await writeImage(join(dir, 'bars', 'vertical', `v${i}.png`), bar(false, i), 8, 8, 1, (x) => x.png());
  }
  const made = [
    await locus('seq', '--task', 'memory', '--cell', 'rnn', '--units', '2', '--epochs', '1', '--n', '16', '--steps', '4', '--out', seqFile),
    await locus('train', '--model', 'rbf', '--data', join(dir, 'bars'), '--size', '8', '--val', '0', '--units', '4', '--epochs', '1', '--no-cache', '--out', rbfFile),
  ];
  for (const r of made) assert.equal(r.code, 0, r.stderr);
  const byKind: Record<string, string[][]> = {
    eval: [['--model', seqFile], ['--model', rbfFile]],
    predict: [['--model', rbfFile]],
  };

  const original = util.parseArgs;
  const seen: Record<string, Set<string>> = {};
  let current = '';
  class Caught extends Error {}
  (util as { parseArgs: unknown }).parseArgs = (config: { options?: Record<string, unknown> }) => {
    for (const o of Object.keys(config.options ?? {})) seen[current].add(o);
    throw new Caught();
  };
  syncBuiltinESMExports();
  try {
    for (const [name, c] of Object.entries(COMMANDS)) {
      current = name;
      seen[name] = new Set();
      // No arguments: every command parses before it reads a file (eval and predict look for --model first).
      for (const argv of [[], ...(byKind[name] ?? [])]) await c.run(argv).catch(() => undefined);
    }
  } finally {
    (util as { parseArgs: unknown }).parseArgs = original;
    syncBuiltinESMExports();
  }
  return seen;
}

test('every flag a command accepts is named in its usage, and every flag its usage names is accepted', async () => {
  const seen = await accepted();
  const missing: string[] = [];
  const unknown: string[] = [];
  for (const [name, c] of Object.entries(COMMANDS)) {
    assert.ok(seen[name].size > 0, `locus ${name} did not parse its arguments with engine/cli/args.ts`);
    const named = flagsIn(c.usage);
    for (const o of seen[name]) if (!named.has(o) && !COMMON.has(o)) missing.push(`locus ${name} --${o}`);
    // A command line in backticks is another command's (`locus train --init X`, `torchrun ...`).
    for (const f of flagsIn(c.usage.replace(/`[^`]*`/g, ''))) if (!seen[name].has(f) && !COMMON.has(f)) unknown.push(`locus ${name} --${f}`);
  }
  assert.deepEqual(missing, [], 'flags accepted but not in the usage (add them to the usage, then npm run docs:cli)');
  assert.deepEqual(unknown, [], 'flags the usage names but the command refuses (an old or misspelt flag)');
});

/**
 * Every `locus CMD ... --flag` the docs write, in code blocks and inline code: the command line up to
 * the end of the line, a closing backtick, a shell operator (&& | ;) or a # comment.
 */
export function commandLinesIn(md: string): { command: string; flags: string[]; line: number }[] {
  const out: { command: string; flags: string[]; line: number }[] = [];
  const lines = md.split('\n');
  let fenced = false;
  lines.forEach((text, i) => {
    if (/^\s*(```|~~~)/.test(text)) {
      fenced = !fenced;
      return;
    }
    const spans = fenced ? [text] : Array.from(text.matchAll(/`([^`]+)`/g), (m) => m[1]);
    for (const span of spans) {
      for (const m of span.matchAll(/(?<![\w/.-])locus\s+([a-z]+)\b([^`#;|&]*)/g)) {
        if (!(m[1] in COMMANDS)) continue;
        out.push({ command: m[1], flags: [...flagsIn(m[2])], line: i + 1 });
      }
    }
  });
  return out;
}

test('commandLinesIn finds locus command lines in fences and inline code, not in prose', () => {
  const md = 'Run locus train --nope in prose.\n`locus eval --model M --data D` and `npx locus predict --top 3`\n```sh\nlocus gan --data D && locus sample --n 4  # --comment\n```\n';
  assert.deepEqual(commandLinesIn(md), [
    { command: 'eval', flags: ['model', 'data'], line: 2 },
    { command: 'predict', flags: ['top'], line: 2 },
    { command: 'gan', flags: ['data'], line: 4 },
    { command: 'sample', flags: ['n'], line: 4 },
  ]);
});

test('every locus command line in the README, CONTRIBUTING.md and docs/ uses flags its command accepts', async () => {
  const seen = await accepted();
  const root = join(dirname(DOC), '..');
  const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync(dirname(DOC)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const wrong: string[] = [];
  for (const page of pages) {
    for (const { command, flags, line } of commandLinesIn(readFileSync(join(root, page), 'utf8'))) {
      for (const f of flags) if (!seen[command].has(f)) wrong.push(`${page}:${line}: locus ${command} --${f}`);
    }
  }
  assert.deepEqual(wrong, [], 'flags the docs give a command that it does not accept');
});
