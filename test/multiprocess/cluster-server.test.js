// The example of examples/cluster-server: an HTTP server with a cluster of two workers and a
// worker thread, one worker leaking request records into a module-level array. Run under
// `jsmemtrace run --reftrace`, driven with a bounded number of requests on 127.0.0.1, it stops
// itself; the analysis of the log directory must name the leaking process and the line that
// allocated what it kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { sandbox, ROOT } from '../tracers/helpers.js';

const REQUESTS = 20;

function request(url) {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in 5 s`)));
    req.on('error', reject);
  });
}

test('cluster server: the analysis names the leaking worker and the line of the leak', async (t) => {
  const box = sandbox();
  t.after(() => box.remove());
  mkdirSync(box.path('cluster-server'));
  for (const f of ['server.mjs', 'stats.mjs']) copyFileSync(join(ROOT, 'examples', 'cluster-server', f), box.path(join('cluster-server', f)));
  const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
  // MAX_REQUESTS travels in the environment of `run`, to the primary and its workers: the server
  // stops itself after that many requests. Its own process group, so that a test that fails
  // cannot leave a server behind: SIGTERM (the server's other way to stop), then SIGKILL to all.
  const run = spawn(process.execPath, [cli, 'run', '--reftrace', '--out-dir', 'logs', '--', 'cluster-server/server.mjs'], {
    cwd: box.dir, env: { ...process.env, MAX_REQUESTS: String(REQUESTS) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const stopper = setTimeout(() => run.kill('SIGTERM'), 20_000);
  const killer = setTimeout(() => process.kill(-run.pid, 'SIGKILL'), 25_000);
  t.after(() => {
    clearTimeout(stopper);
    clearTimeout(killer);
    try { process.kill(-run.pid, 'SIGKILL'); } catch { /* the group has ended */ }
  });
  let stdout = '';
  let stderr = '';
  run.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  run.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = once(run, 'exit');
  const port = await new Promise((resolve, reject) => {
    const look = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (m !== null) resolve(Number(m[1]));
    };
    run.stdout.on('data', look);
    run.on('exit', () => reject(new Error(`server ended before listening:\n${stdout}\n${stderr}`)));
  });
  const bodies = [];
  for (let i = 0; i < REQUESTS; i++) bodies.push(await request(`http://127.0.0.1:${port}/item/${i}`));
  const [code] = await exited;
  assert.equal(code, 0, stderr);
  assert.equal(bodies.length, REQUESTS);

  const workers = {};
  for (const m of stdout.matchAll(/^worker (\d+) cache (on|off)$/gm)) workers[m[2]] = Number(m[1]);
  const served = {};
  for (const m of stdout.matchAll(/^worker (\d+) served (\d+)$/gm)) served[m[1]] = Number(m[2]);
  assert.ok(workers.on > 0 && workers.off > 0, stdout);
  assert.equal(served[workers.on] + served[workers.off], REQUESTS, stdout);
  assert.ok(served[workers.on] > 0, 'the caching worker served requests');
  const primary = Number(/^primary (\d+) stopped after 20 requests/m.exec(stdout)?.[1]);
  assert.ok(primary > 0, stdout);

  const a = box.node([cli, 'analyse', '--json', 'logs']);
  assert.equal(a.status, 0, a.stderr);
  const doc = JSON.parse(a.stdout);
  // The primary, its two workers and its statistics thread: one complete log each.
  assert.equal(doc.summary.length, 4);
  assert.ok(doc.summary.every((s) => s.complete && s.process !== undefined));
  const byWriter = new Map(doc.summary.map((s) => [`${s.process.pid}:${s.process.threadId}`, s]));
  assert.equal(byWriter.get(`${primary}:0`).process.from, run.pid);
  assert.equal(byWriter.get(`${workers.on}:0`).process.from, primary);
  assert.equal(byWriter.get(`${workers.off}:0`).process.from, primary);
  const thread = doc.summary.find((s) => s.process.pid === primary && s.process.threadId !== 0);
  assert.match(thread.process.argv[1], /stats\.mjs$/);
  // Only the caching worker holds RequestRecords: one per request it served.
  assert.equal(byWriter.get(`${workers.on}:0`).liveByType.RequestRecord, served[workers.on]);
  assert.equal(byWriter.get(`${workers.off}:0`).liveByType.RequestRecord, undefined);
  assert.equal(thread.liveByType.RequestRecord, undefined);
  // ... allocated at the `new RequestRecord` line, in handle().
  const source = readFileSync(box.path('cluster-server/server.mjs'), 'utf8').split('\n');
  const line = source.findIndex((l) => l.includes('new RequestRecord(')) + 1;
  const leak = doc.logs.find((l) => l.process?.pid === workers.on);
  assert.deepEqual(leak.liveBySite[0], {
    ...leak.liveBySite[0], type: 'RequestRecord', function: 'handle', line, live: served[workers.on],
  });
  assert.match(leak.liveBySite[0].file, /server\.mjs$/);

  // The text a user reads: the tree, and the leak by process and type.
  const text = box.node([cli, 'analyse', 'logs']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^ {6}${workers.on} +0 +${primary} .* server\\.mjs$`, 'm'));
  assert.match(text.stdout, new RegExp(`^ {4}${workers.on} +0 +${served[workers.on]} {2}RequestRecord$`, 'm'));
  assert.match(text.stdout, new RegExp(`RequestRecord +handle +server\\.mjs#${line}$`, 'm'));

  // The report carries the same tree for its Processes table.
  const report = box.node([cli, 'report', 'logs', '-o', 'report.html']);
  assert.equal(report.status, 0, report.stderr);
  const html = readFileSync(box.path('report.html'), 'utf8');
  const data = JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)[1]);
  const node = (p) => `${p.pid}:${p.threadId} depth ${p.depth}`;
  assert.equal(node(data.processes[0]), `${primary}:0 depth 0`);
  assert.deepEqual(data.processes.slice(1).map(node).sort(),
    [`${primary}:${thread.process.threadId} depth 1`, `${workers.on}:0 depth 1`, `${workers.off}:0 depth 1`].sort());
  assert.deepEqual(data.processes.find((p) => p.pid === workers.on).liveByType.RequestRecord, served[workers.on]);
});
