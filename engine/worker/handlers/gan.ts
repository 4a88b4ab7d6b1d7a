/** gan.*: start an image or 2-D toy GAN run, pause, resume, step or stop it, and export an image GAN (engine/session/gan-run.ts does the work). */
import type { Handlers } from '../server.js';
import { workspace } from '../workspace.js';

export const ganHandlers = {
  'gan.start': (p, ctx) => workspace.gans.start(p, workspace.data?.result.set ?? null, ctx),
  'gan.control': (p, ctx) => workspace.gans.control(p.action, p.steps, ctx),
  'gan.speed': (p) => workspace.gans.speed(p.delay),
  'gan.export': (p) => workspace.gans.export(p.path),
} satisfies Partial<Handlers>;
