import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { UNIT } from '../data/normalize.js';
import '../layers/index.js';
import { presetSpec } from '../models/presets.js';
import { Sequential } from '../models/sequential.js';
import { ClassifierSession, type SessionEvent } from './classifier-session.js';
import { range, toySet } from './testkit.js';

const settle = () => new Promise((r) => setTimeout(r, 15));

function session(events: SessionEvent[]) {
  const set = toySet(16, 2, 12);
  const model = new Sequential(presetSpec('lenet5', [1, 12, 12], 2), new Rng(1));
  return new ClassifierSession(
    { model, set, train: range(0, 24), val: range(24, 32), normalization: UNIT, settings: { epochs: 2, batchSize: 8, seed: 1, optimizer: { type: 'adam', lr: 0.01 } } },
    (e) => events.push(e),
  );
}

describe('ClassifierSession', () => {
  it('is driven by commands: paused start, steps, lr, telemetry, inspect, prune, resume to the end', async () => {
    const events: SessionEvent[] = [];
    const s = session(events);
    assert.equal(s.state, 'idle');
    const done = s.start(true);
    await settle();
    assert.equal(events.filter((e) => e.type === 'batch').length, 0, 'nothing runs while paused');
    s.command({ type: 'telemetry' });
    s.command({ type: 'step', steps: 1 });
    await settle();
    assert.deepEqual(
      events.filter((e) => e.type === 'batch' || e.type === 'telemetry').map((e) => e.type),
      ['batch', 'telemetry'],
    );
    assert.deepEqual(s.command({ type: 'setLr', lr: 0.001 }), { lr: 0.001 });
    s.command({ type: 'step' });
    await settle();
    const batches = events.filter((e) => e.type === 'batch');
    assert.deepEqual(
      batches.map((e) => e.type === 'batch' && e.lr),
      [0.01, 0.001],
    );
    const insp = s.command({ type: 'inspect', index: 3 });
    assert.ok('probabilities' in insp && Math.abs(insp.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.ok('maps' in insp && insp.maps.map((m) => m.layer).join(',') === '1 conv2d,2 relu,3 maxPool2d,4 conv2d,5 relu,6 maxPool2d' && insp.filters!.count === 6);
    const pr = s.command({ type: 'prune', fraction: 0.5 });
    assert.ok('report' in pr && pr.report.pruned > 0 && pr.accuracyBefore >= 0 && pr.accuracyAfter >= 0);
    s.command({ type: 'resume' });
    assert.throws(() => s.command({ type: 'prune', fraction: 0.1 }), /pause/);
    const d = await done;
    assert.equal(d.reason, 'completed');
    assert.equal(s.state, 'done');
    assert.throws(() => s.command({ type: 'pause' }), /finished/);
    const states = events.filter((e) => e.type === 'state').map((e) => e.type === 'state' && e.state);
    assert.deepEqual(states, ['paused', 'paused', 'paused', 'running', 'done']);
    // events survive structured cloning (postMessage) unchanged
    for (const e of events) assert.deepEqual(structuredClone(e), e);
  });

  it('stop ends the run; bad commands say why', async () => {
    const events: SessionEvent[] = [];
    const s = session(events);
    const done = s.start();
    s.command({ type: 'stop' });
    assert.equal((await done).reason, 'stopped');
    const t = session([]);
    assert.throws(() => t.command({ type: 'inspect', index: 999 }), /not in the set/);
    assert.throws(() => t.command({ type: 'step', steps: 0 }), /whole number/);
    assert.throws(() => t.command({ type: 'setLr', lr: -1 }), /learning rate/);
  });
});
