import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODEL_SCHEMA, modelKinds, registerKind } from './index.js';
import { schemaKinds } from './schema.js';

test('every registered kind has a schema definition and a dispatch branch', () => {
  assert.ok(modelKinds().includes('classifier'));
  for (const k of modelKinds()) {
    assert.ok(schemaKinds().includes(k), k);
    assert.ok(Object.hasOwn(MODEL_SCHEMA.$defs, k), k);
  }
});

test('registering a kind without a schema definition, or twice, is refused', () => {
  assert.throws(() => registerKind({ kind: 'hologram', check: () => {} }), /"hologram" has no \$defs entry and allOf branch/);
  assert.throws(() => registerKind({ kind: 'classifier', check: () => {} }), /already registered/);
});
