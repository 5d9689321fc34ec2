// Reference tracing as a decorator, a wrapper, a `using` / `await using` block and run(): each
// writes its own log and closes it once the final garbage collection's DEL rows are in.
// Standard (TC39) decorators: Node cannot run them from source yet, so compile first, e.g.
//   npx tsc --target es2022 --module nodenext --rootDir examples examples/reftrace-decorators.ts
// then: node --import jsmemtrace/register examples/reftrace-decorators.js
import { ReferenceTracing, referenceTracing, referenceTraced } from 'jsmemtrace';

class Row {
  constructor(readonly cells: string[]) {}
}

class Table {
  private readonly rows: Row[] = [];

  @referenceTracing({ message: 'Table.load' })
  load(lines: string[]): number {
    for (const line of lines) this.rows.push(new Row(line.split(',')));
    return this.rows.length;
  }
}

const table = new Table();
console.log(`loaded ${table.load(['a,b', 'c,d', 'e,f'])}`);

{
  // Rows made and dropped inside the block: freed by the final collection at the block's end.
  using scoped = new ReferenceTracing({ message: 'using block' });
  for (let i = 0; i < 5; i++) new Row([String(i)]);
  console.log(`using log: ${scoped.logFilePath}`);
}

const parseLater = referenceTraced(async (text: string) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return new Row(text.split(',')).cells.length;
}, { message: 'referenceTraced async' });
console.log(`cells ${await parseLater('x,y,z')}`);

{
  await using awaited = new ReferenceTracing({ message: 'await using block' });
  new Row(['gone']);
  console.log(`await using log: ${awaited.logFilePath}`);
}

const kept = await ReferenceTracing.run({ message: 'run async' }, async () => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return new Row(['kept']);
});
console.log(`kept ${kept.cells[0]}`);
