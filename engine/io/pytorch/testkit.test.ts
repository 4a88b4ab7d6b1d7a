import assert from 'node:assert/strict';
import type { SpawnSyncReturns } from 'node:child_process';
import { test } from 'node:test';
import { hungAfterSaving } from './testkit.js';

function run(r: Partial<SpawnSyncReturns<string>>): SpawnSyncReturns<string> {
  return { pid: 1, output: [], stdout: '', stderr: '', status: null, signal: null, ...r };
}

test('a torchrun run that saved and was then killed at its timeout counts as hung after saving, whatever its exit', () => {
  const saved = '[default0]:saved /tmp/x/weights.json\n';
  const timedOut = Object.assign(new Error('spawnSync /usr/bin/python3 ETIMEDOUT'), { code: 'ETIMEDOUT' });
  assert.ok(hungAfterSaving(run({ stdout: saved, signal: 'SIGTERM' })));
  // torchrun's agent catches the SIGTERM and exits 1: only the error tells.
  assert.ok(hungAfterSaving(run({ stdout: saved, status: 1, error: timedOut })));
  assert.ok(!hungAfterSaving(run({ stdout: saved, status: 1 })), 'a failure after saving is a failure');
  assert.ok(!hungAfterSaving(run({ stdout: 'epoch 1\n', status: 1, error: timedOut })), 'a hang before saving is a failure');
  assert.ok(!hungAfterSaving(run({ stdout: saved, status: 0 })));
});
