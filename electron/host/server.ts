/**
 * The browser host: the built renderer over HTTP and the contract over a WebSocket, on 127.0.0.1 only,
 * both behind the per-launch token (auth.ts). Requests from sockets go through the same router as
 * Electron's IPC; engine events go to every open socket; a crashed engine is restarted by the same
 * supervisor and every page is told.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { platform } from 'node:os';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventMessage, EventName, Payload } from '../../engine/protocol/contract.js';
import { eventMessage } from '../../engine/protocol/messages.js';
import { decodeFrame, encodeFrame } from '../../engine/protocol/wire.js';
import { createRouter, type Outcome } from '../core/router.js';
import { documentsFolder, saveFolders } from '../core/save-folder.js';
import { SettingsStore } from '../core/settings.js';
import { EngineSupervisor, type EngineProcess, type RestartPolicy } from '../core/supervisor.js';
import { mimeType, resolveStatic, SECURITY_HEADERS } from '../core/web.js';
import { checkAccess, newToken, tokenCookie } from './auth.js';

export interface HostOptions {
  /** 0: a free port chosen by the system. */
  port?: number;
  rendererDir: string;
  settingsFile: string;
  spawn: () => EngineProcess;
  version: string;
  token?: string;
  policy?: RestartPolicy;
  log?: (line: string) => void;
  /** Where exports are proposed before any was made (default: the documents folder, save-folder.ts). */
  documents?: string;
}

export interface Host {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly engine: EngineSupervisor;
  readonly settings: SettingsStore;
  close(): Promise<void>;
}

const MAX_FRAME = 16 * 1024 * 1024;

export async function startHost(opts: HostOptions): Promise<Host> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const token = opts.token ?? newToken();
  const settings = await SettingsStore.open(opts.settingsFile, log);
  const saves = saveFolders(settings, opts.documents ?? documentsFolder());
  const engine = new EngineSupervisor({ spawn: opts.spawn, log, ...(opts.policy ? { policy: opts.policy } : {}) });
  const sockets = new Set<WebSocket>();

  const broadcast = (m: EventMessage): void => {
    const frame = encodeFrame(m);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(frame);
  };
  const notify = <E extends EventName>(event: E, payload: Payload<E>): void => broadcast(eventMessage(event, payload));
  engine.onEvent(broadcast);
  engine.onRestart((info) => notify('engine.restarted', info));
  engine.onFailed((reason) => notify('engine.failed', { reason }));

  const route = createRouter({
    engine,
    shell: {
      'shell.info': () => ({ transport: 'browser', dialogs: false, platform: platform(), version: opts.version }),
      'shell.pickFolder': () => ({ path: null }),
      'shell.pickFile': () => ({ path: null }),
      'shell.pickSavePath': () => ({ path: null }),
      'shell.suggestSavePath': async (p) => ({ path: await saves.suggest(p.defaultName) }),
      'shell.settings': () => settings.get(),
      'shell.updateSettings': (p) => settings.update(p),
      'shell.forgetRecent': (p) => settings.forgetRecent(p.path),
    },
    afterEngine: (method, params, result) => {
      saves.learn(method, params)?.catch((e: Error) => log(`settings: ${e.message}`));
      if (method === 'data.open') void settings.addRecent((result as { root: string }).root ?? (params as { path: string }).path).catch((e: Error) => log(`settings: ${e.message}`));
    },
  });

  let port = 0;
  const server = createServer((req, res) => {
    void serveHttp(req, res).catch((e: Error) => {
      log(`host: ${req.url}: ${e.message}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const access = checkAccess(req, token, port);
    if (!access.ok) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`Forbidden (${access.reason}). Open the address Locus printed when it started; it carries the access token.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = resolveStatic(opts.rendererDir, pathname);
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info?.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Not found\n');
      return;
    }
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': mimeType(file),
      'Content-Length': String(info.size),
      'Cache-Control': 'no-store',
    };
    if (access.via === 'query') headers['Set-Cookie'] = tokenCookie(token);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  // Every socket and server has an 'error' listener: an 'error' event without one throws and would take
  // the host (and with it the engine) down. A bad frame (too large, invalid UTF-8, unmasked, a reserved
  // opcode or bit, a bad close code, a stray continuation, an oversized control frame) makes the ws
  // library close that one connection with the matching close code (1002, 1007 or 1009); we log it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  wss.on('error', (e: Error) => log(`host: WebSocket server: ${e.message}`));
  server.on('clientError', (e: Error, socket) => {
    log(`host: bad HTTP request: ${e.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.on('upgrade', (req, socket, head) => {
    // Node hands the raw socket over without an error listener; a reset during the upgrade must not throw.
    const onRawError = (e: Error): void => log(`host: WebSocket upgrade: ${e.message}`);
    socket.on('error', onRawError);
    const access = checkAccess(req, token, port, true);
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!access.ok || pathname !== '/ws') {
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.removeListener('error', onRawError);
      sockets.add(ws);
      ws.on('error', (e: Error & { code?: string }) => log(`host: closed a WebSocket connection: ${e.message}${e.code ? ` (${e.code})` : ''}`));
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => void onSocketMessage(ws, data, isBinary));
    });
  });

  async function onSocketMessage(ws: WebSocket, data: unknown, isBinary: boolean): Promise<void> {
    let msg: unknown;
    try {
      if (!isBinary || !(data instanceof Buffer)) throw new Error('expected a binary frame');
      msg = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (e) {
      log(`host: dropped a socket message: ${(e as Error).message}`);
      return;
    }
    const m = msg as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof msg !== 'object' || msg === null || !Number.isSafeInteger(m.id) || (m.id as number) < 0) {
      log('host: dropped a socket message without a request id');
      return;
    }
    const extra = Object.keys(msg).find((k) => k !== 'id' && k !== 'method' && k !== 'params');
    const outcome: Outcome = extra
      ? { ok: false, error: { message: `unexpected field "${extra}"`, code: 'invalid' } }
      : await route(m.method, m.params);
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame({ id: m.id, ...outcome }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  engine.start();

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    engine,
    settings,
    close: async () => {
      engine.stop();
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
