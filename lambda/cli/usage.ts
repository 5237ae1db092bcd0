/** Exit codes, usage errors and option parsing shared by every netrecon command. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NetReconError } from '../core/errors';

/** Like diff(1): 0 all reconciled, 1 trouble (usage, files), 2 ran fine but something did not reconcile. */
export const EXIT = { ok: 0, usage: 1, notReconciled: 2 } as const;

/** A mistake on the command line or in a file the user named: printed without a stack trace, exit 1. */
export class UsageError extends NetReconError {
  constructor(message: string, hint?: string) {
    // The hint is printed on a line of its own, after the message.
    super(message, { hint });
    this.name = 'UsageError';
  }
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface Command {
  readonly name: string;
  /** Its one-line summary is in lambda/cli/main.ts, which lists the commands without loading them. */
  readonly help: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with errors a user can act on. */
export function parseOptions<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
  } catch (cause) {
    const message = (cause as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message, `Run "netrecon ${command} --help" for the options.`);
  }
}

export function parseNumberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be a number; got ${JSON.stringify(raw)}`);
  }
  return value;
}
