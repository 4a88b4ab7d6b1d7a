/**
 * The renderer's only door out of its sandbox: window.locus, one LabApi. Each method of the contract is
 * one IPC channel (ipcChannel); events arrive on one channel and are handed to subscribers by name.
 * ipcRenderer itself is never exposed. A failed call rejects with a plain {message, code} object (Error
 * objects lose everything but their message on the way through the context bridge); the renderer's
 * api.ts turns it back into a LabError.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { type EventName, isEventName, isMethodName, type LabApi } from '../engine/protocol/contract.js';
import { EVENT_CHANNEL, ipcChannel } from './core/channels.js';
import type { Outcome } from './core/router.js';

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
ipcRenderer.on(EVENT_CHANNEL, (_e, message: { event?: unknown; payload?: unknown }) => {
  if (!isEventName(message?.event)) return;
  for (const l of listeners.get(message.event) ?? []) l(message.payload);
});

const api: LabApi = {
  transport: 'electron',
  async call(method, params) {
    if (!isMethodName(method)) throw Object.freeze({ message: `unknown method ${String(method)}`, code: 'unknown-method' });
    const out = (await ipcRenderer.invoke(ipcChannel(method), params)) as Outcome;
    if (out.ok) return out.result as never;
    throw Object.freeze({ message: out.error.message, code: out.error.code });
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => void set.delete(l);
  },
  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file as File) || null;
    } catch {
      return null;
    }
  },
};

contextBridge.exposeInMainWorld('locus', api);
