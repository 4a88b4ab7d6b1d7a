import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listFolder } from './fs.js';

test('fs.list counts the image files directly in each sub-folder (not in deeper ones, not other files)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'locus-fs-'));
  try {
    await mkdir(join(dir, 'cats', 'deeper'), { recursive: true });
    await mkdir(join(dir, 'empty'));
    for (const f of ['a.png', 'b.JPG', 'notes.txt', '.hidden.png']) await writeFile(join(dir, 'cats', f), '');
    await writeFile(join(dir, 'cats', 'deeper', 'c.png'), '');
    await writeFile(join(dir, 'top.webp'), '');
    const l = await listFolder(dir);
    assert.deepEqual(l.entries, [
      { name: 'cats', dir: true, images: 2 },
      { name: 'empty', dir: true, images: 0 },
      { name: 'top.webp', dir: false },
    ]);
    assert.equal(l.images, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
