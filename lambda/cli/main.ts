/** The netrecon command line: dispatches to a command and turns user errors into one line on stderr. */
import { readFileSync } from 'node:fs';
import { CaptureFileError } from '../capture/io';
import { CaptureFormatError } from '../capture/validate';
import { ConfigError } from '../core/config';
import { escapeControlChars, previewValue } from '../core/display-text';
import { InterfaceRuleError } from '../core/interface-rules';
import { ReportSizeError } from '../core/report-size';
import { EXIT, UsageError, type Command, type CommandIo } from './usage';

interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/**
 * Each command is imported when it runs: `netrecon --help` loads no command, and so none of the AWS SDK, which
 * keeps the compiled CLI's start at a few tens of milliseconds (docs/testing.md, "The package and its build").
 */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'reconcile', summary: 'reconcile a capture file or a live cluster and print the report', load: async () => (await import('./commands/reconcile')).reconcileCommand },
  { name: 'capture', summary: 'record a cluster from a live AWS account into a capture file', load: async () => (await import('./commands/capture')).captureCommand },
  {
    name: 'doctor',
    summary: 'check an account for netrecon: what a cluster has, what it lacks and how to fix it, and what each profile costs',
    load: async () => (await import('./commands/doctor')).doctorCommand,
  },
  {
    name: 'agent-config',
    summary: 'print the CloudWatch agent configuration a source profile needs (instance or EKS add-on)',
    load: async () => (await import('./commands/agent-config')).agentConfigCommand,
  },
  { name: 'rules', summary: 'list the interface classification rules, or classify interface names', load: async () => (await import('./commands/rules')).rulesCommand },
];

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
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`netrecon: unknown command ${previewValue(name)}. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
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
