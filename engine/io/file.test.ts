import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sampleFile } from './fixture.js';
import { LIMITS, ModelFileError, readModelFile, writeModelFile } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'locus-file-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `d${++n}`);
  mkdirSync(d);
  return d;
};

test('write then read gives back the same file', async () => {
  const dir = freshDir();
  const path = join(dir, 'm.locus.json');
  const file = sampleFile();
  await writeModelFile(path, file);
  assert.deepEqual(await readModelFile(path), file);
  assert.deepEqual(readdirSync(dir), ['m.locus.json'], 'no temporary file left');
});

for (const [step, failure] of [
  ['write', { write: async (fh: import('node:fs/promises').FileHandle, text: string) => { await fh.writeFile(text.slice(0, 100)); throw new Error('ENOSPC: no space left on device'); } }],
  ['sync', { sync: async () => { throw new Error('EIO: i/o error'); } }],
  ['rename', { rename: async () => { throw new Error('EXDEV: cross-device link'); } }],
] as const) {
  test(`a failing ${step} leaves the earlier file untouched and no temporary file`, async () => {
    const dir = freshDir();
    const path = join(dir, 'm.locus.json');
    writeFileSync(path, 'EARLIER CONTENT');
    await assert.rejects(writeModelFile(path, sampleFile(), failure), (e: unknown) => {
      assert.ok(e instanceof ModelFileError);
      assert.match(e.message, /m\.locus\.json: cannot write the file: (ENOSPC|EIO|EXDEV)/);
      return true;
    });
    assert.equal(readFileSync(path, 'utf8'), 'EARLIER CONTENT');
    assert.deepEqual(readdirSync(dir), ['m.locus.json']);
  });
}

test('a real failure (the target is a folder) removes the temporary file', async () => {
  const dir = freshDir();
  const path = join(dir, 'taken');
  mkdirSync(path);
  writeFileSync(join(path, 'inside'), 'x');
  await assert.rejects(writeModelFile(path, sampleFile()), /cannot write the file/);
  assert.deepEqual(readdirSync(dir), ['taken']);
  assert.deepEqual(readdirSync(path), ['inside']);
});

test('writing into a missing folder fails with the reason', async () => {
  // In words, with the folder, and never the temporary file's name.
  await assert.rejects(writeModelFile(join(root, 'no', 'such', 'm.json'), sampleFile()), (e: unknown) => /cannot write the file: the folder \S*no[\\/]such does not exist$/.test((e as Error).message) && !/\.tmp/.test((e as Error).message));
});

test('an invalid model is refused before anything is written', async () => {
  const dir = freshDir();
  const path = join(dir, 'm.locus.json');
  writeFileSync(path, 'EARLIER CONTENT');
  const bad = sampleFile();
  bad.model.classes.push('extra');
  await assert.rejects(writeModelFile(path, bad), /refusing to write an invalid model: architecture: the network outputs \[3\] but there are 4 classes/);
  assert.equal(readFileSync(path, 'utf8'), 'EARLIER CONTENT');
  assert.deepEqual(readdirSync(dir), ['m.locus.json']);
});

test('reading: a missing file, a folder, a file over the size limit (checked before reading)', async () => {
  await assert.rejects(readModelFile(join(root, 'missing.json')), (e: unknown) => e instanceof ModelFileError && /missing\.json: cannot read the file: ENOENT/.test(e.message));
  await assert.rejects(readModelFile(root), /: not a file$/);
  const big = join(freshDir(), 'big.json');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, LIMITS.maxFileBytes + 1); // sparse: no disk used, never read
  closeSync(fd);
  await assert.rejects(readModelFile(big), new RegExp(`file is ${LIMITS.maxFileBytes + 1} bytes, at most ${LIMITS.maxFileBytes} allowed`));
});

test('reading a tampered file names the path and the reason', async () => {
  const path = join(freshDir(), 'old.json');
  writeFileSync(path, JSON.stringify({ ...sampleFile(), version: 7 }));
  await assert.rejects(readModelFile(path), (e: unknown) => {
    assert.ok(e instanceof ModelFileError);
    assert.equal(e.path, path);
    assert.equal(e.reason, 'made by a newer Locus: format version 7, this one reads up to 1');
    return true;
  });
});
