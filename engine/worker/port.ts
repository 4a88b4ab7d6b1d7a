/**
 * The engine process's one link to its parent, whichever way it was started:
 *  - Electron's utility process: `process.parentPort` delivers the MessagePort that main created with
 *    MessageChannelMain (messages arrive as events with `.data`); until that port arrives, messages on
 *    parentPort itself are served too.
 *  - child_process.fork (browser host, tests): `process.on('message')` and `process.send`, with the
 *    `advanced` serialization so typed arrays cross as they are.
 * No electron import: parentPort is read off `process` through a structural guard.
 */
export interface Port {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  readonly kind: 'utility' | 'fork';
}

interface MessageEventLike {
  data: unknown;
  ports?: readonly PortLike[];
}
interface PortLike {
  on(event: 'message', listener: (e: MessageEventLike) => void): unknown;
  postMessage(message: unknown): void;
  start?(): void;
}

function isPortLike(x: unknown): x is PortLike {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as PortLike).on === 'function' &&
    typeof (x as PortLike).postMessage === 'function'
  );
}

/** The parent link of this process, or null if it has none (started by hand). */
export function parentPort(): Port | null {
  const pp: unknown = (process as unknown as { parentPort?: unknown }).parentPort;
  if (isPortLike(pp)) return utilityPort(pp);
  if (typeof process.send === 'function') return forkPort();
  return null;
}

function utilityPort(pp: PortLike): Port {
  const listeners: ((m: unknown) => void)[] = [];
  let target: PortLike = pp;
  const deliver = (m: unknown): void => {
    for (const l of listeners) l(m);
  };
  pp.on('message', (e) => {
    const handed = e.ports?.[0];
    if (handed && isPortLike(handed)) {
      // main handed over its MessagePort: serve on it from now on.
      target = handed;
      handed.on('message', (ev) => deliver(ev.data));
      handed.start?.();
      return;
    }
    deliver(e.data);
  });
  return {
    kind: 'utility',
    send: (m) => target.postMessage(m),
    onMessage: (l) => void listeners.push(l),
  };
}

function forkPort(): Port {
  return {
    kind: 'fork',
    send: (m) => {
      // A parent that went away cannot be told anything; the engine then exits on 'disconnect'.
      if (process.connected) process.send?.(m);
    },
    onMessage: (l) => void process.on('message', (m: unknown) => l(m)),
  };
}
