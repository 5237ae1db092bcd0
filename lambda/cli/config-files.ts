/** The small JSON files a user may hand the CLI: interface rule overrides and thresholds. */
import { readFile } from 'node:fs/promises';
import { ConfigError, parseThresholds, type Thresholds } from '../core/config';
import { InterfaceRuleError, parseRuleOverrides, type InterfaceRuleOverrides } from '../core/interface-rules';
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

/** Runs the core's check of a file's content and names the file in its error. */
async function readChecked<T>(path: string, what: string, check: (value: unknown) => T): Promise<T> {
  const value = await readJson(path, what);
  try {
    return check(value);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof InterfaceRuleError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/** `{ "prepend": [{ "pattern": "^gke", "interfaceClass": "physical", "note": "..." }], "vpcCniVethPrefix": "eni" }` */
export function readRuleOverrides(path: string): Promise<InterfaceRuleOverrides> {
  return readChecked(path, 'rules', parseRuleOverrides);
}

/** A JSON object with any of the Thresholds fields. */
export function readThresholds(path: string): Promise<Partial<Thresholds>> {
  return readChecked(path, 'thresholds', parseThresholds);
}
