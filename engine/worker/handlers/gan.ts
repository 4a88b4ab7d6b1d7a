/** gan.*: start an image or 2-D toy GAN run, pause, resume, step or stop it, and export an image GAN (engine/session/gan-run.ts does the work). */
import type { Handlers } from '../server.js';
import { workspace } from '../workspace.js';
import { readToContinue } from '../../session/model-files.js';

export const ganHandlers = {
  'gan.start': async (p, ctx) => {
    // Continuing a GAN file: read and checked before anything starts (a refusal says why).
    const from = p.mode === 'image' && p.model !== undefined ? await readToContinue(p.model, 'gan') : undefined;
    return workspace.gans.start(p, workspace.data?.result.set ?? null, ctx, from);
  },
  'gan.control': (p, ctx) => workspace.gans.control(p.action, p.steps, ctx),
  'gan.speed': (p) => workspace.gans.speed(p.delay),
  'gan.export': (p) => workspace.gans.export(p.path),
} satisfies Partial<Handlers>;
