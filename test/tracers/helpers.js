// Shared by the tracer tests: a sandbox directory that can run programs under the jsmemtrace
// loader (its default scope is the working directory, and `jsmemtrace` resolves through a
// node_modules link to this package), and log reading through the project's log reader.
import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { readLogRecords } from '../../dist/log/reader.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MiB = 1024 * 1024;

/** `sandbox()`, removed when test `t` ends. */
export function sandboxFor(t) {
  const box = sandbox();
  t.after(() => box.remove());
  return box;
}

export function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-test-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'jsmemtrace'), 'dir');
  return {
    dir,
    write(name, text) { writeFileSync(join(dir, name), text); return join(dir, name); },
    copyExample(name) { copyFileSync(join(ROOT, 'examples', name), join(dir, name)); return join(dir, name); },
    /** Runs `node --import jsmemtrace/register FILE` (or other node args) in the sandbox. */
    node(args, env = {}) {
      const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
      return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    },
    run(file, env) { return this.node(['--import', 'jsmemtrace/register', file], env); },
    spawn(args) { return spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }); },
    logs() { return readdirSync(dir).filter((n) => n.endsWith('.log')).sort(); },
    path(name) { return join(dir, name); },
    remove() { rmSync(dir, { recursive: true, force: true }); },
  };
}

/**
 * Reads a Profile/Trace log (strictly: a malformed line fails the test) and checks the invariants
 * every such log must keep: intro, SOF, HDR, FRST first, LAST then EOF last; Event numbers grow;
 * each NEXT's dEvent and dRSS are relative to the previous logged event (FRST or NEXT); a PREV is
 * the event just before the NEXT that follows it.
 */
export async function readPTLog(path) {
  const records = await readLogRecords(path, { strict: true });
  const kinds = records.map((r) => r.kind);
  assert.ok(!kinds.includes('problem'), `problems in ${path}`);
  const intro = records.filter((r) => r.kind === 'intro').map((r) => r.text);
  const body = records.filter((r) => r.kind !== 'intro');
  assert.equal(body[0].kind, 'sof', 'SOF');
  assert.equal(body[1].kind, 'header', 'HDR');
  assert.equal(body[body.length - 1].kind, 'eof', 'EOF last');
  const events = body.filter((r) => r.kind === 'event');
  const messages = body.filter((r) => r.kind === 'message');
  assert.equal(events[0].tag, 'FRST');
  assert.equal(events[events.length - 1].tag, 'LAST');
  assert.equal(body[body.length - 2].kind === 'event' && body[body.length - 2].tag, 'LAST', 'LAST before EOF');
  let logged = events[0];
  assert.equal(logged.event, 0);
  assert.equal(logged.dRss, logged.rss);
  for (let k = 1; k < events.length; k++) {
    const e = events[k];
    assert.ok(e.complete, `complete line ${e.logLine}`);
    if (e.tag === 'PREV') {
      const next = events[k + 1];
      assert.equal(next.tag, 'NEXT', `PREV followed by NEXT at line ${e.logLine}`);
      assert.equal(e.event, next.event - 1, `PREV is the event before its NEXT (line ${e.logLine})`);
      assert.ok(next.event - logged.event > 1, `PREV only after skipped events (line ${e.logLine})`);
      assert.equal(e.dEvent, e.event - logged.event);
      assert.equal(e.dRss, e.rss - logged.rss);
      continue;
    }
    assert.ok(e.event > logged.event || e.tag === 'LAST', `events grow (line ${e.logLine})`);
    assert.equal(e.dEvent, e.event - logged.event, `dEvent (line ${e.logLine})`);
    assert.equal(e.dRss, e.rss - logged.rss, `dRSS (line ${e.logLine})`);
    logged = e;
  }
  const named = basename(path).match(/^\d{8}_\d{6}_(\d+)_(\d+)_([PTO])_(\d+)_NODE([\d.]+)(?:_w(\d+))?\.log$/);
  return {
    path, intro, events, messages,
    logged: events.filter((e) => e.tag === 'NEXT'),
    name: named && { ordinal: Number(named[1]), pid: Number(named[2]), kind: named[3], depth: Number(named[4]), node: named[5] },
  };
}
