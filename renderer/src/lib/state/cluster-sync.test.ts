/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelCopy, LatestPump } from './cluster-sync.js';

const full = (seq: number, ...labels: number[]) => ({ seq, labels: Int32Array.from(labels) });
const delta = (seq: number, base: number, samples: number[], to: number[]) => ({ seq, delta: { base, samples: Int32Array.from(samples), to: Int32Array.from(to) } });

test('LabelCopy: whole assignments, deltas against the one held, and a missed message asks for a snapshot', () => {
  const c = new LabelCopy();
  assert.equal(c.apply(delta(1, 0, [0], [1])), 'resync', 'a delta with nothing held');
  assert.equal(c.apply(full(3, 0, 0, 1, 1)), 'changed');
  assert.deepEqual(c.labels, Int32Array.of(0, 0, 1, 1));
  const held = c.labels;
  assert.equal(c.apply(delta(4, 3, [1, 2], [2, 0])), 'changed');
  assert.deepEqual(c.labels, Int32Array.of(0, 2, 0, 1));
  assert.deepEqual(held, Int32Array.of(0, 0, 1, 1), 'a delta makes a new array (the old one is not changed under a reader)');
  assert.equal(c.apply(full(2, 9, 9, 9, 9)), 'same', 'an older whole assignment (a reply overtaken by an event) is ignored');
  assert.equal(c.seq, 4);
  assert.equal(c.apply(delta(6, 5, [0], [3])), 'resync', 'message 5 was missed');
  assert.deepEqual(c.labels, Int32Array.of(0, 2, 0, 1));
  assert.equal(c.apply(delta(4, 3, [0], [3])), 'same', 'a delta already applied');
  assert.equal(c.apply({ seq: 4 }), 'same', 'no labels: nothing changed');
  c.forget();
  assert.equal(c.apply(full(1, 5, 5, 5, 5)), 'changed', 'after forget, the next whole assignment is taken');
  c.clear();
  assert.equal(c.labels, null);
});

test('LatestPump: one request at a time, and only the latest of the values pushed meanwhile', async () => {
  const sent: number[] = [];
  const gates: (() => void)[] = [];
  const pump = new LatestPump<number>((v) => {
    sent.push(v);
    return new Promise<void>((r) => gates.push(r));
  });
  const done = pump.push(1);
  void pump.push(2);
  void pump.push(3);
  assert.deepEqual(sent, [1], 'the first is sent at once; the others wait');
  gates[0]();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent, [1, 3], 'then only the latest');
  gates[1]();
  await done;
  void pump.push(4);
  assert.deepEqual(sent, [1, 3, 4], 'an idle pump sends at once');
  gates[2]();
  // A failed send does not wedge the pump.
  const failing = new LatestPump<number>(async (v) => {
    if (v === 1) throw new Error('refused');
    sent.push(v);
  });
  await assert.rejects(failing.push(1), /refused/);
  await failing.push(5);
  assert.equal(sent[sent.length - 1], 5);
});
