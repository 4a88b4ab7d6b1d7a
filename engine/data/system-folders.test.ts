import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { listFolder } from '../worker/handlers/fs.js';
import { scanFolder } from './scan.js';

const posix = process.platform !== 'win32';
let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-sysdirs-'));
  await mkdir(join(dir, 'cats'));
  await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'cats', 'a.png'));
  if (posix) {
    await symlink('/proc/self', join(dir, 'proc-link'));
    await symlink('/proc/self/cwd', join(dir, 'cwd-link'));
    await symlink('/proc/self', join(dir, 'root-link'));
  }
});
after(() => rm(dir, { recursive: true, force: true }));

test('/proc, /sys and /dev are never opened as image folders, directly or through a link', { skip: !posix && 'no /proc here' }, async () => {
  for (const p of ['/proc/self', '/proc', '/sys', '/dev', '/proc/self/cwd']) {
    await assert.rejects(scanFolder(p), /is in \/(proc|sys|dev), a system folder; Locus does not open \/proc, \/sys or \/dev as image folders/, p);
  }
  await assert.rejects(scanFolder(join(dir, 'root-link')), /root-link is in \/proc, a system folder/);
  // Inside a folder: linked subfolders that lead there are skipped with the reason; images still load.
  const r = await scanFolder(dir);
  assert.deepEqual(r.classes, ['cats']);
  assert.equal(r.files.length, 1);
  const reasons = new Map(r.skipped.map((s) => [s.path, s.reason]));
  assert.equal(reasons.get(join(dir, 'proc-link')), 'symlink to a system folder (/proc, /sys or /dev)');
  // /proc/self/cwd is the test's own folder (the repository), not a system folder by its real path,
  // but a link to it that goes through /proc is refused all the same.
  assert.equal(reasons.get(join(dir, 'cwd-link')), 'symlink to a system folder (/proc, /sys or /dev)');
});

test('the folder browser neither lists nor opens them', { skip: !posix && 'no /proc here' }, async () => {
  await assert.rejects(listFolder('/proc/self'), /system folder/);
  await assert.rejects(listFolder(join(dir, 'root-link')), /system folder/);
  const root = await listFolder('/');
  assert.ok(!root.entries.some((e) => ['proc', 'sys', 'dev'].includes(e.name)), JSON.stringify(root.entries.map((e) => e.name)));
  assert.ok(root.entries.length > 0);
});
