/**
 * The engine process end to end over a real child_process.fork link: the same entry the browser host
 * starts, run unbuilt through tsx.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { METHODS, type MethodName, type Params } from '../protocol/contract.js';
import { parseEvent, parseReply } from '../protocol/messages.js';

const entry = fileURLToPath(new URL('./entry.ts', import.meta.url));
let dir = '';
let child: ChildProcess;
let nextId = 1;
const events: unknown[] = [];
const waiting = new Map<number, (m: unknown) => void>();

async function call<M extends MethodName>(method: M, params: Params<M>): Promise<{ ok: boolean; result?: unknown; error?: { message: string; code?: string } }> {
  const id = nextId++;
  const reply = new Promise<unknown>((resolve) => waiting.set(id, resolve));
  child.send({ id, method, params });
  const r = parseReply(await reply, method);
  assert.ok(r.ok, `reply to ${method} follows the contract: ${r.ok ? '' : r.error}`);
  return r.value as never;
}

async function image(path: string, value: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await sharp(Buffer.alloc(8 * 8 * 3, value), { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(path);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-worker-'));
  for (let i = 0; i < 5; i++) await image(join(dir, 'set', 'cats', `c${i}.png`), 40 + i);
  for (let i = 0; i < 3; i++) await image(join(dir, 'set', 'dogs', `d${i}.png`), 200 + i);
  await writeFile(join(dir, 'set', 'dogs', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png'));
  child = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    env: { ...process.env, LOCUS_CACHE_DIR: 'off', LOCUS_TEST: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (m: unknown) => {
    const id = (m as { id?: number }).id;
    if (typeof id === 'number' && waiting.has(id)) {
      waiting.get(id)?.(m);
      waiting.delete(id);
    } else events.push(m);
  });
});

after(async () => {
  child.kill();
  await rm(dir, { recursive: true, force: true });
});

test('ping answers with version, protocol and pid', async () => {
  const r = await call('engine.ping', {});
  assert.equal(r.ok, true);
  assert.equal((r.result as { pid: number }).pid, child.pid);
});

test('bad requests get an "invalid" error reply, never silence', async () => {
  const id = nextId++;
  const reply = new Promise<unknown>((resolve) => waiting.set(id, resolve));
  child.send({ id, method: 'data.open', params: { path: 3 } });
  const r = parseReply(await reply, 'data.open');
  assert.ok(r.ok && !r.value.ok && r.value.error.code === 'invalid');
});

test('data.open loads the folder, streams progress, names the corrupt file, and splits per class', async () => {
  events.length = 0;
  const r = await call('data.open', { path: join(dir, 'set'), options: { width: 4, height: 4, channels: 3, valFraction: 0.4, seed: 7 } });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const s = r.result as import('../protocol/contract.js').DataSummary;
  assert.deepEqual(s.classes, ['cats', 'dogs']);
  assert.deepEqual(s.counts, [5, 3]);
  assert.equal(s.n, 8);
  assert.deepEqual([s.width, s.height, s.channels], [4, 4, 3]);
  assert.equal(s.skippedTotal, 1);
  assert.match(s.skipped[0].path, /broken\.png$/);
  assert.equal(s.split.train + s.split.val, 8);
  assert.deepEqual(
    s.split.trainCounts.map((t, i) => t + s.split.valCounts[i]),
    [5, 3],
  );
  const names = events.map((e) => (e as { event: string }).event);
  assert.ok(names.includes('data.progress'));
  assert.equal(names.at(-1), 'data.loaded');
  for (const e of events) assert.ok(parseEvent(e, 'engine').ok);
  const cur = await call('data.current', {});
  assert.deepEqual((cur.result as { summary: unknown }).summary, s);
});

test('thumbnails: pages of pixels with labels, filtered by class and by split side', async () => {
  const r = await call('data.thumbnails', { offset: 3, count: 10 });
  const t = r.result as import('../protocol/contract.js').Thumbnails;
  assert.equal(t.total, 8);
  assert.equal(t.labels.length, 5);
  assert.equal(t.pixels.length, 5 * 3 * 4 * 4);
  assert.deepEqual([...t.indices], [3, 4, 5, 6, 7]);
  // dogs are bright (200..202), cats dark (40..44): the pixels match the labels.
  for (let k = 0; k < 5; k++) assert.equal(t.pixels[k * 48] > 100, t.labels[k] === 1);
  const dogs = (await call('data.thumbnails', { offset: 0, count: 100, classIndex: 1 })).result as typeof t;
  assert.deepEqual([...dogs.labels], [1, 1, 1]);
  assert.match(dogs.names[0], /^dogs[\\/]d0\.png$/);
  const val = (await call('data.thumbnails', { offset: 0, count: 100, subset: 'val' })).result as typeof t;
  const summary = ((await call('data.current', {})).result as { summary: { split: { val: number } } }).summary;
  assert.equal(val.total, summary.split.val);
});

test('fs.list lists sub-folders and counts images; data.cancel with nothing loading says so', async () => {
  const l = await call('fs.list', { path: join(dir, 'set', 'dogs') });
  assert.equal(l.ok, true);
  assert.equal((l.result as { images: number }).images, 4);
  const up = await call('fs.list', { path: join(dir, 'set') });
  assert.deepEqual((up.result as { entries: unknown[] }).entries, [
    { name: 'cats', dir: true, images: 5 },
    { name: 'dogs', dir: true, images: 4 },
  ]);
  const missing = await call('fs.list', { path: join(dir, 'nope') });
  assert.match(missing.error?.message ?? '', /no such folder/);
  assert.deepEqual((await call('data.cancel', {})).result, { cancelled: false });
});

test('a missing folder fails with a reason; debug.crash is refused outside test runs', async () => {
  const r = await call('data.open', { path: join(dir, 'missing') });
  assert.equal(r.ok, false);
  assert.ok((r.error?.message ?? '').length > 0);
  const c = await call('debug.crash', {});
  assert.equal(c.error?.code, 'unavailable');
  assert.equal(Object.keys(METHODS).includes('debug.crash'), true);
});

test('models.import refuses a file of 6 M `{}` in its settings and answers ping next; a model whose output overflows fails predict with the reason', async () => {
  const { classifierModel } = await import('../models/presets.js');
  const { Rng } = await import('../core/rng.js');
  const { classifierToFile } = await import('../io/index.js');
  const model = classifierModel('lenet5', [1, 28, 28], 2, {}, new Rng(1));
  const text = JSON.stringify(
    classifierToFile({ model, classes: ['cats', 'dogs'], input: { channels: 1, height: 28, width: 28 }, normalization: { kind: 'unit' }, training: { seed: 1, settings: {}, history: [] } }),
  );
  const big = join(dir, 'big-settings.json');
  await writeFile(big, text.replace('"settings":{', `"settings":{"x":[${'{},'.repeat(6_000_000)}{}],`));
  const refused = await call('models.import', { path: big });
  assert.equal(refused.ok, false);
  assert.match(refused.error?.message ?? '', /an array holds more than 100,000 items/);
  assert.equal((await call('engine.ping', {})).ok, true);
  // Every weight at 1e8 is within the file bounds, but LeNet-5's products overflow float32 to Infinity.
  for (const p of model.params()) p.value.fill(1e8);
  const over = join(dir, 'overflow.json');
  await writeFile(over, JSON.stringify(classifierToFile({ model, classes: ['cats', 'dogs'], input: { channels: 1, height: 28, width: 28 }, normalization: { kind: 'unit' }, training: { seed: 1, settings: {}, history: [] } })));
  assert.equal((await call('models.import', { path: over })).ok, true);
  const p = await call('models.predict', { path: join(dir, 'set', 'cats', 'c0.png') });
  assert.deepEqual(p, { id: (p as { id?: number }).id, ok: false, error: { message: "the model's output is not a finite number (its weights or normalization overflow float32)", code: 'failed' } } as never);
});
