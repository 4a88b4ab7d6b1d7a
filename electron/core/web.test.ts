import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CSP, META_CSP, mimeType, resolveStatic } from './web.js';

test('static paths cannot leave the renderer folder', () => {
  assert.equal(resolveStatic('/app/r', '/'), '/app/r/index.html');
  assert.equal(resolveStatic('/app/r', '/assets/a.js'), '/app/r/assets/a.js');
  assert.equal(resolveStatic('/app/r', '/../secret'), null);
  assert.equal(resolveStatic('/app/r', '/%2e%2e/secret'), null);
  assert.equal(resolveStatic('/app/r', '/assets/..%2f..%2fsecret'), null);
  assert.equal(resolveStatic('/app/r', '/a%00.js'), null);
  assert.equal(resolveStatic('/app/r', '/%E0%A4%A'), null);
  assert.equal(resolveStatic('/app/r', '/..\\x'), null);
  assert.equal(mimeType('x.JS'), 'text/javascript; charset=utf-8');
  assert.equal(mimeType('x.bin'), 'application/octet-stream');
});

test('the policy is strict and index.html carries the same one', () => {
  assert.match(CSP, /script-src 'self'(;|$)/);
  assert.doesNotMatch(CSP, /unsafe-(inline|eval)/);
  const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
  assert.ok(meta, 'renderer/index.html has a CSP meta tag');
  assert.equal(meta[1], META_CSP);
});
