/**
 * `npm run bench -- --layers NAME`: one line per layer of the network with its two medians, then the
 * totals; unknown networks and too few steps are refused in words.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import '../layers/index.js';
import { Sequential } from '../models/sequential.js';
import { gradNormTimes, LAYER_NETWORKS, layerTimes, stepModes } from './layers.js';
import { gray28 } from './workloads.js';

test('--layers prints every layer of the network with its forward and backward medians, then the totals', (t) => {
  const lines: string[] = [];
  t.mock.method(console, 'log', (line: string) => void lines.push(line));
  layerTimes('mlp', 7);
  const layers = new Sequential(gray28('mlp'), new Rng(1)).layers;
  assert.equal(lines.length, layers.length + 1);
  layers.forEach((layer, i) => assert.match(lines[i], new RegExp(`^${i} ${layer.constructor.name} .* forward_ms=\\d+\\.\\d\\d backward_ms=\\d+\\.\\d\\d$`)));
  const total = /^mlp batch=64 forward_ms=([\d.]+) backward_ms=([\d.]+) img_per_s=(\d+)$/.exec(lines.at(-1) ?? '');
  assert.ok(total, lines.at(-1));
  const perLayer = lines.slice(0, -1).map((l) => /forward_ms=([\d.]+) backward_ms=([\d.]+)/.exec(l)!.slice(1).map(Number));
  const sumF = perLayer.reduce((s, [f]) => s + f, 0);
  assert.ok(Math.abs(sumF - Number(total[1])) <= 0.05 + 0.005 * layers.length, `forward total ${total[1]} is the layers' ${sumF}`);
});

test('--layers refuses an unknown network and a step count within the warm-up', () => {
  assert.deepEqual(LAYER_NETWORKS, ['vgg64', 'lenet5', 'mlp']);
  assert.throws(() => layerTimes('resnet', 30), /--layers takes one of vgg64, lenet5, mlp, not "resnet"/);
  assert.throws(() => layerTimes('mlp', 5), /--steps must be more than 5/);
});

test('--grad-modes and --batch-modes print the two ways\' medians and their ratio, and refuse what they cannot run', (t) => {
  const lines: string[] = [];
  t.mock.method(console, 'log', (line: string) => void lines.push(line));
  stepModes('mlp', 'grads', 0.24);
  stepModes('lenet5', 'batch', 0.24);
  assert.equal(lines.length, 2);
  const g = /^mlp batch=64 fill_us=([\d.]+) set_us=([\d.]+) fill\/set=([\d.]+)$/.exec(lines[0]);
  assert.ok(g, lines[0]);
  assert.ok(Math.abs(Number(g[1]) / Number(g[2]) - Number(g[3])) < 0.002);
  assert.match(lines[1], /^lenet5 batch=64 plain_us=[\d.]+ resident_us=[\d.]+ plain\/resident=[\d.]+$/);
  assert.throws(() => stepModes('resnet', 'grads', 1), /--grad-modes takes one of vgg64, lenet5, mlp, not "resnet"/);
  assert.throws(() => stepModes('resnet', 'batch', 1), /--batch-modes takes one of/);
  assert.throws(() => stepModes('mlp', 'grads', 0), /--seconds must be positive/);
});

test('--grad-norm prints the two ways\' medians for the network\'s params, and refuses an unknown network', (t) => {
  const lines: string[] = [];
  t.mock.method(console, 'log', (line: string) => void lines.push(line));
  gradNormTimes('lenet5');
  const params = new Sequential(gray28('lenet5'), new Rng(1)).params().reduce((n, p) => n + p.grad.length, 0);
  assert.match(lines[0], new RegExp(`^lenet5 params=${params} loop_us=[\\d.]+ kernels_us=[\\d.]+ loop/kernels=[\\d.]+$`));
  assert.throws(() => gradNormTimes('resnet'), /--grad-norm takes one of vgg64, lenet5, mlp, not "resnet"/);
});
