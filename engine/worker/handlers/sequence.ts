/** sequence.*: train an RNN, LSTM, GRU or time-delay network, control it, pick the probe sequence drawn, export it (engine/session/sequence-run.ts does the work). */
import type { Handlers } from '../server.js';
import { workspace } from '../workspace.js';
import { readToContinue } from '../../session/model-files.js';

export const sequenceHandlers = {
  'sequence.start': async (p, ctx) => {
    // Continuing a sequence file: read and checked before anything starts (a refusal says why).
    const from = p.model !== undefined ? await readToContinue(p.model, 'sequence') : undefined;
    return workspace.sequences.start(p, workspace.data ? { set: workspace.data.result.set, split: workspace.data.split } : null, ctx, from);
  },
  'sequence.control': (p, ctx) => workspace.sequences.control(p.action, p.steps, ctx),
  'sequence.sample': (p) => workspace.sequences.sample(p.index),
  'sequence.export': (p) => workspace.sequences.export(p.path),
} satisfies Partial<Handlers>;
