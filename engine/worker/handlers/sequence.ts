/** sequence.*: train an RNN, LSTM, GRU or time-delay network, control it, pick the probe sequence drawn, export it. */
import type { Handlers } from '../server.js';
import { controlSequence, exportSequence, sampleSequence, startSequence } from './sequence-run.js';

export const sequenceHandlers = {
  'sequence.start': (p, ctx) => startSequence(p, ctx),
  'sequence.control': (p, ctx) => controlSequence(p.action, p.steps, ctx),
  'sequence.sample': (p) => sampleSequence(p.index),
  'sequence.export': (p) => exportSequence(p.path),
} satisfies Partial<Handlers>;
