/**
 * The browser host's access check. A random token is made at each launch and printed in the app's URL;
 * a request carries it in the query (`?token=`) or, once the page has loaded with it, in an HttpOnly
 * SameSite=Strict cookie. The Host header must name the loopback address we listen on (against DNS
 * rebinding), and a WebSocket's Origin must be our own page.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'locus_token';

export const newToken = (): string => randomBytes(24).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type Access = { ok: true; via: 'query' | 'cookie' } | { ok: false; reason: string };

export function checkAccess(req: IncomingMessage, token: string, port: number, websocket = false): Access {
  const host = req.headers.host;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return { ok: false, reason: 'unexpected Host header' };
  if (websocket) {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) return { ok: false, reason: 'cross-origin WebSocket' };
  }
  const url = new URL(req.url ?? '/', `http://${host}`);
  const q = url.searchParams.get('token');
  if (q !== null && sameSecret(q, token)) return { ok: true, via: 'query' };
  const c = cookieValue(req.headers.cookie, COOKIE);
  if (c !== null && sameSecret(c, token)) return { ok: true, via: 'cookie' };
  return { ok: false, reason: q === null && c === null ? 'no token' : 'wrong token' };
}

export const tokenCookie = (token: string): string => `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
