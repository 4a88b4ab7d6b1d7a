import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LabError } from '../../engine/protocol/contract.js';
import { createRouter, type ShellHandlers } from './router.js';

const shell = {} as ShellHandlers;
const MODEL = '{\n "format": "locus-model",\n "version": 1\n}\n';
let dir = '';
before(async () => (dir = await mkdtemp(join(tmpdir(), 'locus-exports-'))));
after(() => rm(dir, { recursive: true, force: true }));

/** A router over an engine whose export does `act` (write, fail, crash...). */
function routerWith(act: (path: string) => Promise<unknown>): { route: ReturnType<typeof createRouter>; calls: string[] } {
  const calls: string[] = [];
  const route = createRouter({
    engine: {
      request: async (m, p) => {
        calls.push(m);
        return (await act((p as { path: string }).path)) as never;
      },
    },
    shell,
  });
  return { route, calls };
}

const writeAtomic = async (path: string, text: string): Promise<void> => {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
};

test('an export never replaces a file that is not a Locus model unless overwrite is true', async () => {
  const notes = join(dir, 'notes.txt');
  await writeFile(notes, 'my notes\n');
  const { route, calls } = routerWith(async (p) => (await writeAtomic(p, MODEL), { path: p, bytes: MODEL.length }));
  for (const method of ['models.export', 'gan.export', 'sequence.export'] as const) {
    const r = await route(method, { path: notes });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'exists');
    assert.match(!r.ok ? r.error.message : '', /notes\.txt exists and is not a Locus model file; it was not replaced/);
  }
  const run = await route('runs.export', { id: 'r1', path: notes });
  assert.equal(!run.ok && run.error.code, 'exists');
  assert.deepEqual(calls, []);
  assert.equal(await readFile(notes, 'utf8'), 'my notes\n');
  // Said explicitly: replaced.
  assert.deepEqual(await route('models.export', { path: notes, overwrite: true }), { ok: true, result: { path: notes, bytes: MODEL.length } });
  assert.equal(await readFile(notes, 'utf8'), MODEL);
  // A Locus model there (the one just written) is replaced without asking; a new name too.
  assert.equal((await route('models.export', { path: notes })).ok, true);
  assert.equal((await route('gan.export', { path: join(dir, 'new.json') })).ok, true);
  assert.deepEqual(calls, ['models.export', 'models.export', 'gan.export']);
  // A folder is never a target.
  await mkdir(join(dir, 'folder'));
  const f = await route('models.export', { path: join(dir, 'folder'), overwrite: true });
  assert.equal(!f.ok && f.error.code, 'invalid');
});

test('the reply tells the truth about the file on disk when the engine stops during an export', async () => {
  const target = join(dir, 'crash.json');
  // The engine wrote the file (renamed into place), then stopped before answering: the export is done.
  const wroteThenDied = routerWith(async (p) => {
    await writeAtomic(p, MODEL);
    throw new LabError({ message: 'the engine stopped unexpectedly (signal SIGKILL)', code: 'engine-restarted' });
  });
  assert.deepEqual(await wroteThenDied.route('models.export', { path: target }), { ok: true, result: { path: target, bytes: MODEL.length } });
  // It stopped before the rename: the earlier file is there, as it was, and the reply says so.
  const diedFirst = routerWith(async () => {
    throw new LabError({ message: 'the engine stopped unexpectedly (signal SIGKILL)', code: 'engine-restarted' });
  });
  const r = await diedFirst.route('models.export', { path: target });
  assert.deepEqual(r, { ok: false, error: { message: `the engine stopped unexpectedly (signal SIGKILL) (${target} was left as it was)`, code: 'engine-restarted' } });
  const none = await diedFirst.route('sequence.export', { path: join(dir, 'none.json') });
  assert.match(!none.ok ? none.error.message : '', /\(no file was written at .*none\.json\)$/);
});
