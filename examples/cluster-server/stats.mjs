// The statistics thread of server.mjs: counts requests by URL and keeps the last few (a bounded
// buffer: no leak here); on `stop` it posts the totals and ends.
import { parentPort } from 'node:worker_threads';

class Hit {
  constructor(url) {
    this.url = url;
    this.at = Date.now();
  }
}

const byUrl = new Map();
const recent = [];

function count(url) {
  byUrl.set(url, (byUrl.get(url) ?? 0) + 1);
  recent.push(new Hit(url));
  if (recent.length > 5) recent.shift();
}

parentPort.on('message', (m) => {
  if (m.stop) {
    parentPort.postMessage(Object.fromEntries(byUrl));
    parentPort.close();
    return;
  }
  count(m.served);
});
