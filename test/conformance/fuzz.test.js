// Differential fuzz sweep: random programs from eslump (scripts, sloppy and strict, CommonJS and
// ES modules; random depth, comments, whitespace and line breaks), seeded so that a run is
// reproducible. Each program is instrumented with every probe kind (and again without line or
// function probes); the probed text must keep every line break and be the original plus the
// listed insertions, and must compile and behave as the original, run plain, with idle probes and
// with every probe active, each in a fresh vm context (vm-lib.js: the same runs and comparison as
// test262-parser.test.js).
// So that the bodies run rather than stop at the first ReferenceError, a prelude (fuzz-lib.js)
// defines every name the program mentions as a stand-in: a callable, constructible Proxy whose
// every operation is counted and hashed, with a budget; each loop body counts its iterations
// against a budget too (loops end at the same point in every run, not at a time limit); most
// programs also have each top-level statement in a try/catch that notes what it caught
// (constructor, message, the stack's line numbers). That report is compared too, so an extra or
// missing operation on a value, a different exception or a stack line shows.
// eslump writes only ES2016; fuzz-modern.js writes programs of the syntax that came after it
// (classes with private names, async functions and generators, optional chains, `??=`…), each
// declaration followed by code that runs it, and `$note` reports values too.
//   JSMT_FUZZ_GEN=G    eslump, modern, or both (the default: the eslump programs and 600 modern ones)
//   JSMT_FUZZ_COUNT=N  programs of the generator (default 4000; modern alone, 600)
//   JSMT_FUZZ_SEED=S   first seed (default 1; modern programs are `fuzz/m<seed>.*`)
//   JSMT_FUZZ_KEEP=DIR keep the programs and the differences there (for a hunt)
//   JSMT_FUZZ_SERIAL=1 run the ways one after another (one child process at a time)
//   JSMT_FUZZ_TRACE=1  report every operation and exception as text rather than a hash
//   JSMT_FUZZ_FILE=F   run program file(s) F (comma-separated; as KEEP writes them, `fuzz-m<n>.mjs`
//                      a modern one) in every way instead of generated ones: a hunt's minimising
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, basename } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'meriyah';
import { instrument, InstrumentError } from '../../dist/instrument/index.js';
import { lineBreaks, insertsMismatch, runAllWays, outcome, compareWays, assertProbesFired } from './vm-lib.js';
import { program, preludeOf, eachNode, compiledOf } from './fuzz-lib.js';
import { modernProgram } from './fuzz-modern.js';

// The suite's run: 4,000 eslump programs and 600 modern ones from seed 1, ~25 s and ~15 s more
// on Node 20 (2 cores; the modern programs are longer: 600 take 55% of the time of the 4,000).
const DEFAULT_COUNT = 4000;
const DEFAULT_MODERN = 600;
const GEN = process.env.JSMT_FUZZ_GEN ?? 'both';
assert.ok(['eslump', 'modern', 'both'].includes(GEN), `JSMT_FUZZ_GEN=${GEN}: eslump, modern or both`);
const COUNT = GEN === 'modern' ? 0 : Number(process.env.JSMT_FUZZ_COUNT ?? DEFAULT_COUNT);
const MODERN = GEN === 'eslump' ? 0 : GEN === 'modern' ? Number(process.env.JSMT_FUZZ_COUNT ?? DEFAULT_MODERN) : DEFAULT_MODERN;
const SEED = Number(process.env.JSMT_FUZZ_SEED ?? 1);
const KEEP = process.env.JSMT_FUZZ_KEEP;
const SERIAL = process.env.JSMT_FUZZ_SERIAL === '1';
const TRACE = process.env.JSMT_FUZZ_TRACE === '1';
const FILES = process.env.JSMT_FUZZ_FILE?.split(',') ?? [];

// Differences that README's "Limitations" documents, which random programs reach. Each either
// rewrites both outcomes (`normalise(outcome, program)`: what may differ made the same) or
// accepts a pair (`test`: only once the two differ in nothing else, so pair tests come last); a
// difference is allowed when they make the two the same, applied in this order (a message can
// show more than one). They are allowed wherever they show, and counted.
const LIMITATIONS = [
  {
    why: 'V8\'s messages that print a function literal as `(intermediate value)`s print another count for some (README, Limitations: "except for an empty generator or an empty body with default parameters or only directives")',
    normalise: (o) => o.replace(/(\(intermediate value\))+/g, '(intermediate value)'),
  },
  {
    why: 'the TypeError of a class heritage that is no constructor is placed elsewhere (README, Limitations: "the rare position V8 gives no token of the program (a class heritage\'s TypeError …)")',
    normalise: (o) => o.replace(/(TypeError: Class extends value [^]*? is not a constructor or null @)[\d,]*/g, '$1'),
  },
  {
    why: 'the frame that defines a class, while its static initializers run, is placed at the last position before the class, which can be a probe\'s (README, Limitations: "where V8 gives an operation no position of its own it takes the last one before it")',
    // (fuzz-lib.js marks that frame's line `s`.)
    normalise: (o) => o.replace(/([@,])s\d+/g, '$1s'),
  },
  {
    why: 'a stack overflow is reported where the stack ran out, which frames with probes (bigger) reach sooner (README, Limitations: "Instrumented frames take about twice the stack"; "a stack overflow under a tracer can be reported at a frame of jsmemtrace\'s runtime")',
    normalise: (o) => o.replace(/(RangeError: Maximum call stack size exceeded @)[\d,]*/g, '$1'),
  },
  {
    why: 'the ReferenceError of `this` before `super()` in a call\'s last argument on a later line is placed at the probe (README, Limitations: "V8 places an error of some operations at the last source position before them … in a call\'s or `new`\'s last argument … its line when the argument starts on a later line than the statement")',
    normalise: (o) => o.replace(/(ReferenceError: Must call super constructor in derived class before accessing 'this' or returning from derived constructor @)[\d,]*/g, '$1'),
  },
  {
    why: 'a spread of an optional chain after another spread that is not iterable quotes, at the first character of the program, what is there (README, Limitations: "whose message then quotes what is there")',
    normalise: (o, f) => {
      const first = f.source.match(/[A-Za-z_$][\w$]*/)?.[0] ?? 'undefined';
      // (Or where what is there is a call: `$note is not a function or its return value is not
      // iterable`, probed `(intermediate value) is not iterable`; or where V8 finds nothing there
      // to print, the value's type: `object is not iterable`, m58317 on Node 24.)
      const quoted = new RegExp(`(?:${first.replace(/\$/g, '\\$')}|undefined|object|symbol|number|string|boolean|bigint|function|\\(intermediate value\\)|__jsmt\\w*) is not (?:a function or its return value is not )?iterable(?: \\(cannot read property Symbol\\(Symbol\\.iterator\\)\\))?(?= @1\\b|$| \\|)`, 'gm');
      return o.replace(quoted, '… is not iterable');
    },
  },
  {
    why: 'on Node 24, the frame of a function whose `using` resources are disposed of with an error at a `return` over several lines, or at its end after a statement over several lines, is at that statement\'s end, plainly at its last operation (README, Limitations: "at a `return` whose value spans several lines")',
    // Those errors' line lists, each line in such a statement made its last line.
    normalise: (o, f) => o.replace(/((?:SuppressedError: An error was suppressed during disposal|Error: dispose u\d+) @)([\d,]+)/g,
      (_, head, lines) => head + lines.split(',').map(Number).map((l) => ranges(f).disposal.find(([first, last]) => l >= first && l <= last)?.[1] ?? l).join(',')),
  },
  {
    why: "V8's messages that print a function's source print its probed text (README, Limitations: \"V8 error messages that quote a function's own source text show the probed text\")",
    // The probed outcome is the plain one with insertions of probe text, none in the globals
    // (whose functions' text is Function#toString's: the original); or, where V8 cut the longer
    // probed text short (`...<omitted>...`), one region of a message differs, with probe text,
    // in each message that does (an uncaught error's shows twice: as thrown and in the report).
    test: (want, got, f) => section(want, 'globals') === section(got, 'globals')
      && (inserted(want, got)?.includes('__jsmt') || omitted(want, got, f) || omittedEach(want, got, f)),
  },
  {
    why: 'an error that V8 gives no position of its own in a call\'s or `new`\'s last argument that starts on a later line is placed at the probe there, plainly at the last position before it (README, Limitations: "in a call\'s or `new`\'s last argument … its line when the argument starts on a later line than the statement")',
    // Plainly earlier than traced, traced the first line of such an argument.
    test: (want, got, f) => firstLinesDiffer(want, got, (plain, probed) => plain < probed && ranges(f).lastArguments.has(probed)),
  },
  {
    why: 'the ReferenceError of a name in the discriminant of a `switch` whose cases declare `let`, `const`, a class or a function is placed at the name, plainly at the last position before the `switch` (README, Limitations: "in the discriminant of a `switch` whose cases declare")',
    // Plainly earlier than traced, traced the first line of such a discriminant.
    test: (want, got, f) => firstLinesDiffer(want, got, (plain, probed) => plain < probed && ranges(f).lexicalSwitches.has(probed)),
  },
  {
    why: 'the ReferenceError of a name in the heritage of a class that a `new` with a spread argument makes, in strict code with nothing but directives before it, is placed at the name, plainly at the statement or the `new` (README, Limitations: "in the heritage of a class that a `new` with a spread argument makes")',
    // Plainly earlier than traced, traced a line of such a heritage.
    test: (want, got, f) => firstLinesDiffer(want, got, (plain, probed) => plain < probed && ranges(f).spreadHeritages.some(([first, last]) => probed >= first && probed <= last)),
  },
  {
    why: 'an error that V8 gives no position of its own in the arguments of a `new` of a name, before any argument that records one, is placed at the name, plainly at the last position before it (README, Limitations: "one in the arguments of a `new` of a name")',
    // Plainly earlier than traced, traced the line of such a name.
    test: (want, got, f) => firstLinesDiffer(want, got, (plain, probed) => plain < probed && ranges(f).newNames.has(probed)),
  },
  {
    why: 'the frame of an async function that returns a thenable whose `then` accessor runs (and throws) is placed at the function\'s last statement, plainly at the `return` (README, Limitations: "an `async` function that returns a thenable")',
    // Plainly a line of a `return` of an async function, traced a line of its body.
    test: (want, got, f) => firstLinesDiffer(want, got, (plain, probed) => ranges(f).asyncReturns.some(({ body: [first, last], returns }) => returns.has(plain) && probed >= first && probed <= last)),
  },
];

/**
 * Whether each entry (`; `-separated) of `want` and `got` that differs is an error whose line list
 * differs in its first line alone, a difference that `explained(plain line, probed line)` accepts.
 */
function firstLinesDiffer(want, got, explained) {
  const [w, g] = [want.split('; '), got.split('; ')];
  return w.length === g.length && w.every((a, i) => {
    if (a === g[i]) return true;
    const [ma, mg] = [a.match(/^(.* @)(\d+)(.*)$/), g[i].match(/^(.* @)(\d+)(.*)$/)];
    return ma !== null && mg !== null && ma[1] === mg[1] && ma[3] === mg[3] && explained(Number(ma[2]), Number(mg[2]));
  });
}

/** The LIMITATIONS (indices) that make `want` and `got` (of program `f`) the same, or undefined. */
function limitationsOf(want, got, f) {
  const used = [];
  for (let k = 0; k < LIMITATIONS.length && want !== got; k++) {
    const l = LIMITATIONS[k];
    if (l.normalise !== undefined) {
      const [w, g] = [l.normalise(want, f), l.normalise(got, f)];
      if (w !== want || g !== got) used.push(k);
      [want, got] = [w, g];
    } else if (l.test(want, got, f)) {
      used.push(k);
      want = got;
    }
  }
  return want === got ? used : undefined;
}

// Differences that are bugs not fixed yet, by program (eslump's by number, modern ones by
// `m<number>`), each with the outcome the probed run
// must show (so that another difference in the same program is still reported) and why. Remove an
// entry when its bug is fixed (the default run fails on entries that no longer differ).
const KNOWN = [];
const ALLOWED = new Map(KNOWN.flatMap((k) => k.programs.map((p) => [String(p), k])));

/** The part of an outcome line that `name` heads (`globals`, `calls`, `report`), or ''. */
function section(line, name) {
  const at = line.indexOf(` | ${name} `);
  if (at < 0) return '';
  const end = line.indexOf(' | ', at + name.length + 4);
  return line.slice(at, end < 0 ? line.length : end);
}

/**
 * Where an outcome's sections (` | globals `…) and report entries (`; caught `…) begin: each
 * starts with what it is, so that a message's own ` | ` or `; ` is no boundary.
 */
const BOUNDARY = / \| (?=(?:globals|calls|report|rejected) )|; (?=#-?\d|note |caught |threw )/;

/**
 * Whether `got` differs from `want` in one region, within a message (no report entry, exception
 * line or section boundary in `want`'s part), where `got` holds probe text that V8 cut short: a
 * function's source longer than 128 characters prints as its first 111, the cut, and its last 2.
 * `f`: the program (its probed texts).
 */
function omitted(want, got, f) {
  let a = 0;
  while (a < want.length && want[a] === got[a]) a++;
  let b = 0;
  while (b < want.length - a && b < got.length - a && want[want.length - 1 - b] === got[got.length - 1 - b]) b++;
  const mine = want.slice(a, want.length - b);
  const theirs = got.slice(a, got.length - b);
  // (A section or entry boundary, or an exception's lines; not a ` | ` of the quoted source.)
  if (BOUNDARY.test(mine) || /@\d/.test(mine)) return false;
  // The cut may be where both continue alike (then the same text follows it in both).
  const cut = '...<omitted>...';
  if (got.slice(a, got.length - b + cut.length).includes(cut) && theirs.includes('__jsmt')) return true;
  // Both cut after the same first 111 characters: only the last 2 differ (a probed body's end).
  const tail = got.lastIndexOf(cut, a) + cut.length;
  if (tail >= cut.length && tail <= a && got.length - b <= tail + 2 && want.length - b <= tail + 2) return true;
  // Cut where the first 111 differ, the probe text in them cut short (`;{let __`), in both or in
  // `got` only (the original 128 characters or fewer): those of `got` are text of a probed file
  // of the program's.
  const at = got.indexOf(cut, a);
  const first = got.slice(at - 111, at);
  return at >= a && at - 111 <= a && first.length === 111 && probedTexts(f).some((t) => t.includes(first));
}

const probedCache = new Map();
/** The texts of program `f`'s probed files (both ways). */
function probedTexts(f) {
  let texts = probedCache.get(f.name);
  if (texts === undefined) probedCache.set(f.name, texts = [readFileSync(f.out, 'utf8'), readFileSync(f.outNoLines, 'utf8')]);
  return texts;
}

/**
 * `omitted` for each section and report entry of `want` and `got` that differs (the same number
 * of each, the rest the same).
 */
function omittedEach(want, got, f) {
  const [w, g] = [want.split(BOUNDARY), got.split(BOUNDARY)];
  return w.length === g.length && w.every((x, k) => x === g[k] || omitted(x, g[k], f));
}

/** The characters `got` has beyond `want` when `want` is `got` with some removed, else undefined. */
function inserted(want, got) {
  let extra = '';
  let i = 0;
  for (let j = 0; j < got.length; j++) {
    if (i < want.length && want[i] === got[j]) i++;
    else extra += got[j];
  }
  return i === want.length ? extra : undefined;
}

const rangesOf = new WeakMap();

/**
 * Lines of program `f` (parsed once): `disposal`, the [first, last] lines of each `return` over
 * several lines and of each function body's last statement over several lines (where a
 * function's `using` resources are disposed of); `lastArguments`, the first line of each call's
 * or `new`'s last argument that starts on a later line than the call.
 */
function ranges(f) {
  if (rangesOf.has(f)) return rangesOf.get(f);
  // asyncReturns: per async function with a body, its body's lines and the lines of its returns.
  // lexicalSwitches: the first lines of the discriminants of switches whose cases declare.
  // spreadHeritages: the lines of the heritage of each class that a `new` with a spread argument makes.
  // newNames: the lines of the names that `new`s call.
  const found = { disposal: [], lastArguments: new Set(), asyncReturns: [], lexicalSwitches: new Set(), spreadHeritages: [], newNames: new Set() };
  const declares = (s) => s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration' || (s.type === 'VariableDeclaration' && s.kind !== 'var');
  const span = (node) => [node.loc.start.line, node.loc.end.line];
  const multiLine = (node) => node.loc.end.line > node.loc.start.line;
  let tree;
  try {
    tree = parse(f.source, { module: f.sourceType === 'module', globalReturn: f.sourceType === 'commonjs', next: true, loc: true });
  } catch {
    tree = undefined;
  }
  if (tree !== undefined) {
    eachNode(tree, (node, owner) => {
      if (node.type === 'ReturnStatement' && owner !== undefined) for (let l = node.loc.start.line; l <= node.loc.end.line; l++) owner.returns.add(l);
      if (node.type === 'ReturnStatement' && multiLine(node)) found.disposal.push(span(node));
      const last = /Function/.test(node.type) && node.body.type === 'BlockStatement' ? node.body.body.at(-1) : undefined;
      if (last !== undefined && multiLine(last)) found.disposal.push(span(last));
      const arg = node.type === 'CallExpression' || node.type === 'NewExpression' ? node.arguments.at(-1) : undefined;
      if (arg !== undefined && arg.type !== 'SpreadElement' && arg.loc.start.line > node.loc.start.line) found.lastArguments.add(arg.loc.start.line);
      if (node.type === 'NewExpression' && node.callee.type === 'Identifier') found.newNames.add(node.callee.loc.start.line);
      if (node.type === 'NewExpression' && node.callee.type === 'ClassExpression' && node.callee.superClass && node.arguments.some((a) => a.type === 'SpreadElement')) found.spreadHeritages.push(span(node.callee.superClass));
      if (node.type === 'SwitchStatement' && node.cases.some((c) => c.consequent.some(declares))) found.lexicalSwitches.add(node.discriminant.loc.start.line);
      // The function whose returns those inside are (none: not an async function with a body).
      if (!/Function/.test(node.type)) return owner;
      if (!node.async || node.generator || node.body.type !== 'BlockStatement') return undefined;
      found.asyncReturns.push({ body: span(node.body), returns: new Set() });
      return found.asyncReturns.at(-1);
    });
  }
  rangesOf.set(f, found);
  return found;
}

/** Program file `path` (its name says its kind: `.mjs` a module, `.cjs` CommonJS, else a script). */
function programFile(path, modern) {
  const source = readFileSync(path, 'utf8');
  const name = `fuzz/${basename(path).replace(/^fuzz-/, '')}`;
  const module = name.endsWith('.mjs');
  const commonjs = name.endsWith('.cjs');
  return { name, source, module, commonjs, sourceType: module ? 'module' : commonjs ? 'commonjs' : 'script', prelude: preludeOf(source, name, TRACE, modern) };
}

const tmp = mkdtempSync(join(tmpdir(), 'jsmt-fuzz-'));
if (KEEP !== undefined) mkdirSync(KEEP, { recursive: true });
for (const sub of ['plain', 'probed', 'no-lines']) mkdirSync(join(tmp, sub, 'fuzz'), { recursive: true });
const started = performance.now();
const files = [];
const skipped = [];
const crashed = [];
const lineDiffs = [];
const insertDiffs = [];
const manifest = [];
const seeds = FILES.length > 0 ? FILES.map((file) => [file, /(^|-)m\d+\.[cm]?js$/.test(basename(file))])
  : [...Array(COUNT).keys()].map((k) => [SEED + k, false]).concat([...Array(MODERN).keys()].map((k) => [SEED + k, true]));
for (const [n, modern] of seeds) {
  const p = typeof n === 'string' ? programFile(n, modern) : modern ? modernProgram(n, TRACE) : program(n, TRACE);
  const path = join(tmp, 'plain', p.name);
  writeFileSync(path, p.source);
  if (KEEP !== undefined) writeFileSync(join(KEEP, p.name.replace('/', '-')), p.source);
  const out = {};
  for (const [sub, probes] of [['probed', undefined], ['no-lines', { lines: false, functions: false }]]) {
    const file = join(tmp, sub, p.name);
    let r;
    try {
      r = instrument(p.source, { filename: path, moduleKey: file, sourceType: p.sourceType, probes });
    } catch (e) {
      if (e instanceof InstrumentError) skipped.push({ name: p.name, path, sourceType: p.sourceType });
      else crashed.push(`${p.name} (${sub}): ${e && e.stack}`);
      break;
    }
    if (lineBreaks(r.code) !== lineBreaks(p.source)) lineDiffs.push(`${p.name} (${sub}): ${lineBreaks(p.source)} → ${lineBreaks(r.code)}`);
    const bad = insertsMismatch(p.source, r.code, r.inserts);
    if (bad !== undefined) insertDiffs.push(`${p.name} (${sub}): ${bad}`);
    writeFileSync(file, r.code);
    manifest.push({ sites: r.sites, inserts: r.inserts, out: file });
    out[sub] = file;
  }
  if (out['no-lines'] !== undefined) files.push({ ...p, n: typeof n === 'string' ? p.name.slice(5).replace(/\..*/, '') : modern ? `m${n}` : String(n), path, out: out.probed, outNoLines: out['no-lines'] });
}
const instrumentMs = performance.now() - started;
// Loops end by their budget, so few programs run to a limit: a first limit far from what a busy
// machine makes of a short run.
const runs = runAllWays(files, { tmp, manifest, serial: SERIAL, shortMs: 100 });

test('no random program crashes the instrumenter', () => {
  assert.deepEqual(crashed, [], 'the instrumenter threw something other than InstrumentError');
});

test('a random program that the instrumenter refuses does not compile plainly either', () => {
  // (Otherwise the loader would run such a file uninstrumented, after a warning.)
  assert.deepEqual(compiledOf(skipped), []);
});

test('instrumenting random programs keeps every line break', () => {
  assert.deepEqual(lineDiffs, []);
});

test('the probed text is the original plus the listed insertions', () => {
  assert.deepEqual(insertDiffs, []);
});

test('probed random programs compile and behave as the original (idle and active probes; active without line or function probes)', async () => {
  const all = await runs;
  const [plain, idle, active, noLines] = all;
  const allowedSeen = new Set();
  const limitationsSeen = LIMITATIONS.map(() => 0);
  const given = (modern) => seeds.filter(([, m]) => m === modern).length;
  const tallies = { eslump: { programs: given(false), skipped: 0 }, modern: { programs: given(true), skipped: 0 } };
  for (const t of Object.values(tallies)) Object.assign(t, { compiled: 0, completed: 0, threw: 0, timedOut: 0, notes: 0, caught: 0 });
  for (const { name } of skipped) tallies[/^fuzz\/m/.test(name) ? 'modern' : 'eslump'].skipped++;
  const differences = compareWays(all, files, {
    tally(f, want) {
      const tally = tallies[f.n.startsWith('m') ? 'modern' : 'eslump'];
      if (!want.startsWith('does not compile')) tally.compiled++;
      if (want.startsWith('completed')) tally.completed++;
      if (want.startsWith('threw')) tally.threw++;
      if (want.startsWith('threw timeout')) tally.timedOut++;
      // What ran: values noted and exceptions caught (a program that only declares has none).
      tally.notes += want.match(/; note /g)?.length ?? 0;
      tally.caught += want.match(/; caught /g)?.length ?? 0;
    },
    accepted(f, want, got) {
      const known = ALLOWED.get(f.n);
      if (known !== undefined && known.probed.test(got)) { allowedSeen.add(f.n); return true; }
      const limitations = limitationsOf(want, got, f);
      if (limitations === undefined) return false;
      for (const k of limitations) limitationsSeen[k]++;
      return true;
    },
  });
  console.log(`fuzz, ${FILES.length > 0 ? FILES.join(', ') : `seeds ${SEED}–${SEED + Math.max(COUNT, MODERN) - 1}`}: ${JSON.stringify(tallies)}; ${all.rerun} run again with the long limit; `
    + `${differences.length} differences, ${allowedSeen.size} known; instrumenting ${Math.round(instrumentMs)} ms, `
    + `runs ${plain.ms}/${idle.ms}/${active.ms}/${noLines.ms} ms (plain/idle/active/active without line or function probes)`);
  for (const n of allowedSeen) console.log(`known difference: program ${n}: ${ALLOWED.get(n).why}`);
  LIMITATIONS.forEach((l, k) => { if (limitationsSeen[k] > 0) console.log(`documented limitation, ${limitationsSeen[k]} runs: ${l.why}`); });
  if (KEEP !== undefined) {
    writeFileSync(join(KEEP, 'differences.txt'), differences.join('\n'));
    writeFileSync(join(KEEP, 'outcomes.txt'), files.map((f) => `${f.name}: ${outcome(plain.results[f.name])}`).join('\n'));
  }
  assert.deepEqual(differences, [], `${differences.length} behavioural differences`);
  // Other ranges (a hunt) need not reach them.
  if (COUNT === DEFAULT_COUNT && MODERN === DEFAULT_MODERN && SEED === 1 && FILES.length === 0) assert.deepEqual([...ALLOWED.keys()].filter((k) => !allowedSeen.has(k)), [], 'allow-list entries that no longer differ');
  // (A few given files need not reach every kind.)
  if (FILES.length === 0) assertProbesFired(all, ['f', 'r', 'l', 'b', 'o', 'w']);
  rmSync(tmp, { recursive: true, force: true });
});
