import assert from 'node:assert/strict';
import { test } from 'node:test';
import { METHODS, EVENTS, METHOD_NAMES } from './contract.js';
import { arr, count, literal, obj, optional, str, tagged, u8 } from './guard.js';
import { errorReply, parseEvent, parseReply, parseRequest } from './messages.js';

const summary = {
  root: '/data/shoes',
  name: 'shoes',
  n: 3,
  width: 28,
  height: 28,
  channels: 1,
  classes: ['a', 'b'],
  counts: [2, 1],
  unlabeled: 0,
  skipped: [{ path: 'x.png', reason: 'corrupt' }],
  skippedTotal: 1,
  split: { valFraction: 0.2, seed: 1, train: 2, val: 1, trainCounts: [1, 1], valCounts: [1, 0] },
  cacheHits: 0,
  elapsedMs: 12.5,
};

test('guards: objects refuse unknown fields and name the bad path', () => {
  const g = obj({ a: count(), b: optional(str({ min: 1 })), c: arr(literal('x', 'y')) });
  assert.equal(g.check({ a: 1, c: ['x'] }), null);
  assert.equal(g.check({ a: 1, b: 'q', c: [] }), null);
  assert.equal(g.check({ a: -1, c: [] }), 'a: must be >= 0');
  assert.equal(g.check({ a: 1.5, c: [] }), 'a: expected an integer');
  assert.equal(g.check({ a: 1, c: ['z'] }), 'c[0]: expected one of "x", "y"');
  assert.equal(g.check({ a: 1, c: [], d: 0 }), 'unexpected field "d"');
  assert.equal(g.check({ a: 1, b: '', c: [] }), 'b: must not be empty');
  assert.equal(g.check([1]), 'expected an object');
  assert.equal(g.check({ a: Number.NaN, c: [] }), 'a: expected a finite number');
  // A class instance is not a plain object (no prototype tricks through the boundary).
  assert.equal(g.check(new (class { a = 1; c = [] })()), 'expected an object');
});

test('guards: typed arrays by tag, tagged unions by tag field', () => {
  assert.equal(u8().check(new Uint8Array(3)), null);
  assert.equal(u8().check([1, 2]), 'expected a Uint8Array');
  assert.equal(u8(2).check(new Uint8Array(3)), 'Uint8Array longer than 2');
  const shape = tagged('kind', { dot: obj({ kind: literal('dot'), r: count() }), none: obj({ kind: literal('none') }) });
  assert.equal(shape.check({ kind: 'dot', r: 2 }), null);
  assert.equal(shape.check({ kind: 'line' }), 'kind must be one of dot, none');
  assert.equal(shape.check({ kind: 'none', r: 1 }), 'unexpected field "r"');
});

test('requests: known method and valid params only', () => {
  const ok = parseRequest({ id: 7, method: 'data.open', params: { path: '/x', options: { width: 32, channels: 3 } } });
  assert.equal(ok.ok, true);
  const bad = parseRequest({ id: 8, method: 'data.open', params: { path: '' } });
  assert.deepEqual(bad, { ok: false, error: 'data.open: bad params: path: must not be empty', id: 8 });
  assert.equal(parseRequest({ id: 9, method: 'data.open', params: { path: '/x', options: { channels: 2 } } }).ok, false);
  assert.deepEqual(parseRequest({ id: 1, method: 'rm -rf', params: {} }), { ok: false, error: 'unknown method "rm -rf"', id: 1 });
  assert.deepEqual(parseRequest({ id: 1, method: 'toString', params: {} }).ok, false);
  assert.equal(parseRequest({ id: -1, method: 'engine.ping', params: {} }).id, null);
  assert.equal(parseRequest({ id: 2, method: 'engine.ping', params: {}, extra: 1 }).ok, false);
  assert.equal(parseRequest('engine.ping').ok, false);
});

test('replies: results are checked against the method that was asked', () => {
  assert.equal(parseReply({ id: 1, ok: true, result: summary }, 'data.open').ok, true);
  const wrong = parseReply({ id: 1, ok: true, result: { ...summary, channels: 4 } }, 'data.open');
  assert.deepEqual(wrong, { ok: false, error: 'data.open: bad result: channels: expected one of 1, 3' });
  assert.equal(parseReply({ id: 1, ok: true, result: summary }, 'engine.ping').ok, false);
  const err = parseReply(errorReply(3, 'stopped', 'cancelled'), 'data.open');
  assert.deepEqual(err, { ok: true, value: { id: 3, ok: false, error: { message: 'stopped', code: 'cancelled' } } });
  assert.equal(parseReply({ id: 3, ok: false, error: { message: 'x', code: 'nope' } }, 'data.open').ok, false);
});

test('events: payload checked, and only from the side allowed to send them', () => {
  assert.equal(parseEvent({ event: 'data.progress', payload: { phase: 'decode', done: 3, total: 9 } }, 'engine').ok, true);
  assert.equal(parseEvent({ event: 'data.progress', payload: { phase: 'decode', done: 3 } }).ok, false);
  const forged = parseEvent({ event: 'engine.restarted', payload: { reason: 'x', restarts: 1 } }, 'engine');
  assert.deepEqual(forged, { ok: false, error: 'engine.restarted may not come from the engine' });
  assert.equal(parseEvent({ event: 'nope', payload: {} }).ok, false);
});

test('every method and event has guards and a known side', () => {
  assert.ok(METHOD_NAMES.length >= 10);
  for (const [name, spec] of Object.entries(METHODS)) {
    assert.ok(spec.to === 'engine' || spec.to === 'shell', name);
    assert.equal(typeof spec.params.check, 'function', name);
    assert.equal(typeof spec.result.check, 'function', name);
  }
  for (const [name, spec] of Object.entries(EVENTS)) assert.ok(spec.from === 'engine' || spec.from === 'shell', name);
});
