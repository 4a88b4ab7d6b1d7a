/** Every engine method's handler, gathered from one file per area. */
import type { Handlers } from '../server.js';
import { clusterHandlers } from './cluster.js';
import { dataHandlers } from './data.js';
import { experimentsHandlers } from './experiments.js';
import { fsHandlers } from './fs.js';
import { ganHandlers } from './gan.js';
import { modelsHandlers } from './models.js';
import { runsHandlers } from './runs.js';
import { sequenceHandlers } from './sequence.js';
import { systemHandlers } from './system.js';
import { trainHandlers } from './train.js';

export const handlers: Handlers = {
  ...systemHandlers,
  ...dataHandlers,
  ...fsHandlers,
  ...clusterHandlers,
  ...trainHandlers,
  ...modelsHandlers,
  ...runsHandlers,
  ...ganHandlers,
  ...sequenceHandlers,
  ...experimentsHandlers,
};
