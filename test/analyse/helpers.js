// Shared by the analyse tests: run `jsmemtrace analyse` in-process with captured output, and
// write logs into a temporary directory.
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../dist/cli/analyse.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/logs/pymemtrace/', import.meta.url));

function sink() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Runs `analyse` with `args`; returns its exit code and what it wrote. */
export async function analyse(args) {
  const out = sink();
  const err = sink();
  const code = await main(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A temporary directory, removed by the returned function. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'jsmemtrace-analyse-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeLog(dir, name, lines) {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
