import { LabError, PROTOCOL_VERSION } from '../../protocol/contract.js';
import { appVersion } from '../app-root.js';
import type { Handlers } from '../server.js';

const started = performance.now();

export const systemHandlers = {
  'engine.ping': () => ({
    version: appVersion(),
    protocol: PROTOCOL_VERSION,
    pid: process.pid,
    uptimeMs: performance.now() - started,
  }),
  'debug.crash': () => {
    if (process.env.LOCUS_TEST !== '1') {
      throw new LabError({ message: 'debug.crash is only honoured in test runs (LOCUS_TEST=1)', code: 'unavailable' });
    }
    // Leave without replying, as a real crash would.
    setImmediate(() => process.exit(70));
    return new Promise<never>(() => {});
  },
} satisfies Partial<Handlers>;
