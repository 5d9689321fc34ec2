// jsmemtrace/test in a process that is NOT instrumented (this one: plain node --test): sizes,
// option errors, and the error that says how to run the tests instrumented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { assertMemoryBelow, assertNoLeaks, parseBytes } from 'jsmemtrace/test';

test('sizes: bytes, SI units (powers of 1000) and IEC units (powers of 1024)', () => {
  assert.equal(parseBytes(0), 0);
  assert.equal(parseBytes(4096), 4096);
  assert.equal(parseBytes('10 MB'), 10_000_000);
  assert.equal(parseBytes('10MB'), 10_000_000);
  assert.equal(parseBytes('3 kB'), 3000);
  assert.equal(parseBytes(' 2 gb '), 2e9);
  assert.equal(parseBytes('512 KiB'), 524_288);
  assert.equal(parseBytes('1.5 MiB'), 1_572_864);
  assert.equal(parseBytes('2 GiB'), 2 * 1024 ** 3);
  assert.equal(parseBytes('100 B'), 100);
  assert.equal(parseBytes('100'), 100);
});

test('sizes: anything else is a TypeError that shows the accepted forms', () => {
  for (const bad of [-1, NaN, Infinity, '', 'ten MB', '10 XB', '10 M B', '-3 MB', '1e6', {}, null, undefined]) {
    assert.throws(() => parseBytes(bad, 'limit'), (e) => e instanceof TypeError && /^limit must be a number of bytes >= 0 or a size such as '512 KiB' or '10 MB'/.test(e.message), String(bad));
  }
});

test('options: each mistake is a TypeError that names it', async () => {
  const fn = () => {};
  await assert.rejects(assertNoLeaks('fn'), { name: 'TypeError', message: /the first argument must be the function to run, got "fn"/ });
  await assert.rejects(assertNoLeaks(fn, { repeat: 0 }), { name: 'TypeError', message: /option repeat must be an integer >= 1, got 0/ });
  await assert.rejects(assertNoLeaks(fn, { warmup: 1.5 }), { name: 'TypeError', message: /option warmup must be an integer >= 0/ });
  await assert.rejects(assertNoLeaks(fn, { allow: { Session: -1 } }), { name: 'TypeError', message: /allow.Session must be an integer >= 0/ });
  await assert.rejects(assertNoLeaks(fn, { allow: ['Session'] }), { name: 'TypeError', message: /option allow must be an object such as \{ Session: 1 \}/ });
  await assert.rejects(assertNoLeaks(fn, { types: 'Session' }), { name: 'TypeError', message: /option types must be a list of type names/ });
  await assert.rejects(assertNoLeaks(fn, { repet: 3 }), { name: 'TypeError', message: /unknown option "repet" \(known: types, excludeTypes/ });
  await assert.rejects(assertMemoryBelow(fn, '10 parsecs'), { name: 'TypeError', message: /limit must be a number of bytes/ });
  await assert.rejects(assertMemoryBelow(fn, '1 MB', { measure: 'vms' }), { name: 'TypeError', message: /option measure must be 'rss' or 'heap', got "vms"/ });
});

test('not instrumented: the assertions reject with how to run each runner instrumented', async () => {
  for (const call of [() => assertNoLeaks(() => {}), () => assertMemoryBelow(() => {}, '1 MB')]) {
    await assert.rejects(call(), (e) => {
      assert.match(e.message, /this test process does not run under jsmemtrace's loader/);
      assert.match(e.message, /node --test: +jsmemtrace run -- node --test/);
      assert.match(e.message, /Vitest: +plugins: \[jsmemtrace\(\)\]/);
      assert.match(e.message, /Jest: +testEnvironment: 'jsmemtrace\/jest-environment'/);
      return true;
    });
  }
});

test('require("jsmemtrace/test") gives the same assertions to CommonJS tests', async () => {
  const api = createRequire(import.meta.url)('jsmemtrace/test');
  assert.equal(api.parseBytes('1 KiB'), 1024);
  await assert.rejects(api.assertNoLeaks(() => {}), /does not run under jsmemtrace's loader/);
});
