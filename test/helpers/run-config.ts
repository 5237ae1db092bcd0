/**
 * The function's configuration from typed settings, for tests that need a configured run and not the parsing of
 * its environment (test/handler.test.ts and test/settings.test.ts test that). It takes the way a deployed function
 * gets its configuration: the settings checked by the one resolver (lambda/settings.ts), written to the environment
 * by the construct's own writer (lib/environment.ts) and read back by the function's (lambda/handler-config.ts).
 * So a test states `{ clusters: ['c1'], sourceProfile: { c1: 'full' } }`, and what it runs is what a stack with
 * those props would run.
 */
import type { HandlerConfig } from '../../lambda/handler-config';
import { parseHandlerConfig } from '../../lambda/handler-config';
import { resolveRunSettings, type RunSettingsInput } from '../../lambda/settings';
import { reconcilerEnvironment } from '../../lib/environment';
import type { ReconcilerSettings } from '../../lib/props';

/** `settings`: the run settings under their construct names (RUN_SETTINGS keys), checked values, not text. */
export function runConfig(settings: RunSettingsInput): HandlerConfig {
  const run = resolveRunSettings(settings);
  // reconcilerEnvironment writes only the run settings' variables; the construct-only settings it is typed
  // with (schedule, alarms, memory) do not reach the function.
  return parseHandlerConfig(reconcilerEnvironment(run as unknown as ReconcilerSettings));
}
