// Decorators and wrappers: each call of a decorated method runs under its own tracer; a decorated
// method that calls another gets two logs (the inner one suspends the outer). Standard (TC39)
// decorators: Node cannot run them from source yet, so compile first, e.g. with
//   npx tsc --target es2022 --module nodenext --rootDir examples examples/decorators.ts
// then: node --import jsmemtrace/register examples/decorators.js
import { Profile, profile, trace, profiled, traced, profileLogPath, traceLogPath } from 'jsmemtrace';

class Cache {
  private readonly blocks: Buffer[] = [];

  @profile({ message: 'Profile Cache.fill' })
  fill(count: number): number {
    for (let i = 0; i < count; i++) this.add(1024 * 1024);
    console.log(`profile log: ${profileLogPath()}`);
    return this.blocks.length;
  }

  @trace({ dRssTrigger: 0, message: 'Trace Cache.add' })
  add(size: number): void {
    console.log(`trace log: ${traceLogPath()}`);
    this.blocks.push(Buffer.alloc(size, 1));
  }
}

const cache = new Cache();
console.log(`filled ${cache.fill(2)}`);

{
  // `using` (TypeScript 5.2+ compiles it for Node 20/22): the Profile stops at the block's end.
  using scoped = new Profile({ message: 'using block' });
  cache.add(1024);
  console.log(`using log: ${scoped.logPath}`);
}

function sum(this: { base: number }, a: number, b: number): number {
  return this.base + a + b;
}
const profiledSum = profiled(sum, 0);
console.log(`sum ${profiledSum.call({ base: 1 }, 2, 3)}`);

const slowDouble = traced(async (n: number) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return n * 2;
}, { dRssTrigger: 0, message: 'traced async' });
console.log(`double ${await slowDouble(21)}`);
