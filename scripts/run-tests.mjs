// Runs every test/**/*.test.{js,mjs,cjs} with Node's own test runner. The file list is built here
// because `node --test DIR` and glob arguments behave differently on Node 20, 22 and 24.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) collect(path, out);
    else if (/\.test\.(c|m)?js$/.test(name)) out.push(path);
  }
  return out;
}

let files = collect(join(root, 'test'), []);
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
