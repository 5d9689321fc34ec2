// A reference tracer that waits for the final collection's finalizers at a normal end (where
// they cannot be drained at once: Node 24, or JSMEMTRACE_NO_CLEANUP_SOME=1) keeps the event loop
// alive one more turn, after which Node emits 'beforeExit' again. A program that listens to
// 'beforeExit' must still see it exactly as often as when run plainly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox, readOLog } from './helpers.js';

const PROGRAM = `class Item { constructor(i) { this.i = i; } }
const kept = [];
for (let i = 0; i < 5; i++) kept.push(new Item(i));
let k = 0;
process.on('beforeExit', (code) => {
  console.log('beforeExit', code, k);
  // The first time, the program itself schedules more work: one more 'beforeExit' plainly too.
  if (k++ === 0) setTimeout(() => console.log('more work'), 5);
});
setTimeout(() => console.log('timer'), 5);
`;

const ONCE = `class Item { constructor(i) { this.i = i; } }
for (let i = 0; i < 5; i++) new Item(i);
process.on('beforeExit', (code) => console.log('beforeExit', code));
`;

test('--reftrace: a program\'s beforeExit listener runs as often as plainly, with or without a synchronous drain', async () => {
  const box = sandbox();
  try {
    box.write('be.mjs', PROGRAM);
    box.write('once.mjs', ONCE);
    const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
    for (const name of ['be.mjs', 'once.mjs']) {
      const plain = box.node([name]);
      assert.equal(plain.status, 0, plain.stderr);
      for (const env of [{}, { JSMEMTRACE_NO_CLEANUP_SOME: '1' }]) {
        for (const mode of ['--reftrace', '--reftrace-simple']) {
          const r = box.node([cli, 'run', mode, '--', name], env);
          assert.equal(r.status, 0, r.stderr);
          assert.equal(r.stdout, plain.stdout, `${name} ${mode} ${JSON.stringify(env)}`);
          if (mode === '--reftrace') {
            const log = await readOLog(r.stderr.match(/^jsmemtrace: reftrace log: (.*)$/m)[1]);
            assert.equal(log.news.length, 5);
          }
        }
      }
    }
  } finally {
    box.remove();
  }
});
