import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabError } from '../../engine/protocol/contract.js';
import { decideRestart, DEFAULT_POLICY, type EngineProcess, EngineSupervisor, type RestartPolicy } from './supervisor.js';

/** An engine double: records what it was sent, answers when told, exits when told. */
class FakeEngine implements EngineProcess {
  sent: unknown[] = [];
  killed = false;
  #onMessage: ((m: unknown) => void) | null = null;
  #onExit: ((d: string) => void) | null = null;
  constructor(readonly pid: number) {}
  send(m: unknown): void {
    this.sent.push(m);
  }
  onMessage(l: (m: unknown) => void): void {
    this.#onMessage = l;
  }
  onExit(l: (d: string) => void): void {
    this.#onExit = l;
  }
  kill(): void {
    this.killed = true;
  }
  reply(m: unknown): void {
    this.#onMessage?.(m);
  }
  crash(detail = 'exit code 70'): void {
    this.#onExit?.(detail);
  }
}

function rig(policy: RestartPolicy = DEFAULT_POLICY) {
  const engines: FakeEngine[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let clock = 1000;
  const logs: string[] = [];
  const sup = new EngineSupervisor({
    spawn: () => {
      const e = new FakeEngine(100 + engines.length);
      engines.push(e);
      return e;
    },
    policy,
    now: () => clock,
    schedule: (fn, ms) => void timers.push({ fn, ms }),
    log: (l) => void logs.push(l),
  });
  return { sup, engines, timers, logs, advance: (ms: number) => (clock += ms) };
}

test('restart policy: immediate first restart, doubling backoff, gives up after maxRestarts in the window', () => {
  const p: RestartPolicy = { maxRestarts: 3, windowMs: 10_000, backoffMs: DEFAULT_POLICY.backoffMs };
  assert.deepEqual(decideRestart([], 0, p), { restart: true, delayMs: 0, restartsInWindow: 1 });
  assert.deepEqual(decideRestart([0], 1, p), { restart: true, delayMs: 250, restartsInWindow: 2 });
  assert.deepEqual(decideRestart([0, 1], 2, p), { restart: true, delayMs: 500, restartsInWindow: 3 });
  assert.deepEqual(decideRestart([0, 1, 2], 3, p), { restart: false, restartsInWindow: 3 });
  // Crashes older than the window are forgiven.
  assert.deepEqual(decideRestart([0, 1, 2], 10_002, p), { restart: true, delayMs: 0, restartsInWindow: 1 });
  assert.equal(DEFAULT_POLICY.backoffMs(20), 5000);
});

test('requests get checked results; events are checked and forwarded', async () => {
  const { sup, engines, logs } = rig();
  const events: unknown[] = [];
  sup.onEvent((m) => events.push(m));
  sup.start();
  const p = sup.request('engine.ping', {});
  const sent = engines[0].sent[0] as { id: number; method: string };
  assert.equal(sent.method, 'engine.ping');
  engines[0].reply({ id: sent.id, ok: true, result: { version: '1', protocol: 1, pid: 5, uptimeMs: 2 } });
  assert.deepEqual(await p, { version: '1', protocol: 1, pid: 5, uptimeMs: 2 });

  const bad = sup.request('engine.ping', {});
  engines[0].reply({ id: (engines[0].sent[1] as { id: number }).id, ok: true, result: { version: 1 } });
  await assert.rejects(bad, (e: LabError) => e.code === 'failed' && /malformed reply/.test(e.message));

  engines[0].reply({ event: 'data.progress', payload: { phase: 'scan', done: 1, total: 1 } });
  engines[0].reply({ event: 'engine.restarted', payload: { reason: 'forged', restarts: 9 } });
  engines[0].reply({ id: 999, ok: true, result: {} });
  assert.deepEqual(events, [{ event: 'data.progress', payload: { phase: 'scan', done: 1, total: 1 } }]);
  assert.equal(logs.length, 2);
});

test('a crash fails the requests in flight, restarts the engine and tells listeners', async () => {
  const { sup, engines, timers } = rig();
  const notices: { reason: string; restarts: number }[] = [];
  sup.onRestart((n) => notices.push(n));
  sup.start();
  const inflight = sup.request('data.open', { path: '/x' });
  engines[0].crash('signal SIGKILL');
  await assert.rejects(inflight, (e: LabError) => e.code === 'engine-restarted' && /SIGKILL/.test(e.message));
  assert.equal(engines.length, 1);
  assert.equal(timers.length, 1);
  timers[0].fn();
  assert.equal(engines.length, 2);
  assert.deepEqual(notices, [{ reason: 'the engine stopped unexpectedly (signal SIGKILL)', restarts: 1 }]);
  // The new engine serves requests.
  const p = sup.request('data.cancel', {});
  engines[1].reply({ id: (engines[1].sent[0] as { id: number }).id, ok: true, result: { cancelled: false } });
  assert.deepEqual(await p, { cancelled: false });
  // A late message from the dead engine is ignored.
  engines[0].reply({ event: 'data.progress', payload: { phase: 'scan', done: 1, total: 1 } });
});

test('a request during the restart backoff starts the new engine; listeners hear of the restart then, once', async () => {
  const { sup, engines, timers } = rig({ maxRestarts: 5, windowMs: 60_000, backoffMs: () => 2000 });
  const notices: { reason: string; restarts: number }[] = [];
  sup.onRestart((n) => notices.push(n));
  sup.start();
  engines[0].crash('exit code 70');
  assert.equal(timers.length, 1);
  assert.equal(timers[0].ms, 2000);
  assert.deepEqual(notices, [], 'nothing started yet');
  const p = sup.request('engine.ping', {});
  assert.equal(engines.length, 2, 'the request started the new engine');
  assert.deepEqual(notices, [{ reason: 'the engine stopped unexpectedly (exit code 70)', restarts: 1 }]);
  engines[1].reply({ id: (engines[1].sent[0] as { id: number }).id, ok: true, result: { version: '0', protocol: 1, pid: 101, uptimeMs: 1 } });
  await p;
  // The scheduled restart finds the engine running: no second engine, no second notice.
  timers[0].fn();
  assert.equal(engines.length, 2);
  assert.equal(notices.length, 1);
  assert.equal(sup.restarts, 1);
});

test('an engine that keeps crashing is given up on, and requests then fail at once', async () => {
  const { sup, engines, timers } = rig({ maxRestarts: 2, windowMs: 60_000, backoffMs: () => 0 });
  const failed: string[] = [];
  sup.onFailed((r) => failed.push(r));
  sup.start();
  engines[0].crash();
  timers.shift()?.fn();
  engines[1].crash();
  timers.shift()?.fn();
  engines[2].crash();
  assert.equal(timers.length, 0);
  assert.equal(failed.length, 1);
  assert.match(failed[0], /crashed 3 times/);
  await assert.rejects(sup.request('engine.ping', {}), (e: LabError) => e.code === 'unavailable');
});

test('stop() kills without restarting', async () => {
  const { sup, engines, timers } = rig();
  sup.start();
  const p = sup.request('engine.ping', {});
  sup.stop();
  await assert.rejects(p, (e: LabError) => e.code === 'unavailable');
  assert.equal(engines[0].killed, true);
  engines[0].crash();
  assert.equal(timers.length, 0);
});
