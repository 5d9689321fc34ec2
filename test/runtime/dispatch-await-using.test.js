// `await using` (Node 24): a scope's exit awaits the disposal of its resources where no probe of
// the program's text can go. The disposal probe that follows each such declaration
// (instrument/rewrite.ts `disposalProbe`, runtime/dispatch.ts `dOn`) marks the function about to
// await: its suspension is written once it has stopped running, its resumption at its next probe,
// and what runs meanwhile is not nested in it. Real programs, instrumented by the real loader,
// logged with Profile(0) and Trace(0), read back. Skipped where V8 lacks the syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sandbox, readPTLog, ROOT } from '../tracers/helpers.js';

let supported = true;
try { new Function('return async () => { await using x = null; }'); } catch { supported = false; }
const skip = supported ? false : 'V8 has no `await using` here';

const DISPATCH = "import { frameDepth } from './node_modules/jsmemtrace/dist/runtime/dispatch.js';\n";

/** Runs `code` (an ES module) in a sandbox; the Profile and Trace logs' events as `WHAT line fn`. */
async function events(code) {
  const box = sandbox();
  try {
    box.write('prog.mjs', code);
    const r = box.run('prog.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const logs = await Promise.all(box.logs().map((n) => readPTLog(box.path(n))));
    assert.equal(logs.length, 2);
    const analysed = box.node([join(ROOT, 'dist/cli/main.js'), 'analyse', '--strict', box.dir]);
    assert.equal(analysed.status, 0, analysed.stderr);
    const seqs = logs.map((l) => l.events.filter((e) => e.tag === 'FRST' || e.tag === 'NEXT').map((e) => `${e.what} ${e.line} ${e.fn}`));
    return { stdout: r.stdout, seqs, trace: seqs.find((s) => s.some((x) => x.startsWith('LINE'))), profile: seqs.find((s) => !s.some((x) => x.startsWith('LINE'))) };
  } finally {
    box.remove();
  }
}

/**
 * Every RETURN ends the CALL on top of the stack that the log's events make (C events alike), and
 * every CALL has ended by the end. Top-level code has no CALL of its own: a `<module>` RETURN
 * (its suspension at an `await`) and CALL (its resumption) come with nothing else on the stack.
 * Returns the depth at each event.
 */
function paired(seq) {
  const stack = [];
  const depths = [];
  seq.forEach((s, k) => {
    const [what, , ...rest] = s.split(' ');
    const fn = rest.join(' ');
    const where = `event ${k} (${s}) in\n${seq.slice(Math.max(0, k - 12), k + 3).join('\n')}`;
    depths.push(stack.length);
    if (what === 'LINE' || what === 'EXCEPT') return;
    if (fn === '<module>') {
      assert.deepEqual(stack, [], where);
      return;
    }
    if (what === 'CALL' || what === 'C_CALL') stack.push(`${what === 'CALL' ? 'CALL' : 'C_CALL'} ${fn}`);
    else assert.equal(stack.pop(), `${what === 'RETURN' ? 'CALL' : 'C_CALL'} ${fn}`, where);
  });
  assert.deepEqual(stack, [], 'every CALL has returned');
  return depths;
}

test('a block\'s `await using` suspends its function: what its caller runs next is not nested in it, and it resumes as a call', { skip }, async () => {
  const { stdout, seqs } = await events(`${DISPATCH}import { Profile, Trace } from 'jsmemtrace';
function g() { return 1; }
async function f(n) {
  {
    await using b = { async [Symbol.asyncDispose]() { await null; g(); } };
    g();
  }
  g();
  return n;
}
async function h(n) { await null; g(); return n; }
const p = new Profile(0);
const t = new Trace(0);
await Promise.all([f(1), h(2), f(3)]);
g();
console.log(frameDepth());
t.stop();
p.stop();
`);
  assert.equal(stdout, '0\n');
  for (const seq of seqs) {
    const depths = paired(seq);
    const own = seq.filter((s) => / (f|h|\[Symbol\.asyncDispose\])$/.test(s) && !s.startsWith('LINE'));
    // f's dispose method runs inside it, until its own await; then f suspends (at its `await
    // using`), and h, called next, is entered from the top level.
    assert.deepEqual(own.slice(0, 9), [
      'CALL 4 f', 'CALL 6 [Symbol.asyncDispose]', 'RETURN 6 [Symbol.asyncDispose]', 'RETURN 6 f',
      'CALL 12 h', 'RETURN 12 h',
      'CALL 4 f', 'CALL 6 [Symbol.asyncDispose]', 'RETURN 6 [Symbol.asyncDispose]',
    ], own.join('\n'));
    assert.equal(own[9], 'RETURN 6 f');
    assert.equal(depths[seq.indexOf('CALL 12 h')], 0);
    // Each f resumes once its disposal is done, at its next statement, and returns.
    assert.equal(own.filter((s) => s === 'CALL 9 f').length, 2);
    assert.equal(own.filter((s) => s === 'RETURN 10 f').length, 2);
  }
});

test('every position of `await using` keeps calls and returns paired, also when tasks interleave', { skip }, async () => {
  // Blocks, function bodies, several declarators, nullish values, errors in bodies and dispose
  // methods, break/continue/return out of blocks and loops, `for (await using … of …)` (and
  // `for await`), async generators left early, arrows, methods, a body that is not wrapped (its
  // exit comes before its disposal), and all of it at once in concurrent tasks.
  const { stdout, seqs } = await events(`${DISPATCH}import { Profile, Trace } from 'jsmemtrace';
const out = [];
const log = (s) => out.push(s);
function ares(name) { return { name, async [Symbol.asyncDispose]() { log(\`adispose \${name}\`); await null; } }; }
function sres(name) { return { name, [Symbol.dispose]() { log(\`dispose \${name}\`); } }; }
function athrows(name) { return { async [Symbol.asyncDispose]() { await null; throw new Error(\`async \${name}\`); } }; }
function syncThrows(name) { return { [Symbol.asyncDispose]() { throw new Error(\`sync \${name}\`); } }; }
class R { constructor(n) { this.n = n; } async [Symbol.asyncDispose]() { log(\`R \${this.n}\`); } }
async function several() {
  await using a = ares('s1'), b = null, c = ares('s3');
  using s = sres('sync');
  await using d = ares('s4');
  log('several body');
}
async function nullThenAsync(v) {
  await using a = ares('na');
  await using b = v;
  log('nullThenAsync');
}
async function onlyNull() {
  { await using a = null; log('onlyNull'); }
  log('onlyNull after');
}
async function news() {
  await using a = new R('n1');
  log('news between');
  await using b = new R('n2');
  log('news end');
}
async function errors() {
  try { await using a = ares('e1'); throw new Error('body'); } catch (e) { log(\`caught \${e.message}\`); }
  try { await using a = athrows('e2'), b = ares('e3'); throw new Error('body2'); } catch (e) { log(\`caught \${e.constructor.name}\`); }
  try { await using a = syncThrows('e4'); log('e4 body'); } catch (e) { log(\`caught \${e.message}\`); }
  try { await using a = ares('e7'); await using b = {}; } catch (e) { log(\`caught \${e.constructor.name}\`); }
}
async function exits(n) {
  outer: for (let i = 0; i < 3; i++) {
    await using a = ares(\`x\${n}.\${i}\`);
    if (i === 0) continue;
    for (;;) {
      await using b = ares(\`y\${n}.\${i}\`);
      if (n === 1) break outer;
      if (n === 2) return \`returned \${i}\`;
      break;
    }
  }
  return 'done';
}
async function forOf() {
  for (await using x of [ares('f1'), null, ares('f3')]) log(\`forOf \${x?.name}\`);
  for (await using x of [ares('g1'), ares('g2'), ares('g3')]) {
    if (x.name === 'g1') continue;
    await using y = ares(\`in \${x.name}\`);
    if (x.name === 'g2') break;
  }
  for (await using x of [ares('i1')]) log('i1 body');
  try {
    for (await using x of [ares('j1'), ares('j2')]) throw new Error('in loop');
  } catch (e) { log(\`caught \${e.message}\`); }
}
async function* gen() {
  try {
    await using a = ares('gen');
    yield 1;
    yield 2;
  } finally {
    log('gen finally');
  }
}
async function* source() { yield ares('k1'); yield ares('k2'); }
async function forAwait() {
  for await (await using x of source()) log(\`forAwait \${x.name}\`);
  for await (await using x of [ares('m1'), Promise.resolve(ares('m2'))]) { if (x.name === 'm2') break; }
  for await (const v of gen()) { log(\`gen \${v}\`); break; }
  const it = gen();
  await it.next();
  await it.return(9);
}
const arrow = async () => { await using a = ares('arrow'); return 'arrow'; };
class C { async method() { await using a = ares('method'); return 'method'; } }
async function evals(code) {
  await using a = ares('evals');
  return eval(code);
}
async function tick(n) { for (let k = 0; k < n; k++) await null; }
async function main() {
  await several();
  await nullThenAsync(null);
  await nullThenAsync(ares('nn'));
  await onlyNull();
  await news();
  await errors();
  for (const n of [0, 1, 2]) await exits(n);
  await forOf();
  await forAwait();
  await arrow();
  await new C().method();
  await evals('1');
  await Promise.all([tick(30), several(), exits(1), forOf(), forAwait(), news(), tick(20)]);
}
const p = new Profile(0);
const t = new Trace(0);
await main();
{
  await using top = ares('top');
}
console.log(frameDepth(), out.length);
t.stop();
p.stop();
`);
  assert.equal(stdout, '0 97\n');
  for (const seq of seqs) paired(seq);
});

test('a disposal that awaits nothing (its dispose method threw first) writes no suspension', { skip }, async () => {
  const { seqs } = await events(`import { Profile, Trace } from 'jsmemtrace';
function g() { return 1; }
async function f() {
  try {
    await using a = { [Symbol.asyncDispose]() { throw new Error('sync'); } };
    g();
  } catch {
    g();
  }
  return 2;
}
const p = new Profile(0);
const t = new Trace(0);
await f();
t.stop();
p.stop();
`);
  for (const seq of seqs) {
    paired(seq);
    const own = seq.filter((s) => / (f|\[Symbol\.asyncDispose\])$/.test(s) && !/^(LINE|EXCEPT)/.test(s));
    assert.deepEqual(own, ['CALL 3 f', 'CALL 5 [Symbol.asyncDispose]', 'RETURN 5 [Symbol.asyncDispose]', 'RETURN 10 f'], own.join('\n'));
  }
});
