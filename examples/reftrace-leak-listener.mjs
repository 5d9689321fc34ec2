// A leak through an event listener: each connection registers a 'tick' listener on a shared
// emitter and never removes it. The listener's closure keeps its Connection (and that
// connection's Buffer holder) alive; requests that finish normally leave nothing behind.
//   jsmemtrace run --reftrace -- examples/reftrace-leak-listener.mjs
//   jsmemtrace analyse <the log it prints>
// Live: 20 Connection (line 30, in connect) and their 20 Payload (line 20, in the Connection
// constructor); no Request: those were freed. (The shared EventEmitter, line 10, is live too.)
import { EventEmitter } from 'node:events';

const clock = new EventEmitter();
clock.setMaxListeners(0);

class Payload {
  constructor(size) { this.bytes = Buffer.alloc(size); }
}

class Connection {
  constructor(id) {
    this.id = id;
    this.payload = new Payload(1024);
    this.ticks = 0;
  }
}

class Request {
  constructor(conn, path) { this.conn = conn.id; this.path = path; }
}

function connect(id) {
  const conn = new Connection(id);
  clock.on('tick', () => { conn.ticks++; }); // the leak: never removed with clock.off()
  for (let r = 0; r < 5; r++) new Request(conn, `/item/${r}`);
  return conn.id;
}

for (let id = 0; id < 20; id++) connect(id);
clock.emit('tick');
console.log(`listeners left: ${clock.listenerCount('tick')}`);
