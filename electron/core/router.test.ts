import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabError } from '../../engine/protocol/contract.js';
import { createRouter, type ShellHandlers } from './router.js';

const settings = { theme: 'dark' as const, recentFolders: [] };
const shell: ShellHandlers = {
  'shell.info': () => ({ transport: 'browser', dialogs: false, platform: 'linux', version: '0' }),
  'shell.pickFolder': () => ({ path: null }),
  'shell.pickFile': () => ({ path: null }),
  'shell.pickSavePath': () => ({ path: null }),
  'shell.suggestSavePath': (p) => ({ path: `/docs/${p.defaultName}` }),
  'shell.settings': () => settings,
  'shell.updateSettings': () => settings,
  'shell.forgetRecent': () => settings,
};

test('the router refuses unknown methods and bad params before anything runs', async () => {
  const calls: string[] = [];
  const route = createRouter({
    engine: { request: async (m) => (calls.push(m), { cancelled: true }) as never },
    shell,
  });
  assert.deepEqual(await route('process.exit', {}), { ok: false, error: { message: 'unknown method "process.exit"', code: 'unknown-method' } });
  assert.deepEqual(await route('__proto__', {}), { ok: false, error: { message: 'unknown method "__proto__"', code: 'unknown-method' } });
  const bad = await route('data.open', { path: 42 });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.error.code, 'invalid');
  assert.deepEqual(calls, []);
  assert.deepEqual(await route('data.cancel', {}), { ok: true, result: { cancelled: true } });
  assert.deepEqual(calls, ['data.cancel']);
});

test('the router never throws and never echoes a whole unknown name: a method nested 100,000 deep, or of a million characters', async () => {
  const route = createRouter({ engine: { request: async () => ({}) as never }, shell });
  let deep: unknown = 'x';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.deepEqual(await route(deep, {}), { ok: false, error: { message: 'unknown method (an array, not a name)', code: 'unknown-method' } });
  assert.deepEqual(await route(undefined, {}), { ok: false, error: { message: 'unknown method (none given)', code: 'unknown-method' } });
  const long = await route('y'.repeat(1_000_000), {});
  assert.equal(long.ok, false);
  assert.ok(!long.ok && long.error.message.length < 80, 'cut to 60 characters');
  const nested = await route('data.open', { path: deep });
  assert.deepEqual(nested, { ok: false, error: { message: 'data.open: bad params: path: expected a string', code: 'invalid' } });
});

test('shell methods stay in the shell; engine errors keep their code; successes reach afterEngine', async () => {
  const seen: string[] = [];
  const route = createRouter({
    engine: {
      request: async (m) => {
        if (m === 'data.open') throw new LabError({ message: 'cancelled', code: 'cancelled' });
        return { cancelled: false } as never;
      },
    },
    shell,
    afterEngine: (m) => void seen.push(m),
  });
  assert.deepEqual(await route('shell.settings', {}), { ok: true, result: settings });
  assert.deepEqual(await route('data.open', { path: '/a' }), { ok: false, error: { message: 'cancelled', code: 'cancelled' } });
  await route('data.cancel', {});
  assert.deepEqual(seen, ['data.cancel']);
});
