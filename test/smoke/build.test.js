import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

test('ESM and CommonJS entry points load the same build', async () => {
  const esm = await import('jsmemtrace');
  const cjs = createRequire(import.meta.url)('jsmemtrace');
  assert.equal(typeof esm.VERSION, 'string');
  assert.equal(esm.VERSION, cjs.VERSION);
});
