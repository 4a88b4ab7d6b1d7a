import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunControl } from './control.js';

test('running control lets every checkpoint through and stop ends the loop', async () => {
  const c = new RunControl();
  let n = 0;
  while (await c.checkpoint()) {
    n++;
    if (n === 5) c.stop();
  }
  assert.equal(n, 5);
  assert.equal(c.state, 'stopped');
});

test('paused control waits, step(2) lets exactly two steps run, resume continues', async () => {
  const states: string[] = [];
  const c = new RunControl((s) => states.push(s));
  c.pause();
  let n = 0;
  const loop = (async () => {
    while (await c.checkpoint()) {
      n++;
      if (n === 10) c.stop();
    }
  })();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(n, 0, 'no step while paused');
  c.step(2);
  for (let i = 0; i < 200 && n < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(n, 2, 'exactly two steps, then paused again');
  c.resume();
  await loop;
  assert.equal(n, 10);
  assert.deepEqual(states, ['paused', 'running', 'stopped']);
});

test('stop while paused ends the loop', async () => {
  const c = new RunControl();
  c.pause();
  const p = c.checkpoint();
  c.stop();
  assert.equal(await p, false);
});

test('a delay slows a running loop to about one step per delay; setDelay(0) goes back to full speed at once', async () => {
  const c = new RunControl();
  c.setDelay(40);
  let n = 0;
  const t0 = performance.now();
  while (n < 5 && (await c.checkpoint())) n++;
  const slow = performance.now() - t0;
  assert.ok(slow >= 5 * 40 - 5, `5 steps at 40 ms took ${slow.toFixed(0)} ms`);
  c.setDelay(10_000);
  const waiting = c.checkpoint();
  await new Promise((r) => setTimeout(r, 20));
  const t1 = performance.now();
  c.setDelay(0);
  assert.equal(await waiting, true);
  assert.ok(performance.now() - t1 < 1000, 'a long wait ends when the speed goes up');
  assert.throws(() => c.setDelay(-1), /delay must be/);
});

test('stop during a delay ends the loop without waiting the delay out', async () => {
  const c = new RunControl();
  c.setDelay(60_000);
  const p = c.checkpoint();
  await new Promise((r) => setTimeout(r, 10));
  c.stop();
  assert.equal(await p, false);
});
