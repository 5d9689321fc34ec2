// The program `npm run demo` traces: a tiny request handler that renders pages into buffers and
// remembers every session it has seen. Sessions are never evicted — the leak the analysis finds.
class Session {
  constructor(id) {
    this.id = id;
    this.createdAt = new Date();
    this.history = [];
  }
}

class Page {
  constructor(title, size) {
    this.title = title;
    this.body = Buffer.alloc(size, 32); // filled, so its memory is really touched
  }
}

const sessions = new Map(); // grows forever: nothing ever deletes from it

function sessionFor(id) {
  let session = sessions.get(id);
  if (!session) {
    session = new Session(id);
    sessions.set(id, session);
  }
  return session;
}

function render(title) {
  const page = new Page(title, 256 * 1024);
  return page.body.length; // the page itself is garbage as soon as this returns
}

function handle(request) {
  const session = sessionFor(request.user);
  session.history.push(request.path);
  return render(`${request.user} ${request.path}`);
}

let bytes = 0;
for (let i = 0; i < 200; i++) {
  bytes += handle({ user: `user${i % 50}`, path: `/page/${i}` });
}
console.log(`served 200 requests, ${bytes} bytes, ${sessions.size} sessions kept`);
