/**
 * The LabApi over the browser host's WebSocket: binary frames (engine/protocol/wire.ts), request ids,
 * and reconnection with backoff if the socket drops (calls made meanwhile wait for it).
 */
import type { EventName, LabApi } from '../../../engine/protocol/contract.js';
import { decodeFrame, encodeFrame } from '../../../engine/protocol/wire.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export type SocketState = 'connecting' | 'open' | 'closed';

export function connectSocket(url: string, onState?: (s: SocketState) => void): LabApi {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let retry = 0;
  const pending = new Map<number, Pending>();
  const queue: Uint8Array<ArrayBuffer>[] = [];
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();

  const open = (): void => {
    onState?.('connecting');
    const sock = new WebSocket(url);
    sock.binaryType = 'arraybuffer';
    ws = sock;
    sock.onopen = () => {
      retry = 0;
      onState?.('open');
      for (const f of queue.splice(0)) sock.send(f);
    };
    sock.onmessage = (e: MessageEvent) => {
      let msg: { id?: number; ok?: boolean; result?: unknown; error?: unknown; event?: EventName; payload?: unknown };
      try {
        msg = decodeFrame(new Uint8Array(e.data as ArrayBuffer)) as typeof msg;
      } catch (err) {
        console.error('locus: dropped an unreadable frame', err);
        return;
      }
      if (typeof msg.event === 'string') {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        return;
      }
      const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
      if (!p) return;
      pending.delete(msg.id as number);
      if (msg.ok === true) p.resolve(msg.result);
      else p.reject(msg.error ?? { message: 'malformed reply', code: 'failed' });
    };
    sock.onclose = () => {
      ws = null;
      onState?.('closed');
      for (const p of pending.values()) p.reject({ message: 'the connection to Locus was lost', code: 'unavailable' });
      pending.clear();
      retry++;
      setTimeout(open, Math.min(5000, 200 * 2 ** Math.min(retry, 5)));
    };
  };
  open();

  return {
    transport: 'browser',
    call(method, params) {
      const id = nextId++;
      const frame = encodeFrame({ id, method, params });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (ws && ws.readyState === WebSocket.OPEN) ws.send(frame);
        else queue.push(frame);
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
    pathForFile: () => null,
  };
}
