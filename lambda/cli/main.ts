/** The netrecon command line: dispatches to a command and turns user errors into one line on stderr. */
import { readFileSync } from 'node:fs';
import { CaptureFileError } from '../capture/io';
import { CaptureFormatError } from '../capture/validate';
import { ConfigError } from '../core/config';
import { escapeControlChars, previewValue } from '../core/display-text';
import { InterfaceRuleError } from '../core/interface-rules';
import { ReportSizeError } from '../core/report-size';
import { agentConfigCommand } from './commands/agent-config';
import { captureCommand } from './commands/capture';
import { doctorCommand } from './commands/doctor';
import { reconcileCommand } from './commands/reconcile';
import { rulesCommand } from './commands/rules';
import { EXIT, UsageError, type Command, type CommandIo } from './usage';

const COMMANDS: readonly Command[] = [reconcileCommand, captureCommand, doctorCommand, agentConfigCommand, rulesCommand];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: netrecon COMMAND [options]',
    '',
    'Reconciles the network metrics of EKS worker nodes: EC2, Container Insights and per-interface counters,',
    'with the pod traffic that Container Insights counts twice taken out.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "netrecon COMMAND --help" for a command\'s options; "netrecon --version" for the version.',
  ].join('\n');
}

/** Errors that are the user's to fix: printed as one line and a hint, never with a stack trace. */
const USER_ERRORS = [UsageError, CaptureFormatError, CaptureFileError, ConfigError, InterfaceRuleError, ReportSizeError];

const defaultIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Everything the CLI prints passes here: names and values come from tags, CloudWatch dimensions and files, and a
 * control character in them must reach the terminal as text, never as a command (display-text.ts).
 */
function escaped(io: CommandIo): CommandIo {
  return { stdout: (text) => io.stdout(escapeControlChars(text)), stderr: (text) => io.stderr(escapeControlChars(text)) };
}

export async function main(argv: string[], rawIo: CommandIo = defaultIo): Promise<number> {
  const io = escaped(rawIo);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${topHelp()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`netrecon ${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`netrecon: unknown command ${previewValue(name)}. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (USER_ERRORS.some((E) => error instanceof E)) {
      const hint = error instanceof UsageError && error.hint ? `\n${error.hint}` : '';
      io.stderr(`netrecon ${command.name}: ${(error as Error).message}${hint}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
