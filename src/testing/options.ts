/** Validation of the assertions' options: a bad one is a TypeError that names it. */

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : String(v);
}

export function checkOptions(caller: string, opts: unknown, known: readonly string[]): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError(`${caller}: options must be an object, got ${describe(opts)}`);
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new TypeError(`${caller}: unknown option ${JSON.stringify(key)} (known: ${known.join(', ')})`);
  }
  return opts as Record<string, unknown>;
}

export function integerOption(caller: string, name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new TypeError(`${caller}: option ${name} must be an integer >= ${min}, got ${describe(v)}`);
  }
  return v;
}

export function checkFunction(caller: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${caller}: the first argument must be the function to run, got ${describe(fn)}`);
}
