/** The shape of one row of the settings tables (lambda/settings.ts, lib/deploy-settings.ts) and the checks they share. */
import { ConfigError } from './core/config';

export interface SettingSpec<Resolved = Readonly<Record<string, unknown>>> {
  /** The one name: CDK prop (under `sources.` for the source names) and CDK context key. */
  readonly key: string;
  /** The function's environment variable; none for settings only the construct reads. */
  readonly env?: string;
  /** Earlier names of the variable, still read (with a deprecation warning) so a hand-set environment keeps working. */
  readonly envAliases?: readonly string[];
  /** The CLI flag, without the dashes. */
  readonly flag?: string;
  /** Earlier names of the construct prop, still accepted with a deprecation warning. */
  readonly propAliases?: readonly string[];
  readonly default: unknown;
  /** How the documentation shows the default, when the value itself would not read well. */
  readonly defaultDoc?: string;
  /** One line for docs/deploy.md. */
  readonly doc: string;
  /** The sub-object of the construct's props that holds it (`sources`), if any. */
  readonly group?: 'sources';
  /** Text (an environment variable, a `-c key=value` flag) to the value the check expects; a value it cannot convert is returned as is, for the check to refuse. */
  readonly fromText: (raw: string) => unknown;
  /** Returns the checked value or throws ConfigError naming the setting; gets the settings resolved before it. */
  readonly check: (value: unknown, resolved: Partial<Resolved>) => unknown;
}

export function integerIn(key: string, value: unknown, min: number, max: number, unit: string, fallback: number, why = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, value, `Use a whole number of ${unit} from ${min} to ${max} (default ${fallback}).${why ? ` ${why}` : ''}`);
  }
  return value;
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
