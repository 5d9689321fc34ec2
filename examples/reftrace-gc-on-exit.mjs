// pymemtrace's "Reference Tracing and Garbage Collection": objects that are garbage but not yet
// collected look alive. The same work is traced twice: with `gcOnExit: false` the log shows all 12
// LASSection objects as live (a leak, it seems); with a full collection at stop (the default,
// `gcOnExit: 'full'`) every one of them has its DEL row. Run, then analyse both logs:
//   node --import jsmemtrace/register examples/reftrace-gc-on-exit.mjs
//   jsmemtrace analyse <each log printed>
import { ReferenceTracing } from 'jsmemtrace';

class LASSection {
  constructor(name, lines) {
    this.name = name;
    this.lines = lines;
  }
}

function procSectionGeneric(name, lines) {
  return new LASSection(name, lines);
}

function lasToHtml(text) {
  const sections = text.split('~').filter((s) => s.length > 0).map((s) => procSectionGeneric(s[0], s.split('\n')));
  return sections.map((s) => `<h2>${s.name}</h2>`).join('');
}

const las = Array.from({ length: 12 }, (_, i) => `~${'VWCPOA'[i % 6]} section ${i}\nline a\nline b\n`).join('');
for (const gcOnExit of [false, 'full']) {
  const tracer = new ReferenceTracing({ message: `LASToHTML Reference Tracing include_builtins=false, gcOnExit=${gcOnExit}`, gcOnExit });
  lasToHtml(las);
  tracer.stop();
  console.log(`gcOnExit ${gcOnExit}: NEW ${tracer.countNew()} DEL ${tracer.countDel()} ${tracer.logFilePath}`);
}
