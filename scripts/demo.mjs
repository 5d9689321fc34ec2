// `npm run demo`: traces the bundled example (examples/demo.mjs, a request handler whose session
// cache never evicts) under Profile and under ReferenceTracing with the real CLI, prints what the
// analyser finds, and writes an HTML report of both logs.
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const out = mkdtempSync(join(tmpdir(), 'jsmemtrace-demo-'));
const logs = join(out, 'logs');
mkdirSync(logs);

function jsmemtrace(title, args) {
  console.log(`\n$ jsmemtrace ${args.map((a) => (a.startsWith(out) ? relative(out, a) || '.' : a)).join(' ')}`);
  if (title) console.log(`# ${title}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`demo: jsmemtrace ${args[0]} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

jsmemtrace('RSS at every call and return that moved it by a page or more',
  ['run', '--profile', '--out-dir', logs, '--', 'examples/demo.mjs']);
jsmemtrace('every object of the program\'s classes, from allocation to garbage collection',
  ['run', '--reftrace', '--out-dir', logs, '--', 'examples/demo.mjs']);
const [profileLog, objectLog] = ['_P_', '_O_'].map((k) => join(logs, readdirSync(logs).find((n) => n.includes(k))));
jsmemtrace('which functions and lines grew memory', ['analyse', '--top', '8', profileLog]);
jsmemtrace('which objects were never freed, and where they were allocated', ['analyse', objectLog]);
const report = join(out, 'report.html');
jsmemtrace('', ['report', logs, '-o', report]);
console.log(`\nOpen ${report} in a browser to see RSS over time and the live objects per type.`);
