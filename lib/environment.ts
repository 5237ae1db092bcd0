/**
 * The function's environment: every run setting under its variable (lambda/settings.ts), defaults included, so
 * what runs is what the template says.
 */
import { RUN_SETTINGS } from '../lambda/settings';
import { NetReconPropsError } from './errors';
import type { ReconcilerSettings } from './props';

/** Lambda refuses a function whose environment variables exceed 4 KB in total. */
const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

/** Node applies the bundle's source maps to stack traces only with this flag (the bundle is minified). */
export const NODE_OPTIONS = '--enable-source-maps';

/** A checked value as the text its variable holds: what the function's `fromText` turns back into the value. */
function asText(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

export function reconcilerEnvironment(settings: ReconcilerSettings): Record<string, string> {
  const values: Record<string, unknown> = { ...settings, ...settings.sources };
  const environment: Record<string, string> = Object.fromEntries(
    // An optional setting left unset (sourceExternalId) has no variable: the function reads that as the default.
    Object.entries(RUN_SETTINGS).flatMap(([key, spec]) => (values[key] === undefined ? [] : [[spec.env, asText(values[key])]])),
  );
  environment.NODE_OPTIONS = NODE_OPTIONS;
  const bytes = Object.entries(environment).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > LAMBDA_ENVIRONMENT_MAX_BYTES) {
    throw new NetReconPropsError(
      'interfaceRules',
      `${bytes} bytes of environment`,
      `Lambda allows ${LAMBDA_ENVIRONMENT_MAX_BYTES} bytes of environment variables in total; shorten the prepended rules' notes and patterns, or the cluster list.`,
    );
  }
  return environment;
}
