/**
 * The processes and worker threads behind logs analysed together: each log of `jsmemtrace run`
 * names its writer (pid, parent pid, thread, argv), from which the program's process tree is
 * rebuilt; a log without that message is its own process, known by its file name if at all.
 */
import { basename } from 'node:path';
import { parseLogFileName } from '../log/read-name.js';
import type { LogSummary, ProcessSummary } from './json.js';

interface Node {
  key: string;
  parentKey: string | null;
  summary: ProcessSummary;
  children: Node[];
}

function keyOf(pid: number, threadId: number): string {
  return `${pid}:${threadId}`;
}

/** One entry per process and thread, in tree order: parents before children, first seen first. */
export function processSummaries(rows: readonly LogSummary[]): ProcessSummary[] {
  const nodes = new Map<string, Node>();
  const order: Node[] = [];
  for (const row of rows) {
    const p = row.process;
    const named = p === undefined ? parseLogFileName(basename(row.path)) : null;
    const pid = p?.pid ?? named?.pid ?? null;
    const threadId = p?.threadId ?? (named !== null ? named.threadId ?? 0 : null);
    const key = pid !== null && threadId !== null ? keyOf(pid, threadId) : `log:${row.path}`;
    let node = nodes.get(key);
    if (node === undefined) {
      node = {
        key,
        parentKey: null,
        summary: {
          pid, ppid: null, from: null, threadId, argv: null, depth: 0, logs: [], peakRss: null, liveObjects: null, liveByType: null, complete: true,
        },
        children: [],
      };
      nodes.set(key, node);
      order.push(node);
    }
    const s = node.summary;
    if (p !== undefined && s.argv === null) {
      s.ppid = p.ppid;
      s.from = p.from;
      s.argv = p.argv;
      // A worker thread belongs to its process's main thread (nested workers included: the
      // log does not say which thread started a worker); a process to the one it came from.
      node.parentKey = keyOf(p.threadId !== 0 ? p.pid : p.from, 0);
    }
    s.logs.push(row.path);
    if (row.peakRss !== null && (s.peakRss === null || row.peakRss > s.peakRss)) s.peakRss = row.peakRss;
    if (row.liveObjects !== null) s.liveObjects = (s.liveObjects ?? 0) + row.liveObjects;
    if (row.liveByType !== undefined) {
      const byType = (s.liveByType ??= {});
      for (const [type, n] of Object.entries(row.liveByType)) byType[type] = (byType[type] ?? 0) + n;
    }
    if (!row.complete) s.complete = false;
  }
  const roots: Node[] = [];
  for (const node of order) {
    const parent = node.parentKey !== null ? nodes.get(node.parentKey) : undefined;
    if (parent !== undefined && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const out: ProcessSummary[] = [];
  const visit = (node: Node, depth: number): void => {
    // A pid reused within the logs could make a cycle: each node is listed once.
    if (out.includes(node.summary)) return;
    node.summary.depth = depth;
    node.summary.liveByType = sortCounts(node.summary.liveByType);
    out.push(node.summary);
    for (const child of node.children) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  for (const node of order) if (!out.includes(node.summary)) visit(node, 0);
  return out;
}

/** Counts by name, largest first (then by name). */
export function sortCounts<T extends Record<string, number> | null>(counts: T): T {
  if (counts === null) return counts;
  const out: Record<string, number> = {};
  for (const [type, n] of Object.entries(counts).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) out[type] = n;
  return out as T;
}
