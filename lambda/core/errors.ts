/**
 * The errors of the core, in a file of their own: the modules that throw them (config.ts, source-profile.ts)
 * import them from here rather than from each other, so no two modules of the core import each other.
 */
import { previewValue } from './display-text';

/**
 * A setting netrecon cannot run with: names the setting (a key of lambda/settings.ts, an environment variable),
 * the value as it was given (a number stays a number, text stays quoted) and what is allowed. An undefined value
 * means the setting is required and missing.
 */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly value: unknown,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(value === undefined ? `${setting} is required. ${hint}` : `${setting} is invalid: ${previewValue(value, 120)}. ${hint}`, options);
    this.name = 'ConfigError';
  }
}
