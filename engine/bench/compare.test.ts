/**
 * `--compare`'s arithmetic (the median of the rounds' ratios, each against that round's faster twin) and
 * its PyTorch process (bench_torch.py --serve: measures on request, says when a workload has no twin,
 * and its end, or its silence past the answer limit, turns requests into failures instead of a hang).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alternate, roundRatios, Twin, twinMedians, type Other, type Round } from './compare.js';

const r = (wall: number, cpu = wall) => ({ wall, cpu });

test('each round is compared with its own faster twin, and a round without one is left out', () => {
  const rounds: Round[] = [
    { locus: r(100, 50), twins: [{ name: 'w', who: 'torch-2t', rates: r(50, 25) }, { name: 'w', who: 'torch-1t', rates: r(80, 80) }] },
    // The 2-thread twin is the faster here: this round's ratio is against it, not against the 1-thread one.
    { locus: r(90, 45), twins: [{ name: 'w', who: 'torch-2t', rates: r(120, 60) }, { name: 'w', who: 'torch-1t', rates: r(60, 60) }] },
    { locus: r(300), twins: [{ name: 'w', who: 'torch-2t', fails: 'no' }] },
    { locus: r(110, 55), twins: [{ name: 'w', who: 'torch-2t', rates: r(40, 20) }, { name: 'w', who: 'torch-1t', rates: r(100, 100) }] },
  ];
  const q = roundRatios(rounds);
  assert.deepEqual(q.wall, [100 / 80, 90 / 120, 110 / 100]);
  assert.deepEqual(q.cpu, [50 / 80, 45 / 60, 55 / 100]);
  const row = { name: 'w', locus: r(100), rounds };
  const m = twinMedians(row);
  assert.deepEqual(m.find((x) => x.who === 'torch-2t')?.rates, { wall: 50, cpu: 25 }); // of 50, 120, 40
  assert.deepEqual(m.find((x) => x.who === 'torch-1t')?.rates, { wall: 80, cpu: 80 }); // of 80, 60, 100
  assert.deepEqual(twinMedians({ name: 'w', locus: r(1), rounds: [rounds[2]] }), [{ name: 'w', who: 'torch-2t', fails: 'no' }]);
});

test('Locus and the twins alternate, Locus first in odd rounds and last in even ones', async () => {
  const log: string[] = [];
  let n = 0;
  const locus = () => {
    log.push('locus');
    return r(++n);
  };
  const twin = (who: string) => ({
    measure: async (name: string, runs: number, folder?: string): Promise<Other | null> => {
      log.push(`${who}:${name}:${runs}:${folder ?? ''}`);
      return { name, who, rates: r(++n) };
    },
  });
  const seen: number[] = [];
  const rounds = await alternate('w', locus, [twin('a'), twin('b')], { rounds: 3, runs: 2, folder: 'f', settleMs: 0 }, (_, i) => seen.push(i));
  assert.deepEqual(log, ['locus', 'a:w:2:f', 'b:w:2:f', 'b:w:2:f', 'a:w:2:f', 'locus', 'locus', 'a:w:2:f', 'b:w:2:f']);
  assert.deepEqual(seen, [0, 1, 2]);
  // Each round's twins in the twins' order, whichever ran first.
  assert.deepEqual(rounds.map((q) => [q.locus.wall, ...q.twins.map((x) => `${x.who}${x.rates?.wall}`)]), [[1, 'a2', 'b3'], [6, 'a5', 'b4'], [7, 'a8', 'b9']]);
  // A workload no twin has is measured once; so is every workload without twins.
  log.length = 0;
  const none = { measure: async (): Promise<Other | null> => (log.push('none'), null) };
  assert.equal((await alternate('w', locus, [none], { rounds: 3, runs: 1, settleMs: 0 })).length, 1);
  assert.deepEqual(log, ['locus', 'none']);
  assert.equal((await alternate('w', locus, [], { rounds: 3, runs: 1, settleMs: 0 })).length, 1);
  // The pause comes before each of the round's two measurements (timers may fire a little early: one
  // pause alone would take about 40 ms).
  const t0 = performance.now();
  await alternate('w', locus, [twin('a')], { rounds: 1, runs: 1, settleMs: 40 });
  assert.ok(performance.now() - t0 >= 60, 'a pause before each measurement');
});

const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch, sklearn'], { encoding: 'utf8' }).status === 0;

test('the PyTorch process measures on request until it is closed', { skip: torch ? false : 'no torch and sklearn under /usr/bin/python3' }, async () => {
  const twin = new Twin(1, ['--seconds', '0.05']);
  assert.equal(await twin.ready(), null);
  const a = await twin.measure('mlp-train', 1);
  assert.equal(a?.who, 'torch-1t');
  assert.ok(a?.rates && a.rates.wall > 0 && a.rates.cpu > 0, JSON.stringify(a));
  const b = await twin.measure('mlp-train', 2); // built once, measured again
  assert.ok(b?.rates && b.rates.wall > 0);
  assert.equal(await twin.measure('folder-cache', 1), null); // no twin
  assert.equal(await twin.measure('folder-cold', 1), null); // no folder given
  await twin.close();
  const c = await twin.measure('mlp-train', 1);
  assert.match(c?.fails ?? '', /PyTorch ended/);
});

const python = spawnSync('/usr/bin/python3', ['-c', 'pass']).status === 0;

test('a twin that does not answer in time is stopped, and it and later requests fail with that reason instead of hanging', { skip: python ? false : 'no /usr/bin/python3', timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locus-twin-'));
  try {
    // Reads every request and answers none.
    const script = join(dir, 'silent.py');
    writeFileSync(script, 'import sys\nfor line in sys.stdin:\n    pass\n');
    const twin = new Twin(1, [], { script, answerS: 0.3 });
    const t0 = performance.now();
    assert.match((await twin.ready()) ?? '', /PyTorch failed: no answer in 0\.3 s, so it was stopped/);
    assert.ok(performance.now() - t0 < 10_000);
    const t1 = performance.now();
    assert.match((await twin.measure('mlp-train', 1))?.fails ?? '', /PyTorch ended: no answer in 0\.3 s/);
    assert.ok(performance.now() - t1 < 100, 'a stopped twin answers at once');
    await twin.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
