// A small HTTP server as real ones are built: a cluster of two worker processes share the port,
// and a worker thread in the primary keeps the statistics. The second worker runs with the
// response cache on (CACHE=1), and that cache has a bug: it keeps every request's record in a
// module-level array and never lets one go. Which process leaks, and where?
//
//   jsmemtrace run --reftrace --out-dir logs -- examples/cluster-server/server.mjs
//   curl http://127.0.0.1:<the port it prints>/hello        (a few times)
//   jsmemtrace analyse logs
//
// The analysis ends with the process tree (primary, its two workers and its thread) and the live
// objects of each process by type: only the caching worker holds RequestRecords, allocated in
// `handle` at the `new RequestRecord` line. The server stops after MAX_REQUESTS requests
// (default 100) or on SIGINT/SIGTERM, and listens on 127.0.0.1:PORT (default: any free port).
import cluster from 'node:cluster';
import http from 'node:http';
import { Worker } from 'node:worker_threads';

const MAX_REQUESTS = Number(process.env.MAX_REQUESTS ?? 100);

class RequestRecord {
  constructor(req, n) {
    this.n = n;
    this.method = req.method;
    this.url = req.url;
    this.headers = { ...req.headers };
    this.at = Date.now();
  }
}

/** The cache: meant to keep recent responses, it keeps every request (only when CACHE=1). */
const cache = [];
let served = 0;

function render(record) {
  return `request ${record.n} for ${record.url} served by worker ${process.pid}\n`;
}

function handle(req, res) {
  const record = new RequestRecord(req, ++served);
  if (process.env.CACHE === '1') cache.push(record);
  res.setHeader('content-type', 'text/plain');
  res.end(render(record));
  process.send({ served: req.url });
}

function serve() {
  const server = http.createServer(handle);
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  console.log(`worker ${process.pid} cache ${process.env.CACHE === '1' ? 'on' : 'off'}`);
  // The primary disconnects the workers when it stops: the server closes and the process ends.
  process.on('disconnect', () => console.log(`worker ${process.pid} served ${served}`));
}

function primary() {
  const stats = new Worker(new URL('./stats.mjs', import.meta.url));
  let requests = 0;
  let listening = 0;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    cluster.disconnect(() => stats.postMessage({ stop: true }));
  };
  stats.on('message', (totals) => console.log(`primary ${process.pid} stopped after ${requests} requests: ${JSON.stringify(totals)}`));
  for (const cache of ['0', '1']) {
    cluster.fork({ CACHE: cache }).on('message', (m) => {
      if (m.served === undefined) return;
      stats.postMessage(m);
      if (++requests >= MAX_REQUESTS) stop();
    });
  }
  cluster.on('listening', (worker, address) => {
    if (++listening === 2) console.log(`listening on http://127.0.0.1:${address.port}`);
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (cluster.isPrimary) primary();
else serve();
