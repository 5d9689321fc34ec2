/** Site tables that modules instrumented by the Vitest plugin or the Jest transform register when they run. */
import type { SiteTable } from '../instrument/types.js';
import { registerModule } from '../runtime/registry.js';

let count = 0;

export function registerSites(table: SiteTable): void {
  registerModule(table);
  count++;
}

/** Modules registered this way: they carry every probe kind, whatever `jsmemtrace run` asked of the loader. */
export function runnerModuleCount(): number {
  return count;
}
