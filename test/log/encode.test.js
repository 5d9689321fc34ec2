import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatPTEvent, formatObjectEvent, formatClock, encodePTEvent, maxEventBytes,
} from '../../dist/log/format.js';

const pad = (s, w) => s.padEnd(w);
const lpad = (s, w) => s.padStart(w);

test('a Profile/Trace event line has the SPEC §4 layout', () => {
  const e = { event: 5, dEvent: 4, clock: 0.015777, what: 'RETURN', file: 'src/app.ts', line: 4, fn: 'newStr', rss: 42524672, dRss: 1052672 };
  const expected = 'NEXT: ' + pad('5', 12) + ' ' + pad('+4', 7) + ' ' + pad('0.015777', 12) + ' ' + pad('RETURN', 8) + ' ' +
    pad('src/app.ts', 24) + ' ' + lpad('4', 5) + ' ' + pad('newStr', 24) + ' ' + lpad('42524672', 12) + ' ' + lpad('1052672', 12);
  assert.equal(formatPTEvent('NEXT', e), expected);
});

test('negative dRSS, empty and encoded names, non-ASCII names', () => {
  const e = { event: 12, dEvent: 1, clock: 12.5, what: 'C_CALL', file: '/a dir/ü.js', line: 1234567, fn: '', rss: 0, dRss: -1052672 };
  const line = formatPTEvent('PREV', e);
  assert.match(line, /^PREV: 12 +\+1 +12\.500000 +C_CALL +\/a%20dir\/ü\.js +1234567 - +0 +-1052672$/);
});

test('an object line has the SPEC §4 layout', () => {
  const e = { clock: 0.834382, address: '0x000000000001', liveCount: 1, type: 'StringAndTime', file: 'src/ex.ts', line: 25, fn: 'example', rss: 17911808, dRss: 17911808 };
  const expected = 'NEW: ' + lpad('0.834382', 12) + ' ' + lpad('0x000000000001', 16) + ' ' + lpad('1', 7) + ' ' +
    pad('StringAndTime', 24) + ' ' + pad('src/ex.ts', 24) + ' ' + lpad('25', 5) + ' ' + pad('example', 24) + ' ' +
    lpad('17911808', 12) + ' ' + lpad('17911808', 12);
  assert.equal(formatObjectEvent('NEW', e), expected);
});

test('clock has six decimals and agrees with toFixed(6) away from ties', () => {
  // A fixed pseudo-random sequence, so that a run is repeatable. Values within a thousandth of a
  // microsecond of a tie are skipped: rounding the scaled value and toFixed's exact decimal
  // rounding may then differ by one microsecond, which no log reader can tell apart.
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let compared = 0;
  for (let i = 0; i < 10000; i++) {
    const s = next() * 10 ** (i % 7);
    if (Math.abs(((s * 1e6) % 1) - 0.5) < 1e-3) continue;
    assert.equal(formatClock(s), s.toFixed(6), String(s));
    compared++;
  }
  assert.ok(compared > 9900);
});

test('encoding stays within maxEventBytes for long non-ASCII names', () => {
  const name = 'é€😀 %'.repeat(50);
  const e = { event: 1, dEvent: 1, clock: 1, what: 'CALL', file: name, line: 1, fn: name, rss: 1, dRss: 1 };
  const buf = Buffer.alloc(maxEventBytes(name.length * 2));
  const end = encodePTEvent(buf, 0, 'NEXT', e);
  assert.ok(end <= buf.length);
  assert.equal(buf.toString('utf8', 0, end), formatPTEvent('NEXT', e));
});

test('integers of every width, below and above 2^31 up to 2^53, are written as String(n)', () => {
  const nums = [0, 7];
  for (let p = 10; p <= Number.MAX_SAFE_INTEGER; p *= 10) nums.push(p - 1, p, p + 3);
  nums.push(2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER);
  for (const n of nums) {
    const e = { event: n, dEvent: n, clock: 1, what: 'LINE', file: 'f', line: n, fn: 'g', rss: n, dRss: -n };
    const cols = formatPTEvent('NEXT', e).split(/ +/);
    assert.deepEqual([cols[1], cols[2], cols[6], cols[8], cols[9]], [String(n), '+' + n, String(n), String(n), n === 0 ? '0' : '-' + n], String(n));
  }
});
