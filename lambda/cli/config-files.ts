/** The small JSON files a user may hand the CLI: interface rule overrides and thresholds. */
import { readFile } from 'node:fs/promises';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../core/config';
import type { InterfaceRule, InterfaceRuleOverrides } from '../core/interface-rules';
import { UsageError } from './usage';

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`${path}: the ${what} file is not valid JSON (${(cause as Error).message})`);
  }
}

/** `{ "prepend": [{ "pattern": "^gke", "interfaceClass": "physical", "note": "..." }], "vpcCniVethPrefix": "eni" }` */
export async function readRuleOverrides(path: string): Promise<InterfaceRuleOverrides> {
  const value = await readJson(path, 'rules');
  const hint = 'Write {"prepend": [{"pattern": "^myif", "interfaceClass": "physical", "note": "why"}], "vpcCniVethPrefix": "eni"}.';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${path}: $: the rules file must be a JSON object; got ${JSON.stringify(value)}`, hint);
  }
  const { prepend, vpcCniVethPrefix, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new UsageError(`${path}: $.${unknown[0]}: unknown setting`, hint);
  if (prepend !== undefined && !Array.isArray(prepend)) {
    throw new UsageError(`${path}: $.prepend: must be a list of rules; got ${JSON.stringify(prepend)}`, hint);
  }
  (prepend ?? []).forEach((rule: unknown, i: number) => {
    const r = rule as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.pattern !== 'string' || typeof r.interfaceClass !== 'string') {
      throw new UsageError(`${path}: $.prepend[${i}]: a rule needs a "pattern" and an "interfaceClass"; got ${JSON.stringify(rule)}`, hint);
    }
  });
  if (vpcCniVethPrefix !== undefined && typeof vpcCniVethPrefix !== 'string') {
    throw new UsageError(`${path}: $.vpcCniVethPrefix: must be a string; got ${JSON.stringify(vpcCniVethPrefix)}`, hint);
  }
  const rules = ((prepend ?? []) as Record<string, string>[]).map((r) => ({
    pattern: r.pattern!,
    // Checked against the known classes by buildRules, which names the rule and the bad class.
    interfaceClass: r.interfaceClass as InterfaceRule['interfaceClass'],
    note: r.note ?? `from ${path}`,
  }));
  return { prepend: rules, ...(vpcCniVethPrefix === undefined ? {} : { vpcCniVethPrefix: vpcCniVethPrefix as string }) };
}

/** A JSON object with any of the Thresholds fields. */
export async function readThresholds(path: string): Promise<Partial<Thresholds>> {
  const value = await readJson(path, 'thresholds');
  const known = Object.keys(DEFAULT_THRESHOLDS);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${path}: $: the thresholds file must be a JSON object; got ${JSON.stringify(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (!known.includes(key)) throw new UsageError(`${path}: $.${key}: unknown threshold`, `Known thresholds: ${known.join(', ')}.`);
    if (typeof v !== 'number') throw new UsageError(`${path}: $.${key}: must be a number; got ${JSON.stringify(v)}`);
  }
  return value as Partial<Thresholds>;
}
