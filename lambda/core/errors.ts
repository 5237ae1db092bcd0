/**
 * The errors netrecon throws about what it was given. One base, NetReconError, carries the offending value, the
 * hint (what to do) and the cause; a subclass exists only where some caller branches on it (`instanceof`, the
 * CLI's list of user errors). Errors that differ only by name are thrown as NetReconError or InvalidValueError.
 * In a file of its own so that the modules throwing them (config.ts, source-profile.ts, ...) need not import
 * each other.
 */
import { previewValue } from './display-text';

export interface ErrorDetails {
  /** The value that was refused, as given (a number stays a number). */
  readonly value?: unknown | undefined;
  /** What to do about it; already part of the message, kept apart for callers that re-word the error. */
  readonly hint?: string | undefined;
  readonly cause?: unknown | undefined;
}

export class NetReconError extends Error {
  readonly value: unknown;
  readonly hint: string;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'NetReconError';
    this.value = details.value;
    this.hint = details.hint ?? '';
  }
}

/** `<what>: <the value, shortened to previewChars>. <hint>`: a value that is not allowed. */
export class InvalidValueError extends NetReconError {
  constructor(what: string, value: unknown, hint: string, options: { cause?: unknown; previewChars?: number } = {}) {
    super(`${what}: ${previewValue(value, options.previewChars ?? 120)}. ${hint}`, { value, hint, cause: options.cause });
    this.name = 'InvalidValueError';
  }
}

/**
 * A setting netrecon cannot run with: names the setting (a key of lambda/settings.ts, an environment variable),
 * the value as it was given (a number stays a number, text stays quoted) and what is allowed. An undefined value
 * means the setting is required and missing.
 */
export class ConfigError extends NetReconError {
  constructor(
    readonly setting: string,
    value: unknown,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(value === undefined ? `${setting} is required. ${hint}` : `${setting} is invalid: ${previewValue(value, 120)}. ${hint}`, { value, hint, cause: options?.cause });
    this.name = 'ConfigError';
  }
}
