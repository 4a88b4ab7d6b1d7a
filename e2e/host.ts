/** What global-setup.ts passes to the specs (through the environment) and helpers they share. */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import sharp from 'sharp';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from '../engine/protocol/wire.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');

export function hostUrl(): string {
  const url = process.env.LOCUS_E2E_URL;
  if (!url) throw new Error('LOCUS_E2E_URL is not set: run through e2e/playwright.config.ts (its global setup starts the host)');
  return url;
}
export const tmpRoot = (): string => process.env.LOCUS_E2E_TMP ?? '/tmp';

export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** A small PNG: a coloured disc or square on a dark background, so classes look different. */
export async function writeShape(path: string, kind: 'disc' | 'square' | 'bar', hue: number, size = 40): Promise<void> {
  const px = Buffer.alloc(size * size * 3);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside =
        kind === 'disc' ? (x - c) ** 2 + (y - c) ** 2 < (size * 0.35) ** 2 : kind === 'square' ? Math.abs(x - c) < size * 0.3 && Math.abs(y - c) < size * 0.3 : Math.abs(x - c) < size * 0.12;
      const o = (y * size + x) * 3;
      px[o] = inside ? 60 + ((hue * 7) % 190) : 18;
      px[o + 1] = inside ? 220 - ((hue * 13) % 150) : 20;
      px[o + 2] = inside ? 90 + ((hue * 29) % 160) : 26;
    }
  }
  await mkdir(dirname(path), { recursive: true });
  await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
}

/** Send one contract request to the host over its WebSocket, as the page does; resolves with the reply. */
export function hostCall(method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { message: string } }> {
  const url = new URL(hostUrl());
  const ws = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, { headers: { origin: url.origin } });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(encodeFrame({ id: 1, method, params })));
    ws.on('message', (data: Buffer) => {
      const m = decodeFrame(new Uint8Array(data)) as { id?: number; ok: boolean };
      if (m.id !== 1) return;
      ws.close();
      resolve(m);
    });
    ws.once('close', () => resolve({ ok: false, error: { message: 'socket closed before a reply' } }));
  });
}

/**
 * Give a spec a fresh engine (empty workspace): restart the engine process through the test-only crash
 * hook and wait until the new one answers. Specs that need an empty engine call it in beforeAll, so no
 * spec depends on what another left behind.
 */
export async function freshEngine(): Promise<void> {
  await hostCall('debug.crash', {});
  await expect.poll(async () => (await hostCall('engine.ping', {})).ok, { timeout: 20_000 }).toBe(true);
  await expect.poll(async () => (await hostCall('data.current', {})).result, { timeout: 20_000 }).toEqual({ summary: null });
}
