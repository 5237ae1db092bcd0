/**
 * The netrecon CLI run inside the harness's process (`main(argv, io)`, what bin/netrecon.mjs calls): the same
 * code and the same exit code, without a Node start and tsx's compile per run, which on two shared cores costs
 * seconds each. The harness's environment already points every AWS client at the emulator (emulator-steps.ts),
 * and its network guard covers the CLI's connections too.
 */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export async function runCliInProcess(argv: string[]): Promise<CliRun> {
  // Loaded on first use, so a run that selects no CLI step (E2E_ONLY) does not load the CLI at all.
  const { main } = await import('../../lambda/cli/main');
  let stdout = '';
  let stderr = '';
  const started = performance.now();
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr, ms: performance.now() - started };
}

/** The JSON a command printed, or an error that shows what it printed instead. */
export function parseJsonOutput<T>(run: CliRun, what: string): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch (error) {
    throw new Error(
      `${what} exited ${run.code} without JSON on stdout (${(error as Error).message}); stdout starts ${JSON.stringify(run.stdout.slice(0, 200))}, ` +
        `stderr: ${run.stderr.trim().split('\n').slice(-8).join(' | ')}`,
    );
  }
}
