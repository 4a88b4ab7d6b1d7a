import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { readModelFile } from '../io/index.js';
import { main } from './locus.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-cli-seq-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI, returning the exit code and the JSON lines it printed. */
async function locus(args: string[]): Promise<{ code: number; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => (chunks.push(String(s)), true)) as typeof process.stdout.write;
  const errWrite = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const code = await main(args);
    // each JSON-mode write is one whole line; other writers (the test runner) may interleave theirs
    const lines = chunks.filter((c) => c.startsWith('{"')).map((c) => JSON.parse(c) as Record<string, unknown>);
    return { code, lines };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

test('locus seq on a generated series, then eval on fresh sequences and info', async () => {
  const out = join(dir, 'mem.json');
  const r = await locus(['seq', '--task', 'memory', '--cell', 'gru', '--units', '4', '--epochs', '2', '--n', '64', '--steps', '6', '--out', out, '--json']);
  assert.equal(r.code, 0);
  const events = r.lines.map((l) => l.event);
  assert.deepEqual(events, ['data', 'epoch', 'gates', 'epoch', 'gates', 'done']);
  const gates = r.lines[2].traces as { names: string[]; steps: number }[];
  assert.deepEqual(gates[0].names, ['reset', 'update', 'new', 'h']);
  assert.equal(gates[0].steps, 6);
  const file = await readModelFile(out);
  assert.equal(file.kind, 'sequence');
  const ev = await locus(['eval', '--model', out, '--n', '50', '--json']);
  assert.equal(ev.code, 0);
  assert.equal(ev.lines[0].n, 50);
  assert.equal(typeof ev.lines[0].accuracy, 'number');
  const info = await locus(['info', out, '--json']);
  assert.equal(info.lines[0].kind, 'sequence');
  assert.equal(info.lines[0].steps, 6);
  assert.equal(info.lines[0].features, 3);
  assert.deepEqual(info.lines[0].layers, ['gru 4', 'dense 2']);
});

test('locus seq --task rows reads an image folder row by row; eval on the same folder', async () => {
  const data = join(dir, 'bars');
  for (const [cls, horizontal] of [['h', true], ['v', false]] as const) {
    mkdirSync(join(data, cls), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const px = Buffer.alloc(8 * 8);
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) px[y * 8 + x] = (horizontal ? y : x) === 1 + i ? 255 : 0;
      await sharp(px, { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(join(data, cls, `${i}.png`));
    }
  }
  const out = join(dir, 'rows.json');
  const r = await locus(['seq', '--task', 'rows', '--data', data, '--size', '8', '--no-cache', '--cell', 'tdnn', '--units', '3', '--epochs', '1', '--val', '0', '--out', out, '--json']);
  assert.equal(r.code, 0);
  const d = r.lines.find((l) => l.event === 'data')!;
  assert.deepEqual(d.classes, ['h', 'v']);
  assert.equal(d.steps, 8);
  assert.equal(d.features, 8);
  const ev = await locus(['eval', '--model', out, '--data', data, '--no-cache', '--json']);
  assert.equal(ev.code, 0);
  assert.equal(ev.lines.at(-1)!.n, 12);
});

test('usage errors: a missing task, an unknown cell, rows without --data', async () => {
  assert.equal((await locus(['seq', '--out', join(dir, 'x.json')])).code, 2);
  assert.equal((await locus(['seq', '--task', 'memory', '--cell', 'lstmm', '--out', join(dir, 'x.json')])).code, 2);
  assert.equal((await locus(['seq', '--task', 'rows', '--out', join(dir, 'x.json')])).code, 2);
});
