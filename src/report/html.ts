/**
 * Writes the report as one HTML file: uPlot (script and style), the page's style and script, and
 * the data, all inline. Log data never becomes markup: it travels as JSON in a
 * `<script type="application/json">` block with `<`, `>`, `&`, U+2028 and U+2029 escaped, and
 * the page puts it on screen as text. A Content-Security-Policy lets only the page's own two
 * scripts (by hash) run and forbids every network request.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { reportApp } from './client.js';
import type { ReportData } from './model.js';

const require = createRequire(import.meta.url);

function uplotFile(name: string): string {
  return readFileSync(require.resolve(`uplot/dist/${name}`), 'utf8');
}

/** JSON that cannot end its script element or be read as markup, whatever strings it holds. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa; --accent: #0969da;
  --rss: #0969da; --rss-fill: rgba(9, 105, 218, 0.12); --marker: #bf3989; --grid: rgba(31, 35, 40, 0.10);
  --warn: #9a6700; --row: rgba(9, 105, 218, 0.06);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23; --accent: #4493f8;
    --rss: #4493f8; --rss-fill: rgba(68, 147, 248, 0.18); --marker: #f778ba; --grid: rgba(230, 237, 243, 0.10);
    --warn: #d29922; --row: rgba(68, 147, 248, 0.10);
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { padding: 18px 28px 6px; border-bottom: 1px solid var(--border); background: var(--panel); }
header h1 { margin: 0; font-size: 22px; }
header h1 span { color: var(--muted); font-weight: 400; }
main { padding: 8px 28px 40px; max-width: 1500px; }
h2 { font-size: 19px; margin: 28px 0 4px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
h3 { font-size: 15px; margin: 22px 0 4px; }
a { color: var(--accent); }
.generated, .note, .meta, .count { color: var(--muted); }
.note { margin: 0 0 8px; font-size: 13px; }
.meta { margin: 0; font-size: 13px; overflow-wrap: anywhere; }
.path { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.log { border-top: 2px solid var(--border); margin-top: 28px; }
.log-name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 15px; font-weight: 500; overflow-wrap: anywhere; }
.badge { display: inline-block; min-width: 26px; text-align: center; border-radius: 6px; padding: 0 7px; color: #fff; font-size: 14px; }
.badge-P { background: #0969da; } .badge-T { background: #8250df; } .badge-O { background: #1a7f37; }
.warning { color: var(--warn); }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0 6px; }
.stat { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 8px 14px; min-width: 130px; }
.stat-value { font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat-label { color: var(--muted); font-size: 12px; }
pre.intro { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 8px 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.chart-box { margin-top: 8px; }
.chart { position: relative; width: 100%; }
.uplot { font-family: inherit; color: var(--fg); }
.u-legend { font-size: 13px; text-align: left; }
.u-select { background: var(--row); }
.tooltip { display: none; position: absolute; top: 0; left: 0; z-index: 10; pointer-events: none; max-width: 460px;
  background: var(--bg); color: var(--fg); border: 1px solid var(--border); border-radius: 6px; padding: 6px 10px;
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18); font-size: 12.5px; white-space: pre-wrap; overflow-wrap: anywhere; }
.tip-head { font-weight: 600; }
.tip-fn, .tip-file { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.tip-muted { color: var(--muted); }
.tip-msg { color: var(--marker); margin-top: 2px; }
.table-tools { display: flex; gap: 12px; align-items: center; margin: 4px 0 6px; }
.filter { font: inherit; padding: 3px 8px; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); width: 260px; }
.count { font-size: 13px; }
.table-scroll { max-height: 420px; overflow: auto; border: 1px solid var(--border); border-radius: 6px; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
table.data th { position: sticky; top: 0; background: var(--panel); border-bottom: 1px solid var(--border); padding: 0; white-space: nowrap; }
table.summary-table th { padding: 5px 10px; }
table.data td { padding: 3px 10px; border-bottom: 1px solid var(--border); font-variant-numeric: tabular-nums; }
table.data td.text { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; white-space: pre-wrap; }
table.data tbody tr:hover { background: var(--row); }
.num { text-align: right; } .text { text-align: left; }
td.nested { padding-left: 26px; }
button.sort { font: inherit; font-weight: 600; color: inherit; background: none; border: 0; padding: 5px 10px; cursor: pointer; width: 100%; text-align: inherit; }
th[aria-sort="descending"] button.sort::after { content: " \\25BC"; font-size: 10px; }
th[aria-sort="ascending"] button.sort::after { content: " \\25B2"; font-size: 10px; }
ul.failed { color: var(--warn); }
`;

/** The whole page. */
export function renderHtml(data: ReportData): string {
  const app = `(${reportApp.toString()})();`;
  const uplot = uplotFile('uPlot.iife.min.js');
  const css = uplotFile('uPlot.min.css') + STYLE;
  // An inline script or style ends at the first `</script` or `</style`, whatever comes after.
  if (/<\/script/i.test(uplot + app) || /<\/style/i.test(css)) throw new Error('report: an inlined asset contains a closing tag');
  const csp = `default-src 'none'; script-src ${sha256(uplot)} ${sha256(app)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>jsmemtrace report</title>
<style>${css}</style>
</head>
<body>
<header><h1>jsmemtrace <span>memory report</span></h1></header>
<main id="report"></main>
<script type="application/json" id="report-data">${embedJson(data)}</script>
<script>${uplot}</script>
<script>${app}</script>
</body>
</html>
`;
}
