// Names in log columns: every white space character, '%' included, encodes to text without white
// space and decodes back exactly (U+2028 and the other white space above U+00FF too), through the
// reader as well; what older logs and pymemtrace's raw names hold reads as it did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EOF, SOF, decodeName, encodeName, formatAddress, formatObjectEvent, formatObjectHeader,
} from '../../dist/log/format.js';
import { readLogRecords } from '../../dist/log/reader.js';

const temp = mkdtempSync(join(tmpdir(), 'jsmemtrace-names-test-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));

/** Every character that JavaScript's \s matches. */
const WHITE = [];
for (let c = 0; c <= 0xffff; c++) if (/\s/.test(String.fromCharCode(c))) WHITE.push(String.fromCharCode(c));

test('every white space character round trips, alone and next to others, %, ASCII and non-ASCII', () => {
  assert.ok(WHITE.includes('\u2028') && WHITE.includes('\u3000') && WHITE.includes('\ufeff') && WHITE.includes('\u00a0'));
  const names = [];
  for (const w of WHITE) names.push(w, `a${w}b`, `${w}${w}`, `%${w}%`, `${w}\u00a0`, `\u00a0${w}`, `é${w}€`, `${w}28`, `x${w}%E2`);
  names.push(WHITE.join(''), WHITE.join('%'), 'Ã\u00a0', '%C3%A9', '\u00e2\u0080\u00a8', '100%', '%%20');
  for (const name of names) {
    const encoded = encodeName(name);
    assert.doesNotMatch(encoded, /\s/, JSON.stringify(name));
    assert.equal(decodeName(encoded), name, `${JSON.stringify(name)} -> ${encoded}`);
  }
  assert.equal(encodeName('a\u2028b'), 'a%E2%80%A8b');
  assert.equal(encodeName('a b\u00a0c%'), 'a%20b%A0c%25', 'characters up to U+00FF: one escape each, as before');
});

test('escapes of older logs and raw pymemtrace names decode as before', () => {
  assert.equal(decodeName('My%20Class'), 'My Class');
  assert.equal(decodeName('fn%25'), 'fn%');
  assert.equal(decodeName('a%A0b'), 'a\u00a0b');
  assert.equal(decodeName('%0A%0D%09'), '\n\r\t');
  // Not UTF-8 (a lead byte without its continuation bytes): one character per escape.
  assert.equal(decodeName('%E2%28'), '\u00e2(');
  assert.equal(decodeName('%C3'), '\u00c3');
  assert.equal(decodeName('%F5%80%80%80'), '\u00f5\u0080\u0080\u0080');
  assert.equal(decodeName('100%'), '100%');
  assert.equal(decodeName('%zz'), '%zz');
  assert.equal(decodeName('<frozen importlib._bootstrap>'), '<frozen importlib._bootstrap>');
  assert.equal(decodeName('-'), '');
});

test('names with white space above U+00FF read back from a log exactly', async () => {
  const type = 'Line\u2028Sep';
  const file = '/src/ideographic\u3000space/a b.ts';
  const fn = 'f\ufeff\u00a0g';
  const path = join(temp, 'o.log');
  writeFileSync(path, [SOF, formatObjectHeader(), formatObjectEvent('NEW', {
    clock: 0.5, address: formatAddress(1), liveCount: 1, type, file, line: 3, fn, rss: 4096, dRss: 4096,
  }), EOF, ''].join('\n'));
  const records = await readLogRecords(path, { strict: true });
  const [row] = records.filter((r) => r.kind === 'object');
  assert.deepEqual([row.type, row.file, row.fn], [type, file, fn]);
});
