/** gan.*: start an image or 2-D toy GAN run, and pause, resume, step or stop it. */
import type { Handlers } from '../server.js';
import { controlGan, startGan } from './gan-run.js';

export const ganHandlers = {
  'gan.start': (p, ctx) => startGan(p, ctx),
  'gan.control': (p, ctx) => controlGan(p.action, p.steps, ctx),
} satisfies Partial<Handlers>;
