import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkExperiment, type ExperimentFile, parseExperiment } from '../../io/experiment.js';
import type { ExperimentResults } from '../../protocol/experiments.js';
import type { RunSummary } from '../../protocol/runs.js';
import { SeqConfig } from '../../protocol/sequence.js';
import { RunRegistry } from '../runs.js';
import { BUILTIN_EXPERIMENTS } from './builtins.js';
import { ClassifierExperimentConfig } from './classifier.js';
import { ClusterExperimentConfig } from './cluster.js';
import { formatFigure } from '../../protocol/experiments.js';
import { finding } from './finding.js';
import { GanExperimentConfig } from './gan.js';
import { LocalExperimentConfig } from './local.js';
import { Experiments, experimentFromRuns, experimentReport, resultsJson } from './index.js';
import { describeChange, mergeConfig } from './variant.js';

/** A small classifier experiment on the bundled sample: a 6-layer MLP with sigmoid against ReLU. */
function tiny(over: Partial<ExperimentFile> = {}): ExperimentFile {
  return {
    format: 'locus-experiment',
    version: 1,
    id: 'tiny',
    title: 'Tiny',
    idea: 'activations',
    kind: 'classifier',
    data: { source: 'sample', perClass: 20 },
    base: { mlp: { depth: 6, units: 32, activation: 'relu' }, optimizer: { type: 'sgd', lr: 0.01 }, epochs: 1, batchSize: 20 },
    variants: [
      { name: 'sigmoid', set: { mlp: { activation: 'sigmoid' } } },
      { name: 'relu', set: {} },
    ],
    metrics: ['gradFirst', 'valAcc'],
    finding: { metric: 'gradFirst', label: 'first-layer gradient norm' },
    explanation: 'A test.',
    ...over,
  };
}

async function runToEnd(lab: Experiments, file: ExperimentFile, events: string[] = []): Promise<ExperimentResults> {
  const { runner } = lab.start({ file, runId: `t-${Math.random().toString(36).slice(2, 8)}`, folder: null, emit: (e) => events.push(e) });
  return runner.done;
}

test('every built-in experiment is a valid file whose variants are valid configs of its kind', () => {
  const ids = new Set<string>();
  for (const e of BUILTIN_EXPERIMENTS) {
    checkExperiment(JSON.parse(JSON.stringify(e)));
    assert.ok(!ids.has(e.id), `duplicate id ${e.id}`);
    ids.add(e.id);
    const sentences = e.explanation.split(/(?<=[.!?])\s+(?=[A-Z])/).length;
    assert.ok(sentences >= 3 && sentences <= 6, `${e.id}: the explanation has ${sentences} sentences`);
    for (const v of e.variants) {
      const c = mergeConfig(e.base, v.set);
      const problem =
        e.kind === 'classifier'
          ? ClassifierExperimentConfig.check(c, v.name)
          : e.kind === 'sequence'
            ? SeqConfig.check({ clipNorm: 0, ...c, seed: 1 }, v.name)
            : e.kind === 'cluster'
              ? ClusterExperimentConfig.check({ ...c, spec: { seed: 1, ...(c.spec as object) } }, v.name)
              : e.kind === 'gan'
                ? GanExperimentConfig.check(c, v.name)
                : LocalExperimentConfig.check(c, v.name);
      assert.equal(problem, null, `${e.id} / ${v.name}: ${problem}`);
    }
  }
  assert.ok(BUILTIN_EXPERIMENTS.length >= 15);
});

test('a bad experiment file is refused with the reason', () => {
  assert.throws(() => parseExperiment('{'), /not JSON/);
  assert.throws(() => checkExperiment({ ...tiny(), format: 'x' }), /format must be "locus-experiment"/);
  assert.throws(() => checkExperiment({ ...tiny(), variants: [{ name: 'a', set: {} }] }), /variants must NOT have fewer than 2 items/);
  assert.throws(() => checkExperiment({ ...tiny(), variants: [{ name: 'a', set: {} }, { name: 'a', set: {} }] }), /two variants are named "a"/);
  const { explanation: _, ...noExplanation } = tiny();
  assert.throws(() => checkExperiment(noExplanation), /missing field explanation/);
  assert.throws(() => checkExperiment({ ...tiny(), extra: 1 }), /unexpected field extra/);
  assert.throws(() => parseExperiment(' '.repeat(300_000)), /larger than 256 KB/);
});

test('a variant is the base with its change merged in, and the change is said in words', () => {
  const base = { mlp: { depth: 10, units: 64, activation: 'relu' }, optimizer: { type: 'sgd', lr: 0.1 }, layers: [1, 2] };
  assert.deepEqual(mergeConfig(base, { mlp: { activation: 'tanh' }, layers: [3] }), { mlp: { depth: 10, units: 64, activation: 'tanh' }, optimizer: { type: 'sgd', lr: 0.1 }, layers: [3] });
  assert.equal(base.mlp.activation, 'relu', 'the base is not changed');
  assert.equal(describeChange({ mlp: { activation: 'tanh' }, optimizer: { lr: 0.01 } }), 'mlp.activation: "tanh"; optimizer.lr: 0.01');
  assert.equal(describeChange({}), 'the base');
});

test('figures are written as people read them, and the finding names every variant and the best', () => {
  assert.equal(formatFigure('valAcc', 0.8123), '81.2%');
  assert.equal(formatFigure('gradFirst', 7.1e-7), '7.1e-7');
  assert.equal(formatFigure('inertia', 1234.5), '1235');
  assert.equal(formatFigure('x', null), '–');
  const line = finding(tiny({ finding: { metric: 'valAcc', label: 'accuracy', better: 'higher' } }), [
    { name: 'a', figures: { valAcc: 0.5 } },
    { name: 'b', figures: { valAcc: 0.75 } },
  ]);
  assert.equal(line, 'accuracy: a 50.0%, b 75.0%; highest: b');
});

test('sigmoid against ReLU in a 6-layer MLP: the same seed gives the same figures, ReLU keeps a far larger first-layer gradient, and the report draws it', async () => {
  const lab = new Experiments(() => null);
  const events: string[] = [];
  const a = await runToEnd(lab, tiny(), events);
  assert.equal(a.state, 'completed', a.message);
  assert.deepEqual(a.variants.map((v) => v.name), ['sigmoid', 'relu']);
  const [sig, relu] = a.variants.map((v) => v.figures.gradFirst as number);
  assert.ok(relu > 10 * sig, `ReLU ${relu} vs sigmoid ${sig}`);
  assert.match(a.finding, /^first-layer gradient norm: sigmoid \S+, relu \S+$/);
  assert.ok(events.includes('experiment.progress') && events.filter((e) => e === 'experiment.variant').length === 2 && events.at(-1) === 'experiment.done');
  const gradTrace = a.variants[0].traces.find((t) => t.key === 'gradNorm');
  assert.ok(gradTrace && gradTrace.names.length === 7 && gradTrace.x.length > 2, 'per-layer gradient norms over the steps');
  const b = await runToEnd(lab, tiny());
  assert.deepEqual(
    b.variants.map((v) => v.figures),
    a.variants.map((v) => v.figures),
  );
  const html = await experimentReport(a);
  assert.ok(html.includes(a.finding.replace(/&/g, '&amp;')));
  assert.equal((html.match(/<svg/g) ?? []).length >= 3, true);
  assert.ok(!/<script/i.test(html) && !/https?:\/\/(?!locus\.invalid)/.test(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')), 'self-contained: no script, no outside resource');
  const json = JSON.parse(resultsJson(a)) as ExperimentResults;
  assert.equal(json.format, 'locus-experiment-results');
  assert.equal(json.variants[1].figures.gradFirst, relu);
});

test('cancel stops the variant training and starts no other; each finished variant is a run in the workspace', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'locus-exp-'));
  try {
    const reg = new RunRegistry({ dir, origin: 'cli' });
    await reg.load();
    const lab = new Experiments(() => reg);
    const file = tiny({ base: { ...tiny().base, epochs: 50 }, variants: [...tiny().variants, { name: 'tanh', set: { mlp: { activation: 'tanh' } } }] });
    const { runner } = lab.start({
      file,
      runId: 'cancel-me',
      folder: null,
      emit: (e, p) => {
        if (e === 'experiment.progress' && (p as { variant: number; fraction: number }).variant === 0 && (p as { fraction: number }).fraction > 0.05) runner.cancel();
      },
    });
    assert.throws(() => lab.start({ file, runId: 'second', folder: null, emit: () => {} }), /an experiment is running/);
    const r = await runner.done;
    assert.equal(r.state, 'cancelled');
    assert.equal(r.variants.length, 1);
    assert.equal(r.variants[0].outcome.reason, 'cancelled');
    await reg.idle();
    const runs = reg.list('classifier');
    assert.equal(runs.length, 1);
    assert.equal(runs[0].name, 'Tiny · sigmoid');
    assert.equal(lab.results()?.runId, 'cancel-me');
    // Export: refused over an existing file unless asked, to a missing folder in words.
    const out = join(dir, 'r.html');
    await writeFile(out, 'mine');
    await assert.rejects(lab.export('cancel-me', 'html', out, false), /exists: replace it\?/);
    assert.equal(await readFile(out, 'utf8'), 'mine');
    await lab.export('cancel-me', 'html', out, true);
    assert.match(await readFile(out, 'utf8'), /<title>Tiny · Locus experiment<\/title>/);
    await assert.rejects(lab.export('cancel-me', 'json', join(dir, 'nope', 'r.json'), false), /the folder .*nope does not exist/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an experiment made from runs: what they share is the base, what differs is each variant', () => {
  const run = (id: string, lr: number, name = ''): RunSummary =>
    ({ id, kind: 'classifier', name, state: 'done', outcome: { reason: 'completed', message: '' }, config: { architecture: { preset: 'mlp' }, optimizer: { type: 'adam', lr }, epochs: 2, batchSize: 32, seed: 3, data: 'sample' }, epochs: 2, figures: { valAcc: 0.7 }, createdAt: '', updatedAt: '', origin: 'app', parent: null, saved: true, unsaved: null, bytes: 0, hasModel: true }) as RunSummary;
  const { experiment, differs } = experimentFromRuns([run('a', 0.001, 'slow'), run('b', 0.01)], 'Learning rates');
  assert.deepEqual(differs, ['optimizer.lr']);
  const file = checkExperiment(experiment);
  assert.equal(file.id, 'learning-rates');
  assert.equal(file.seed, 3);
  assert.deepEqual(file.base, { architecture: { preset: 'mlp' }, batchSize: 32, epochs: 2, optimizer: { type: 'adam' } });
  assert.deepEqual(file.variants, [
    { name: 'slow', set: { optimizer: { lr: 0.001 } } },
    { name: 'optimizer.lr: 0.01', set: { optimizer: { lr: 0.01 } } },
  ]);
  assert.throws(() => experimentFromRuns([run('a', 0.1), run('b', 0.1)], 'x'), /nothing differs/);
  assert.throws(() => experimentFromRuns([run('a', 0.1)], 'x'), /pick 2 to 6 runs/);
});

test('a finding can name other figures after each variant', () => {
  const line = finding(tiny({ finding: { metric: 'valAcc', label: 'accuracy', also: ['params', 'work'] } }), [
    { name: 'small', figures: { valAcc: 0.5, params: 26506, work: 1.2e8 } },
    { name: 'big', figures: { valAcc: 0.75, params: 118282, work: null } },
  ]);
  assert.equal(line, 'accuracy: small 50.0% (parameters 26,506, training work 1.2e+8), big 75.0% (parameters 118,282, training work –)');
});

test('a grown classifier, Lloyd k-means and the image GAN: growth keeps the function, Lloyd never raises the inertia, the GAN keeps its sample grid over time; each variant is a run with its model file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'locus-exp-'));
  try {
    const reg = new RunRegistry({ dir, origin: 'cli' });
    await reg.load();
    const lab = new Experiments(() => reg);
    // Growth: 8 units for one epoch, then 32; the accuracy right after growing is the accuracy before.
    const grow = await runToEnd(
      lab,
      tiny({
        base: { mlp: { depth: 2, units: 8, activation: 'relu' }, optimizer: { type: 'adam', lr: 0.001 }, epochs: 2, batchSize: 20 },
        variants: [
          { name: 'small', set: {} },
          { name: 'grown', set: { grow: { after: 1, to: 32 } } },
        ],
        metrics: ['valAcc', 'params'],
        finding: { metric: 'valAcc', label: 'accuracy', also: ['params'] },
      }),
    );
    assert.equal(grow.state, 'completed', grow.message);
    const [small, grown] = grow.variants;
    assert.equal(grown.figures.grownAcc, grown.figures.grownFromAcc);
    assert.equal(grown.figures.grownFromAcc, grown.history[0].valAcc);
    assert.equal(grown.figures.paramsBefore, small.figures.params);
    assert.equal(grown.figures.params, 784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10);
    assert.equal(grown.history.length, 2);
    assert.match(grow.finding, /^accuracy: small \S+ \(parameters 6,442\), grown \S+ \(parameters 26,506\)/);
    await assert.rejects(
      runToEnd(lab, tiny({ variants: [{ name: 'a', set: { grow: { after: 1, to: 64 } } }, { name: 'b', set: {} }] })).then((r) => {
        throw new Error(r.message);
      }),
      /grow\.after \(1\) must be fewer than the epochs \(1\)/,
    );

    // Lloyd: one batch iteration a pass; the inertia never rises.
    const km = await runToEnd(lab, {
      ...tiny(),
      kind: 'cluster',
      base: { spec: { algorithm: 'kmeans', k: 5, rate: 'count', init: 'kmeans++' }, epochs: 4 },
      variants: [
        { name: 'online', set: {} },
        { name: 'Lloyd', set: { method: 'lloyd' } },
      ],
      metrics: ['inertia'],
      finding: { metric: 'inertia', label: 'inertia', better: 'lower' },
    });
    assert.equal(km.state, 'completed', km.message);
    const curve = km.variants[1].history.map((h) => h.inertia as number);
    assert.equal(curve.length, 4);
    for (let i = 1; i < curve.length; i++) assert.ok(curve[i] <= curve[i - 1] * (1 + 1e-9), `${curve}`);
    const art = await runToEnd(lab, { ...tiny(), kind: 'cluster', base: { spec: { algorithm: 'art2a', vigilance: 0.5, beta: 0.1 }, epochs: 1 }, variants: [{ name: 'a', set: {} }, { name: 'b', set: { method: 'lloyd' } }], metrics: ['categories'] });
    assert.equal(art.state, 'failed');
    assert.match(art.message, /method "lloyd" goes with k-means, not art2a/);

    // The image GAN: a grid before training and after epochs 1 and 2, the same from run to run.
    const ganFile = (): ExperimentFile => ({
      ...tiny(),
      kind: 'gan',
      data: { source: 'sample', perClass: 4 },
      base: { mode: 'image', epochs: 2, width: 4, latent: 8, grid: 4 },
      variants: [
        { name: 'non-saturating', set: {} },
        { name: 'saturating', set: { nonSaturating: false } },
      ],
      metrics: ['dLoss', 'gLoss'],
      finding: { metric: 'dLoss', label: 'D loss' },
    });
    const g1 = await runToEnd(lab, ganFile());
    assert.equal(g1.state, 'completed', g1.message);
    const pics = g1.variants[0].pictures;
    assert.deepEqual(pics.map((p) => p.key), ['samples-0', 'samples-1', 'samples-2']);
    assert.deepEqual(pics.map((p) => p.label), ['Samples before training', 'Samples after epoch 1', 'Samples after epoch 2']);
    assert.deepEqual([pics[1].count, pics[1].channels, pics[1].height, pics[1].width], [4, 1, 28, 28]);
    assert.notDeepEqual(Array.from(pics[0].data), Array.from(pics[2].data), 'the samples change with training');
    const g2 = await runToEnd(lab, ganFile());
    assert.deepEqual(g2.variants.map((v) => v.figures), g1.variants.map((v) => v.figures));
    assert.deepEqual(Array.from(g2.variants[1].pictures[2].data), Array.from(g1.variants[1].pictures[2].data));
    const html = await experimentReport(g1);
    assert.equal((html.match(/alt="Samples after epoch 2, /g) ?? []).length, 2);

    // Every variant is a run with a model file (exported from the runs list like any other).
    await reg.idle();
    for (const kind of ['classifier', 'cluster', 'gan'] as const) {
      const runs = reg.list(kind);
      assert.ok(runs.length >= 2, kind);
      for (const r of runs) assert.equal(r.hasModel, true, `${kind} run ${r.name} has its model file`);
    }
    const ganRun = reg.list('gan')[0];
    assert.equal((await reg.model(ganRun.id)).kind, 'gan');
    const lloydRun = reg.list('cluster').find((r) => r.name === 'Tiny · Lloyd');
    assert.ok(lloydRun);
    assert.equal((await reg.model(lloydRun.id)).kind, 'kmeans');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
