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
import type { Duplex } from 'node:stream';
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
  /** How often open sockets are pinged; one that has not answered the previous ping is closed (default 30 s). */
  heartbeatMs?: number;
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
/** Requests of one socket handed to the router at once; further messages wait with that socket paused. */
const MAX_IN_FLIGHT = 32;
/** Messages of one socket waiting beyond those (a paused socket still delivers what it had read). */
const MAX_WAITING = 10_000;
/** Outgoing bytes a socket may leave unread before it is closed (a page that stopped reading). */
const MAX_UNSENT = 64 * 1024 * 1024;
/** Close codes (RFC 6455 7.4.1) for messages the ws library accepts but the contract does not. */
const CLOSE = { unsupported: 1003, invalid: 1007, policy: 1008 } as const;

export async function startHost(opts: HostOptions): Promise<Host> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const token = opts.token ?? newToken();
  const settings = await SettingsStore.open(opts.settingsFile, log);
  const saves = saveFolders(settings, opts.documents ?? documentsFolder());
  const engine = new EngineSupervisor({ spawn: opts.spawn, log, ...(opts.policy ? { policy: opts.policy } : {}) });
  const sockets = new Set<WebSocket>();

  const broadcast = (m: EventMessage): void => {
    const frame = encodeFrame(m);
    for (const s of sockets) {
      if (s.readyState !== s.OPEN) continue;
      if (s.bufferedAmount > MAX_UNSENT) {
        log(`host: closed a WebSocket connection: over ${MAX_UNSENT >> 20} MiB of messages left unread`);
        s.terminate();
        continue;
      }
      s.send(frame);
    }
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
  // A connection that sends its request headers slowly or not at all is dropped after 10 s.
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 2_000 }, (req, res) => {
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
  // A handshake the ws library refuses (a bad Sec-WebSocket-Key or version, not GET): answered and logged.
  wss.on('wsClientError', (e: Error, socket: Duplex) => {
    log(`host: refused a WebSocket upgrade: ${e.message}`);
    const status = e.message === 'Invalid HTTP method' ? '405 Method Not Allowed' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${e.message.length}\r\n\r\n${e.message}`);
    else socket.destroy();
  });
  server.on('clientError', (e: Error & { code?: string }, socket) => {
    log(`host: bad HTTP request: ${e.message}${e.code ? ` (${e.code})` : ''}`);
    const status =
      e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      ws.on('error', (e: Error & { code?: string }) => log(`host: closed a WebSocket connection: ${e.message}${e.code ? ` (${e.code})` : ''}`));
      ws.on('close', () => sockets.delete(ws));
      const lane = socketLane(ws);
      ws.on('message', (data, isBinary) => lane.take(data, isBinary));
    });
  });

  // A socket that does not answer the host's ping within one period (a page or machine gone without
  // closing, a half-open connection) is dropped, so its buffers do not stay.
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const s of sockets) {
      if (alive.get(s) === false) {
        log('host: closed a WebSocket connection: no answer to the last ping');
        s.terminate();
        continue;
      }
      alive.set(s, false);
      if (s.readyState === s.OPEN) s.ping();
    }
  }, opts.heartbeatMs ?? 30_000);
  heartbeat.unref();

  /** Closes a connection whose message the contract does not accept, with a log line saying why. */
  const refuse = (ws: WebSocket, code: number, why: string): void => {
    log(`host: closed a WebSocket connection: ${why} (${code})`);
    if (ws.readyState !== ws.OPEN) return;
    ws.close(code, why.slice(0, 120));
    // A client that does not answer the close frame is cut off after a second (not ws's 30 s).
    setTimeout(() => ws.terminate(), 1000).unref();
  };

  /**
   * One socket's requests: at most MAX_IN_FLIGHT at a time go to the router (and so to the engine);
   * the rest wait here with the socket paused, so a page sending thousands of small frames at once
   * neither grows the host's memory nor keeps the engine from answering other pages.
   */
  function socketLane(ws: WebSocket): { take(data: unknown, isBinary: boolean): void } {
    let running = 0;
    const waiting: { data: unknown; isBinary: boolean }[] = [];
    const next = (): void => {
      while (running < MAX_IN_FLIGHT && waiting.length > 0) {
        const w = waiting.shift() as { data: unknown; isBinary: boolean };
        running++;
        void onSocketMessage(ws, w.data, w.isBinary).finally(() => {
          running--;
          next();
        });
      }
      if (waiting.length === 0 && ws.isPaused) ws.resume();
    };
    return {
      take(data, isBinary) {
        if (waiting.length >= MAX_WAITING) {
          waiting.length = 0;
          return refuse(ws, CLOSE.policy, `over ${MAX_WAITING} requests waiting`);
        }
        waiting.push({ data, isBinary });
        next();
        if (waiting.length > 0 && !ws.isPaused) ws.pause();
      },
    };
  }

  async function onSocketMessage(ws: WebSocket, data: unknown, isBinary: boolean): Promise<void> {
    if (ws.readyState !== ws.OPEN) return;
    if (!isBinary || !(data instanceof Buffer)) return refuse(ws, CLOSE.unsupported, 'a text frame (the contract is sent in binary frames)');
    let msg: unknown;
    try {
      msg = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (e) {
      const why = e instanceof RangeError ? 'nested too deeply' : (e as Error).message;
      return refuse(ws, CLOSE.invalid, `not a contract message: ${why}`);
    }
    const m = msg as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || !Number.isSafeInteger(m.id) || (m.id as number) < 0) {
      return refuse(ws, CLOSE.policy, 'a message without a request id');
    }
    const extra = Object.keys(msg).find((k) => k !== 'id' && k !== 'method' && k !== 'params');
    const outcome: Outcome = extra
      ? { ok: false, error: { message: `unexpected field "${extra.slice(0, 60)}"`, code: 'invalid' } }
      : await route(m.method, m.params);
    if (ws.readyState !== ws.OPEN) return;
    let reply: Uint8Array;
    try {
      reply = encodeFrame({ id: m.id, ...outcome });
    } catch (e) {
      log(`host: a reply could not be encoded: ${(e as Error).message}`);
      reply = encodeFrame({ id: m.id, ok: false, error: { message: `the reply could not be sent: ${(e as Error).message}`, code: 'failed' } });
    }
    ws.send(reply);
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
      clearInterval(heartbeat);
      engine.stop();
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
