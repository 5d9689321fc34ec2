// Damaged logs: whatever the damage, the reader either reads them (the bytes fast path and the
// string path agreeing record for record) or refuses them with a LogReadError, and `analyse`
// never fails with an internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogParser, LogReadError, readLogRecords } from '../../dist/log/reader.js';
import { analyse } from '../analyse/helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/logs/pymemtrace/', import.meta.url));
const SOURCES = ['py3.13.0/20261129_050535_0_12072_O_0_PY3.13.0.log', 'py3.11.7/20261129_050535_2_12030_T_0_PY3.11.7.log',
  'py3.11.7/20261129_050535_3_12030_T_0_PY3.11.7.log'].map((p) => readFileSync(join(FIXTURES, p)));
const PIECES = [' ', '\n', '#', ':', '0', 'x', '-', '.', '\r', 'NEW: ', 'MSG: ', 'PREV: 1 +1 0.5', 'EOF\n', '\xe9', '%20'];

let seed = 12345;
function random(n) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
}

function mutate(bytes) {
  let text = bytes.toString('latin1');
  for (let k = 1 + random(4); k > 0; k--) {
    const at = random(text.length);
    switch (random(3)) {
      case 0: text = text.slice(0, at) + text.slice(at + 1 + random(20)); break;
      case 1: text = text.slice(0, at) + PIECES[random(PIECES.length)] + text.slice(at); break;
      default: text = text.slice(0, at); break;
    }
  }
  return Buffer.from(text, 'latin1');
}

function parseString(bytes) {
  const parser = new LogParser('x');
  const out = [];
  parser.feed(bytes.toString('latin1'), out, true);
  parser.finish(out);
  return out;
}

test('damaged logs: read the same by both paths, or refused with a LogReadError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsmemtrace-fuzz-'));
  try {
    for (let i = 0; i < 300; i++) {
      const bytes = mutate(SOURCES[i % SOURCES.length]);
      const path = join(dir, `f${i}.log`);
      writeFileSync(path, bytes);
      let viaFile;
      let viaString;
      try {
        viaFile = await readLogRecords(path, { chunkSize: 256 });
      } catch (e) {
        assert.ok(e instanceof LogReadError, `${i}: ${e.stack}`);
        viaFile = e.code;
      }
      try {
        viaString = parseString(bytes);
      } catch (e) {
        assert.ok(e instanceof LogReadError, `${i}: ${e.stack}`);
        viaString = e.code;
      }
      assert.deepEqual(viaFile, viaString, `mutation ${i}: ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`);
      if (i % 10 === 0) {
        const r = await analyse([path, '--json', '--include-historical', '--include-untracked']);
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        assert.doesNotMatch(r.stderr, /internal error/);
        if (r.code === 0) JSON.parse(r.stdout);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
