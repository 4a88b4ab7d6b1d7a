import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, runPool } from './abort.js';
import { throttledProgress, type LoadProgress } from './progress.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('runPool', () => {
  it('runs every item once with at most `concurrency` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool(20, 3, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      seen.push(i);
      inFlight--;
    });
    assert.equal(peak, 3);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  });

  it('abort stops new work, waits for running items, rejects with AbortError', async () => {
    const ac = new AbortController();
    let started = 0;
    let finished = 0;
    const p = runPool(
      100,
      2,
      async (i) => {
        started++;
        if (i === 4) ac.abort();
        await tick();
        finished++;
      },
      ac.signal,
    );
    await assert.rejects(p, (e: unknown) => e instanceof AbortError && e.name === 'AbortError');
    assert.ok(started <= 6, `started ${started}`);
    assert.equal(finished, started, 'no work left running after the rejection');
  });

  it('the first failure is rethrown after running items finish', async () => {
    await assert.rejects(
      runPool(10, 2, async (i) => {
        await tick();
        if (i === 3) throw new Error('boom');
      }),
      /boom/,
    );
  });

  it('zero items resolves', async () => {
    await runPool(0, 4, async () => assert.fail('not called'));
  });
});

describe('throttledProgress', () => {
  it('drops events closer than the interval unless forced', () => {
    let now = 0;
    const got: LoadProgress[] = [];
    const report = throttledProgress((p) => got.push(p), 100, () => now);
    const ev = (done: number): LoadProgress => ({ phase: 'decode', done, total: 10 });
    report(ev(0)); // first: passes
    now = 50;
    report(ev(1)); // too soon
    now = 120;
    report(ev(2)); // passes
    now = 130;
    report(ev(3), true); // forced
    now = 140;
    report(ev(4)); // too soon after the forced one
    assert.deepEqual(got.map((e) => e.done), [0, 2, 3]);
  });
});
