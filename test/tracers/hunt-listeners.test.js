// The tracers' process listeners ('exit', 'beforeExit', signals) stay out of sight of a program
// that watches its own: closing the logs at the end must not emit 'removeListener' to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from './helpers.js';

const PROGRAM = `process.on('removeListener', (event) => console.log('removed', event));
process.on('newListener', (event) => console.log('new', event));
class Item { constructor(i) { this.i = i; } }
const kept = [new Item(1), new Item(2)];
setTimeout(() => console.log('timer', kept.length), 1);
process.on('exit', (code) => console.log('exit', code));
`;

test('a program listening to removeListener sees none of the tracers\' listeners go at the end', () => {
  const box = sandbox();
  try {
    box.write('watch.mjs', PROGRAM);
    const plain = box.node(['watch.mjs']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /^new exit\n(removed exit\n)?timer 2\nexit 0\n$/);
    const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
    for (const [mode, env] of [
      ['--profile', {}], ['--trace', {}], ['--reftrace', {}], ['--reftrace', { JSMEMTRACE_NO_CLEANUP_SOME: '1' }],
    ]) {
      const r = box.node([cli, 'run', mode, '--', 'watch.mjs'], env);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, plain.stdout, `${mode} ${JSON.stringify(env)}`);
    }
  } finally {
    box.remove();
  }
});
