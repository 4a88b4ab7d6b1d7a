/** Temporaries a killed writer leaves behind are swept before the next write and after a failure. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sweepTemps, writeFileAtomic } from './atomic.js';
import { sampleFile } from './fixture.js';
import { writeModelFile } from './index.js';

/** The id of a process that has exited (so nothing runs under it now, barring reuse). */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

let dir = '';
before(async () => (dir = await mkdtemp(join(tmpdir(), 'locus-temps-'))));
after(() => rm(dir, { recursive: true, force: true }));

test('stale temporaries of our own pattern are swept before a write; others are left alone', async () => {
  const target = join(dir, 'm.json');
  const dead = deadPid();
  const old = `.m.json.${process.pid}.77.tmp`;
  const keep = ['notes.txt', '.m.json.bak', `.other.json.${dead}.1.tmp`, `.m.json.${process.pid}.78.tmp`, `.m.json.${dead}.x.tmp`];
  for (const name of [`.m.json.${dead}.1.tmp`, `.m.json.${dead}.2.tmp`, old, ...keep]) await writeFile(join(dir, name), 'partial');
  // One of this process's own, not being written and two hours old: stale as well.
  const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
  await utimes(join(dir, old), twoHoursAgo, twoHoursAgo);
  await writeModelFile(target, sampleFile());
  assert.deepEqual((await readdir(dir)).sort(), ['m.json', ...keep].sort());
  assert.equal(await sweepTemps(target), 0);
});

test('after a failed write nothing of ours is left; a running writer\'s temporary is kept', async () => {
  const target = join(dir, 'f.json');
  // A writer that is alive (a sleeping child) and wrote recently: not swept.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const live = `.f.json.${child.pid}.1.tmp`;
  await writeFile(join(dir, live), 'partial');
  await writeFile(join(dir, `.f.json.${deadPid()}.3.tmp`), 'partial');
  await assert.rejects(
    writeFileAtomic(target, 'text', {
      rename: async () => {
        throw new Error('EXDEV: cross-device link');
      },
    }),
    /EXDEV/,
  );
  const left = (await readdir(dir)).filter((n) => n.startsWith('.f.json.'));
  child.kill();
  assert.deepEqual(left, [live]);
});
