/** Every engine method's handler, gathered from one file per area. */
import type { Handlers } from '../server.js';
import { dataHandlers } from './data.js';
import { fsHandlers } from './fs.js';
import { systemHandlers } from './system.js';

export const handlers: Handlers = {
  ...systemHandlers,
  ...dataHandlers,
  ...fsHandlers,
};
