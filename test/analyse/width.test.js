// Display width of the names in analyse's text tables: the columns a terminal gives them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayWidth, pad, padLeft } from '../../dist/analyse/width.js';

test('wide and fullwidth characters take two columns, marks and zero-width characters none', () => {
  const cases = [
    ['plain', 5], ['', 0], ['数据', 4], ['データ', 6], ['한국어', 6], ['ＡＢ', 4], ['ｱｲ', 2], // halfwidth katakana: one each
    ['e\u0301', 1], ['Cafe\u0301', 4], ['a\u200Bb', 2], ['\uFEFFx', 1], ['é', 1], ['Ω', 1], ['〈x〉', 5], ['\u2329', 2],
    ['🚀', 2], ['x🚀y', 4], ['❤', 1], ['❤\uFE0F', 2], ['👍🏽', 2], ['👩\u200D💻', 2], ['👨\u200D👩\u200D👧', 2], ['🇫🇷', 2], ['🇫🇷🇩🇪', 4],
    ['𠀋', 2], ['\t', 0],
  ];
  for (const [s, width] of cases) assert.equal(displayWidth(s), width, JSON.stringify(s));
});

test('pad and padLeft fill to a width in columns', () => {
  assert.equal(pad('数据', 6), '数据  ');
  assert.equal(padLeft('数据', 6), '  数据');
  assert.equal(pad('Cafe\u0301', 6), 'Cafe\u0301  ');
  assert.equal(pad('toolongname', 4), 'toolongname');
});
