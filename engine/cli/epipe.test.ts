// The CLI as a shell pipeline runs it: a reader that closes early (`locus … | head`) must not crash it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

test('a closed stdout (locus … | head) ends the command quietly, with no stack trace', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/run.ts', 'help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before the command prints its first line
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.doesNotMatch(err, /EPIPE|Error|at /, err);
  assert.equal(code, 0);
});
