// A leak through a module-level array: each request builds a Session and a few Tokens; the
// Sessions are meant to be dropped when the request ends, but `history` keeps every one of them.
// The Tokens are garbage after each request. Find the leak:
//   jsmemtrace run --reftrace -- examples/reftrace-leak-array.mjs
//   jsmemtrace analyse <the log it prints>
// The analysis lists the 50 Sessions as live, allocated at line 25 (handleRequest), and no Token:
// the final garbage collection (gcOnExit, on by default) freed them all.

class Token {
  constructor(user, n) {
    this.value = `${user}:${n}:${Math.random().toString(36).slice(2)}`;
  }
}

class Session {
  constructor(user) {
    this.user = user;
    this.started = Date.now();
  }
}

const history = [];

function handleRequest(user) {
  const session = new Session(user);
  const tokens = [];
  for (let n = 0; n < 3; n++) tokens.push(new Token(user, n));
  history.push(session); // the leak: nothing ever removes it
  return tokens.length;
}

let served = 0;
for (let i = 0; i < 50; i++) served += handleRequest(`user${i % 7}`);
console.log(`served ${served} tokens`);
