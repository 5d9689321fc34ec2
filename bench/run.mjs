// Runs every bench/*.bench.mjs in its own process, one after the other, so that each prints
// ratios measured side by side in one run without the others disturbing it.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
let failed = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.bench.mjs')).sort()) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  console.log(`\n### ${name}`);
  const r = spawnSync(process.execPath, ['--expose-gc', `${dir}/${name}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
