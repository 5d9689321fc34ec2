// Corpus cases whose output quotes the program's own source through the real loader: Node 20's
// `assert(value)` reads its call from the file on disk (the original text) at the column V8
// reports in the instrumented code, so nothing may go before the call on its line. The corpus
// runner, which runs the instrumented copy from disk, cannot see that (nor can Node 22 and later,
// which read the script V8 runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runNode, REGISTER } from '../loader/helpers.js';

const CORPUS = fileURLToPath(new URL('../fixtures/instrument-corpus/', import.meta.url));

for (const [name, quoted] of [
  ['conf2-assert-call-messages.js', /^ {2}assert\(v === 2, undefined\)$/m],
  // Calls with code before them on their line (a statement, an `if`, a function's body).
  ['conf7-assert-same-line.js', /^twoStatements .* {2}assert\(r === 3\) \| $/m],
]) {
  test(`assert(value) messages quote the call as written, through the loader: ${name}`, (t) => {
    const base = mkdtempSync(join(tmpdir(), 'jsmt-quoting-'));
    t.after(() => rmSync(base, { recursive: true, force: true }));
    cpSync(join(CORPUS, name), join(base, name));
    const plain = runNode([name], { cwd: base });
    const traced = runNode(['--import', REGISTER, name], { cwd: base, env: { JSMEMTRACE_CACHE_DIR: join(base, 'cache') } });
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, quoted);
    assert.equal(traced.status, 0, traced.stderr);
    assert.equal(traced.stdout, plain.stdout);
  });
}
