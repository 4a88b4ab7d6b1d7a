/**
 * The renderer's LabApi, whichever shell it runs in: Electron's preload (window.locus) or the browser
 * host's WebSocket (token from the page URL). Either way every result and event is checked against the
 * contract on arrival, and failures reject with a LabError carrying the other side's code.
 */
import { EVENTS, type LabApi, LabError, METHODS } from '../../../engine/protocol/contract.js';
import { asLabError } from './errors.js';
import { connectSocket } from './socket.js';

export { asLabError };

declare global {
  interface Window {
    locus?: LabApi;
  }
}

const CONFIRM_OVERWRITE: ReadonlySet<string> = new Set(['models.export', 'gan.export', 'sequence.export', 'runs.export']);

function checked(raw: LabApi): LabApi {
  return {
    transport: raw.transport,
    async call(method, params) {
      let result: unknown;
      try {
        result = await raw.call(method, params);
      } catch (e) {
        const err = asLabError(e);
        // A model-file export onto a file that is not a Locus model (refused by the shell's router):
        // ask the user, and only then replace it. Other methods show their own choice.
        if (err.code !== 'exists' || !CONFIRM_OVERWRITE.has(method) || !window.confirm(`${err.message}\n\nReplace that file with the model?`)) throw err;
        try {
          result = await raw.call(method, { ...params, overwrite: true } as never);
        } catch (e2) {
          throw asLabError(e2);
        }
      }
      const bad = METHODS[method].result.check(result);
      if (bad) throw new LabError({ message: `${method}: malformed result (${bad})`, code: 'failed' });
      return result as never;
    },
    on(event, listener) {
      return raw.on(event, (payload) => {
        const bad = EVENTS[event].payload.check(payload);
        if (bad) console.error(`locus: dropped a malformed ${event} event (${bad})`);
        else listener(payload);
      });
    },
    pathForFile: (file) => raw.pathForFile(file),
  };
}

function pick(): LabApi {
  if (window.locus) return checked(window.locus);
  const token = new URL(window.location.href).searchParams.get('token') ?? '';
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return checked(connectSocket(`${proto}//${window.location.host}/ws?token=${encodeURIComponent(token)}`));
}

export const api: LabApi = pick();
