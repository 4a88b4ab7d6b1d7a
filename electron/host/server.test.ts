import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from '../../engine/protocol/wire.js';
import type { EngineProcess } from '../core/supervisor.js';
import { type Host, startHost } from './server.js';

/** An engine that answers engine.ping and nothing else. */
function fakeEngine(): EngineProcess {
  let listener: (m: unknown) => void = () => {};
  return {
    pid: 1,
    send: (m) => {
      const { id, method } = m as { id: number; method: string };
      queueMicrotask(() =>
        listener(method === 'engine.ping' ? { id, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } } : { id, ok: false, error: { message: 'no' } }),
      );
    },
    onMessage: (l) => void (listener = l),
    onExit: () => {},
    kill: () => {},
  };
}

let dir = '';
let host: Host;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-host-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startHost({ port: 0, rendererDir: dir, settingsFile: join(dir, 'settings.json'), spawn: fakeEngine, version: 't', log: () => {} });
});
after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('the host listens on loopback and prints a URL with a random token', () => {
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
});

test('HTTP: 403 without the token or with a wrong one; 200 with it, which sets the cookie', async () => {
  assert.equal((await get('/')).status, 403);
  assert.equal((await get('/?token=nope')).status, 403);
  assert.equal((await get(`/?token=${host.token}x`)).status, 403);
  const ok = await get(`/?token=${host.token}`);
  assert.equal(ok.status, 200);
  assert.match(String(ok.headers['content-security-policy']), /default-src 'none'/);
  const cookie = String(ok.headers['set-cookie']).split(';')[0];
  assert.match(String(ok.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
  assert.equal((await get('/index.html', { cookie })).status, 200);
  assert.equal((await get('/index.html', { cookie: 'locus_token=wrong' })).status, 403);
  // A foreign Host header (DNS rebinding) is refused even with the token.
  assert.equal((await get(`/?token=${host.token}`, { host: `evil.example:${host.port}` })).status, 403);
  assert.equal((await get(`/../../etc/passwd?token=${host.token}`)).status, 404);
});

test('WebSocket: the upgrade needs the token and our own origin; then contract messages flow', async () => {
  await assert.rejects(connect('/ws'), /HTTP 403/);
  await assert.rejects(connect('/ws?token=wrong'), /HTTP 403/);
  await assert.rejects(connect(`/ws?token=${host.token}`, { origin: 'http://evil.example' }), /HTTP 403/);
  const ws = await connect(`/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
  const replies: unknown[] = [];
  const got = new Promise<void>((resolve) =>
    ws.on('message', (data: Buffer) => {
      replies.push(decodeFrame(new Uint8Array(data)));
      if (replies.length === 3) resolve();
    }),
  );
  ws.send(encodeFrame({ id: 1, method: 'engine.ping', params: {} }));
  ws.send(encodeFrame({ id: 2, method: 'data.open', params: { path: 7 } }));
  ws.send(encodeFrame({ id: 3, method: 'shell.info', params: {} }));
  await got;
  ws.close();
  const byId = new Map(replies.map((r) => [(r as { id: number }).id, r]));
  assert.deepEqual(byId.get(1), { id: 1, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } });
  assert.equal((byId.get(2) as { error: { code: string } }).error.code, 'invalid');
  assert.equal((byId.get(3) as { result: { transport: string } }).result.transport, 'browser');
});
