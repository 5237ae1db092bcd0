/**
 * Asks `netrecon rules NAME…` (the CLI users run, bin/netrecon.mjs) for the class of each device name, so the
 * lab's class check is of what the tool prints, not of a function the lab calls.
 */
import { fileURLToPath } from 'node:url';
import { run } from './shell';

const CLI = fileURLToPath(new URL('../bin/netrecon.mjs', import.meta.url));

/** Parses `netrecon rules NAME…`: one line per name, `NAME  CLASS  counted…  rule`. */
export function parseRulesOutput(stdout: string, names: readonly string[]): Map<string, string> {
  const classes = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, interfaceClass] = line.trim().split(/\s+/);
    if (name && interfaceClass && names.includes(name)) classes.set(name, interfaceClass);
  }
  const missing = names.filter((n) => !classes.has(n));
  if (missing.length > 0) throw new Error(`netrecon rules printed no class for ${missing.join(', ')}:\n${stdout}`);
  return classes;
}

export async function rulesClasses(names: readonly string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const unique = [...new Set(names)].sort();
  const { stdout } = await run([process.execPath, CLI, 'rules', ...unique], { signal, timeoutMs: 60_000, hint: 'netrecon rules failed.' });
  return parseRulesOutput(stdout, unique);
}
