// `jsmemtrace analyse` throughput on a generated multi-million-line reference-tracing log
// (SPEC §7: ≥ 1,000,000 lines/s, memory bounded by the live objects). The log is written with
// the writer's own line formatters into the OS temp dir and deleted afterwards.
//   node bench/analyse.bench.mjs [lines]      (default 3,000,000)
import { mkdtempSync, rmSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  SOF, EOF, formatAddress, formatObjectEvent, formatObjectHeader, formatObjectMessage,
} from '../dist/log/format.js';

const LINES = Number(process.argv[2] ?? 3_000_000);
const LIVE = 10_000; // objects alive at any time: the analyser's memory should follow this, not LINES

const dir = mkdtempSync(join(tmpdir(), 'jsmemtrace-bench-'));
const path = join(dir, '20260101_000000_0_4242_O_0_NODE20.20.2.log');
try {
  const sites = [];
  for (let i = 0; i < 50; i++) {
    sites.push({ type: ['StringAndTime', 'Map', 'Object', 'Array', 'Promise'][i % 5], file: `src/module${i % 7}.ts`, line: 10 + i, fn: `make${i % 11}` });
  }
  const fd = openSync(path, 'w');
  let buf = 'bench: generated reference tracing log\n' + SOF + '\n' + formatObjectHeader() + '\n';
  let written = 3;
  let id = 0;
  let clock = 0.01;
  let rss = 50_000_000;
  const liveIds = [];
  const liveSites = [];
  const live = new Map();
  while (written < LINES - 1) {
    clock += 0.000001;
    if (written % 100_000 === 0) {
      buf += formatObjectMessage('MSG', clock, `progress ${written}`) + '\n';
    } else if (liveIds.length < LIVE || (written & 1) === 0) {
      const s = sites[written % sites.length];
      id++;
      const count = (live.get(s.type) ?? 0) + 1;
      live.set(s.type, count);
      liveIds.push(id);
      liveSites.push(s);
      rss += 4096;
      buf += formatObjectEvent('NEW', { clock, address: formatAddress(id), liveCount: count, type: s.type, file: s.file, line: s.line, fn: s.fn, rss, dRss: 4096 }) + '\n';
    } else {
      const k = (written * 7919) % liveIds.length;
      const gone = liveIds[k];
      const s = liveSites[k];
      liveIds[k] = liveIds[liveIds.length - 1];
      liveSites[k] = liveSites[liveSites.length - 1];
      liveIds.pop();
      liveSites.pop();
      const count = live.get(s.type) - 1;
      live.set(s.type, count);
      rss -= 4096;
      buf += formatObjectEvent('DEL', { clock, address: formatAddress(gone), liveCount: count, type: s.type, file: s.file, line: s.line, fn: s.fn, rss, dRss: -4096 }) + '\n';
    }
    written++;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  buf += EOF + '\n';
  writeSync(fd, buf);
  closeSync(fd);
  const size = statSync(path).size;
  console.log(`generated ${LINES.toLocaleString('en-US')} lines, ${(size / 1048576).toFixed(0)} MiB, ${liveIds.length.toLocaleString('en-US')} objects live at the end`);

  // End to end, as a user runs it: a fresh process, text output discarded.
  const runner = fileURLToPath(new URL('./analyse-runner.mjs', import.meta.url));
  for (const mode of [[], ['--json']]) {
    let best = Infinity;
    let bestCpu = Infinity;
    let maxRss = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [runner, path, ...mode], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.status !== 0) throw new Error(`analyse failed (${r.status}): ${r.stderr}`);
      best = Math.min(best, seconds);
      bestCpu = Math.min(bestCpu, Number(/cpu=(\d+)/.exec(r.stderr)?.[1]) / 1e6);
      maxRss = Math.max(maxRss, Number(/maxRss=(\d+)/.exec(r.stderr)?.[1] ?? 0));
    }
    const rate = (s) => Math.round(LINES / s).toLocaleString('en-US');
    console.log(`analyse ${mode.join(' ') || '(text)'}: ${best.toFixed(2)} s wall = ${rate(best)} lines/s,` +
      ` ${bestCpu.toFixed(2)} s CPU = ${rate(bestCpu)} lines/s (target >= 1,000,000);` +
      ` peak RSS ${(maxRss / 1024).toFixed(0)} MiB for a ${(size / 1048576).toFixed(0)} MiB log`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
