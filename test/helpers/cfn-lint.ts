/**
 * cfn-lint (the CloudFormation linter, a Python tool installed apart from npm) for the template tests. Same policy
 * as the browser checks (test/helpers/chromium.ts): missing, the tests are skipped with the reason, except in CI,
 * where a missing linter fails.
 */
import { spawnSync } from 'node:child_process';

export const CFN_LINT = process.env.NETRECON_CFN_LINT ?? 'cfn-lint';

/** Why cfn-lint cannot run here, or null when it can. */
export function cfnLintMissing(command = CFN_LINT): string | null {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `no ${command} on PATH: pip install cfn-lint (1.51 or later), or set NETRECON_CFN_LINT`;
}

export interface CfnLintResult {
  readonly exitCode: number;
  readonly output: string;
}

/** Lints the template files; `ignore` lists rule ids left out, each for a reason the caller states. */
export function cfnLint(files: readonly string[], ignore: readonly string[] = []): CfnLintResult {
  const args = [...(ignore.length ? ['--ignore-checks', ...ignore] : []), '--', ...files];
  const run = spawnSync(CFN_LINT, args, { encoding: 'utf8' });
  return { exitCode: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
