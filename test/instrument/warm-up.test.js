// The parser's warm-up before a large file (src/instrument/warm-up.ts): its text must parse (a
// parser that rejects it warms up nothing, silently), and it must leave nothing behind that
// changes what the instrumenter writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { instrument } from '../../dist/instrument/index.js';
import { WARM_UP_TEXT, WARM_UP_MIN } from '../../dist/instrument/warm-up.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIG = fileURLToPath(new URL('../../node_modules/typescript/lib/typescript.js', import.meta.url));
const SMALL = fileURLToPath(new URL('../../node_modules/acorn/dist/acorn.js', import.meta.url));

test('the warm-up text parses as a script, as the warm-up parses it (the instrumenter\'s own options)', () => {
  // instrument() throws on a text its parser rejects; a script is what the warm-up parses.
  const r = instrument(WARM_UP_TEXT, { filename: '/warm-up.js', sourceType: 'script' });
  assert.ok(r.sites.sites.length > 40);
  // Each of its lines ends in `\n`, and one in `\r\n` (the lexer's other line break).
  assert.ok(WARM_UP_TEXT.includes('\r\n'));
});

test('instrumenting after the warm-up writes what a process without it writes', () => {
  assert.ok(readFileSync(BIG, 'utf8').length >= WARM_UP_MIN, 'the large file is large enough to warm up');
  assert.ok(readFileSync(SMALL, 'utf8').length < WARM_UP_MIN, 'the small file is not');
  // Prints a digest of the small file's result, after instrumenting the large one or not.
  const script = `
    import { readFileSync } from 'node:fs';
    import { createHash } from 'node:crypto';
    import { instrument } from './dist/instrument/index.js';
    const [big, small] = process.argv.slice(1);
    if (big !== '-') instrument(readFileSync(big, 'utf8'), { filename: big, sourceType: 'commonjs' });
    const r = instrument(readFileSync(small, 'utf8'), { filename: small });
    process.stdout.write(createHash('sha256').update(r.code).update(JSON.stringify(r.sites.sites)).update(JSON.stringify(r.inserts)).digest('hex'));
  `;
  const run = (big) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, big, SMALL], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  assert.equal(run(BIG), run('-'));
});
