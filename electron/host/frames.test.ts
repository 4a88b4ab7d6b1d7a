/**
 * Bad WebSocket frames, built by hand and sent over raw TCP: each closes only its own connection, with
 * the close code RFC 6455 gives for it, leaves a log line, and the host keeps answering afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeFrame, encodeFrame } from '../../engine/protocol/wire.js';
import type { EngineProcess } from '../core/supervisor.js';
import { type Host, startHost } from './server.js';

let pings = 0;
function fakeEngine(): EngineProcess {
  let listener: (m: unknown) => void = () => {};
  return {
    pid: 1,
    send: (m) => {
      const { id, method } = m as { id: number; method: string };
      if (method === 'engine.ping') pings++;
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
const logs: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-frames-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startHost({ port: 0, rendererDir: dir, settingsFile: join(dir, 'settings.json'), spawn: fakeEngine, version: 't', log: (l) => logs.push(l) });
});
after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw connection past the HTTP upgrade, with everything the server sent after it collected. */
interface Raw {
  socket: Socket;
  /** Resolves with all bytes received once the server has closed the TCP connection. */
  ended: Promise<Buffer>;
  /** Resolves once at least n bytes of frames have arrived. */
  bytes(n: number): Promise<Buffer>;
}

function openRaw(): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(host.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let waiting: { n: number; done: (b: Buffer) => void } | null = null;
    let endedResolve: (b: Buffer) => void = () => {};
    const ended = new Promise<Buffer>((r) => (endedResolve = r));
    socket.on('error', () => {}); // a reset after the server's close is expected
    socket.on('close', () => endedResolve(buf));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve({
          socket,
          ended,
          bytes: (n) => new Promise((r) => (buf.length >= n ? r(buf) : (waiting = { n, done: r }))),
        });
      }
      if (waiting && buf.length >= waiting.n) {
        const w = waiting;
        waiting = null;
        w.done(buf);
      }
    });
    socket.on('connect', () => {
      socket.write(
        [
          `GET /ws?token=${host.token} HTTP/1.1`,
          `Host: 127.0.0.1:${host.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
}

/** One frame as a client sends it: FIN set unless told, masked unless told, the length in 7, 16 or 64 bits. */
function frame(opcode: number, payload: Buffer, o: { fin?: boolean; rsv1?: boolean; masked?: boolean; length?: bigint } = {}): Buffer {
  const masked = o.masked ?? true;
  const b0 = (o.fin === false ? 0 : 0x80) | (o.rsv1 ? 0x40 : 0) | opcode;
  const len = o.length ?? BigInt(payload.length);
  let head: Buffer;
  if (len < 126n) head = Buffer.from([b0, (masked ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) {
    head = Buffer.alloc(4);
    head[0] = b0;
    head[1] = (masked ? 0x80 : 0) | 126;
    head.writeUInt16BE(Number(len), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = (masked ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(len, 2);
  }
  if (!masked) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((x, i) => x ^ key[i % 4]));
  return Buffer.concat([head, key, body]);
}

/** The close code in the first frame the server sent, if it is a close frame. */
function closeCode(bytes: Buffer): number | null {
  if (bytes.length < 4 || (bytes[0] & 0x0f) !== 0x8) return null;
  return bytes.readUInt16BE(2);
}

const BAD_FRAMES: { name: string; bytes: () => Buffer; code: number }[] = [
  { name: 'a message over 16 MiB (announced length)', bytes: () => frame(0x2, Buffer.alloc(0), { length: BigInt(17 << 20) }), code: 1009 },
  { name: 'a text frame with invalid UTF-8', bytes: () => frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), code: 1007 },
  { name: 'an unmasked client frame', bytes: () => frame(0x2, Buffer.from('abc'), { masked: false }), code: 1002 },
  { name: 'a reserved opcode', bytes: () => frame(0x3, Buffer.from('abc')), code: 1002 },
  { name: 'RSV1 set without an extension', bytes: () => frame(0x2, Buffer.from('abc'), { rsv1: true }), code: 1002 },
  { name: 'close code 999', bytes: () => frame(0x8, Buffer.from([0x03, 0xe7])), code: 1002 },
  { name: 'a stray continuation frame', bytes: () => frame(0x0, Buffer.from('abc')), code: 1002 },
  { name: 'a ping with 126 bytes of payload', bytes: () => frame(0x9, Buffer.alloc(126, 1)), code: 1002 },
  { name: 'a 2^63 length', bytes: () => frame(0x2, Buffer.alloc(0), { length: 1n << 63n }), code: 1009 },
];

/** engine.ping over a fresh raw connection: the host (and its engine) still answer. */
async function pingOverRaw(): Promise<unknown> {
  const raw = await openRaw();
  raw.socket.write(frame(0x2, Buffer.from(encodeFrame({ id: 7, method: 'engine.ping', params: {} }))));
  const got = await raw.bytes(2);
  const len = got[1] & 0x7f;
  const start = len === 126 ? 4 : 2;
  const size = len === 126 ? got.readUInt16BE(2) : len;
  const full = await raw.bytes(start + size);
  raw.socket.destroy();
  return decodeFrame(new Uint8Array(full.subarray(start, start + size)));
}

test('the raw-frame client itself works: a good frame is answered', async () => {
  assert.deepEqual(await pingOverRaw(), { id: 7, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } });
});

for (const bad of BAD_FRAMES) {
  test(`${bad.name}: that connection is closed with ${bad.code}, logged, and the host still answers`, async () => {
    const before = logs.length;
    const raw = await openRaw();
    raw.socket.write(bad.bytes());
    const got = await raw.ended;
    assert.equal(closeCode(got), bad.code, `close frame from the server: ${got.subarray(0, 8).toString('hex')}`);
    assert.ok(
      logs.slice(before).some((l) => l.startsWith('host: closed a WebSocket connection:')),
      `a log line for it (got ${JSON.stringify(logs.slice(before))})`,
    );
    const p = pings;
    assert.deepEqual(await pingOverRaw(), { id: 7, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } });
    assert.equal(pings, p + 1, 'the ping reached the engine');
  });
}

test('a reset in the middle of an upgrade and a garbled HTTP request leave the host up', async () => {
  const s = tcpConnect(host.port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise<void>((r) => s.once('connect', () => r()));
  s.write(`GET /ws?token=${host.token} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
  s.resetAndDestroy();
  const g = tcpConnect(host.port, '127.0.0.1');
  g.on('error', () => {});
  g.resume();
  g.write('\x00\x01 not http at all\r\n\r\n');
  await new Promise<void>((r) => g.once('close', () => r()));
  assert.ok(logs.some((l) => l.startsWith('host: bad HTTP request:')));
  assert.deepEqual(await pingOverRaw(), { id: 7, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } });
});

/** Sends one raw frame on a fresh connection and returns what the server closed it with. */
async function closedWith(bytes: Buffer): Promise<number | null> {
  const raw = await openRaw();
  raw.socket.write(bytes);
  return closeCode(await raw.ended);
}

/** A contract frame around any JSON text (the wire's u32 length header, padded to 8). */
function wireText(json: string): Buffer {
  const body = Buffer.from(json);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body, Buffer.alloc((8 - ((4 + body.length) % 8)) % 8)]);
}

const BAD_MESSAGES: { name: string; bytes: () => Buffer; code: number; log: string }[] = [
  { name: 'a text frame', bytes: () => frame(0x1, Buffer.from('{"id":1,"method":"engine.ping","params":{}}')), code: 1003, log: 'a text frame' },
  { name: 'a message nested 100,000 deep', bytes: () => frame(0x2, wireText(`{"id":1,"method":"engine.ping","params":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`)), code: 1007, log: 'nested too deeply' },
  { name: 'bytes that are not the wire format', bytes: () => frame(0x2, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2])), code: 1007, log: 'not a contract message' },
  { name: 'JSON without a request id', bytes: () => frame(0x2, wireText('[1,2,3]')), code: 1008, log: 'without a request id' },
  { name: 'a negative request id', bytes: () => frame(0x2, wireText('{"id":-1,"method":"engine.ping","params":{}}')), code: 1008, log: 'without a request id' },
];

for (const bad of BAD_MESSAGES) {
  test(`${bad.name}: closed with ${bad.code} and a log line saying why; the host still answers`, async () => {
    const before = logs.length;
    assert.equal(await closedWith(bad.bytes()), bad.code);
    const line = logs.slice(before).find((l) => l.startsWith('host: closed a WebSocket connection:'));
    assert.ok(line?.includes(bad.log), `log line: ${JSON.stringify(logs.slice(before))}`);
    assert.deepEqual(await pingOverRaw(), { id: 7, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } });
  });
}

/** The reply to one contract message sent on a fresh raw connection. */
async function replyTo(message: unknown): Promise<{ id: number; ok: boolean; error?: { message: string; code?: string } }> {
  const raw = await openRaw();
  raw.socket.write(frame(0x2, Buffer.from(encodeFrame(message))));
  const got = await raw.bytes(2);
  const len = got[1] & 0x7f;
  const start = len === 126 ? 4 : len === 127 ? 10 : 2;
  const size = len === 126 ? got.readUInt16BE(2) : len === 127 ? Number(got.readBigUInt64BE(2)) : len;
  const full = await raw.bytes(start + size);
  raw.socket.destroy();
  return decodeFrame(new Uint8Array(full.subarray(start, start + size))) as { id: number; ok: boolean; error?: { message: string; code?: string } };
}

test('valid JSON that is not a contract request is answered with an error in words, the name never echoed whole', async () => {
  const long = await replyTo({ id: 3, method: 'x'.repeat(1_000_000), params: {} });
  assert.equal(long.error?.code, 'unknown-method');
  assert.ok((long.error?.message.length ?? 0) < 100, `message of ${long.error?.message.length} characters`);
  const items = await replyTo({ id: 4, method: new Array(1_000_000).fill(0), params: {} });
  assert.deepEqual(items, { id: 4, ok: false, error: { message: 'unknown method (an array, not a name)', code: 'unknown-method' } });
  const params = await replyTo({ id: 5, method: 'data.open', params: { path: new Array(1_000_000).fill(0) } });
  assert.deepEqual(params, { id: 5, ok: false, error: { message: 'data.open: bad params: path: expected a string', code: 'invalid' } });
  const extra = await replyTo({ id: 6, method: 'engine.ping', params: {}, [`x${'y'.repeat(10_000)}`]: 1 });
  assert.equal(extra.error?.code, 'invalid');
  assert.ok((extra.error?.message.length ?? 0) < 100);
});

test('a WebSocket handshake with a bad Sec-WebSocket-Key gets 400 and a log line; a huge header 431', async () => {
  const ask = (head: string): Promise<string> =>
    new Promise((resolve) => {
      const s = tcpConnect(host.port, '127.0.0.1');
      let got = '';
      s.on('error', () => {});
      s.on('data', (c: Buffer) => (got += c.toString('latin1')));
      s.on('close', () => resolve(got.split('\r\n')[0]));
      s.on('connect', () => s.write(head));
    });
  const before = logs.length;
  const upgrade = (key: string, extra = ''): string =>
    `GET /ws?token=${host.token} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
  assert.equal(await ask(upgrade('not-a-key')), 'HTTP/1.1 400 Bad Request');
  assert.ok(logs.slice(before).some((l) => l.startsWith('host: refused a WebSocket upgrade: Missing or invalid Sec-WebSocket-Key')));
  assert.equal(await ask(upgrade(randomBytes(16).toString('base64'), `X-Big: ${'a'.repeat(100_000)}\r\n`)), 'HTTP/1.1 431 Request Header Fields Too Large');
  assert.deepEqual(await pingOverRaw(), { id: 7, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } });
});

test('thousands of small frames at once: the flooding page is answered in turn and another page is not kept waiting', async () => {
  // An engine that answers one request at a time, in order, and records how many requests were waiting
  // when the other page's request (data.cancel) came.
  const queue: { id: number; method: string }[] = [];
  let ahead: number | undefined;
  let listener: (m: unknown) => void = () => {};
  const tick = (): void => {
    const r = queue.shift();
    if (!r) return;
    listener({ id: r.id, ok: true, result: r.method === 'data.cancel' ? { cancelled: false } : { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } });
    setImmediate(tick);
  };
  const slow: EngineProcess = {
    pid: 2,
    send: (m) => {
      const r = m as { id: number; method: string };
      if (r.method === 'data.cancel') ahead = queue.length;
      queue.push(r);
      if (queue.length === 1) setImmediate(tick);
    },
    onMessage: (l) => void (listener = l),
    onExit: () => {},
    kill: () => {},
  };
  const h2 = await startHost({ port: 0, rendererDir: dir, settingsFile: join(dir, 'settings2.json'), spawn: () => slow, version: 't', log: () => {} });
  try {
    const connect2 = (): Promise<Socket> =>
      new Promise((resolve) => {
        const s = tcpConnect(h2.port, '127.0.0.1');
        s.on('error', () => {});
        s.once('data', () => resolve(s));
        s.on('connect', () =>
          s.write(`GET /ws?token=${h2.token} HTTP/1.1\r\nHost: 127.0.0.1:${h2.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
        );
      });
    const flooder = await connect2();
    const N = 5000;
    let replies = 0;
    flooder.on('data', (c: Buffer) => (replies += c.length));
    const frames: Buffer[] = [];
    for (let i = 0; i < N; i++) frames.push(frame(0x2, Buffer.from(encodeFrame({ id: i, method: 'engine.ping', params: {} }))));
    flooder.write(Buffer.concat(frames));
    while (queue.length === 0) await new Promise((r) => setImmediate(r));
    const other = await connect2();
    const answered = new Promise<void>((resolve) => other.once('data', () => resolve()));
    other.write(frame(0x2, Buffer.from(encodeFrame({ id: 1, method: 'data.cancel', params: {} }))));
    await answered;
    // The other page's ping reached the engine behind at most one socket's share of requests.
    assert.ok(ahead !== undefined && ahead <= 40, `requests ahead of the other page's ping: ${ahead}`);
    // The flooding page gets every answer in the end.
    const replySize = frame(0x2, Buffer.from(encodeFrame({ id: 1000, ok: true, result: { version: 't', protocol: 1, pid: 1, uptimeMs: 0 } })), { masked: false }).length;
    while (replies < N * replySize * 0.9) await new Promise((r) => setTimeout(r, 20));
    flooder.destroy();
    other.destroy();
  } finally {
    await h2.close();
  }
});

test('a connection that stops answering pings (half-open) is closed with a log line', async () => {
  const lines: string[] = [];
  const h3 = await startHost({ port: 0, rendererDir: dir, settingsFile: join(dir, 'settings3.json'), spawn: fakeEngine, version: 't', log: (l) => lines.push(l), heartbeatMs: 100 });
  try {
    const s = tcpConnect(h3.port, '127.0.0.1');
    s.on('error', () => {});
    s.resume();
    s.on('connect', () =>
      s.write(`GET /ws?token=${h3.token} HTTP/1.1\r\nHost: 127.0.0.1:${h3.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    );
    await new Promise<void>((r) => s.once('close', () => r()));
    assert.ok(lines.includes('host: closed a WebSocket connection: no answer to the last ping'), JSON.stringify(lines));
  } finally {
    await h3.close();
  }
});
