/** gan.*: start an image or 2-D toy GAN run, pause, resume, step or stop it, and export an image GAN. */
import type { Handlers } from '../server.js';
import { controlGan, exportGan, startGan } from './gan-run.js';

export const ganHandlers = {
  'gan.start': (p, ctx) => startGan(p, ctx),
  'gan.control': (p, ctx) => controlGan(p.action, p.steps, ctx),
  'gan.export': (p) => exportGan(p.path),
} satisfies Partial<Handlers>;
