/**
 * `npm run e2e`: netrecon end to end in an emulated AWS account (moto's server on localhost), offline.
 * See docs/testing.md for what each step proves and what the emulator cannot do.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupAll } from './lib/cleanup';
import { destroyClients } from './lib/clients';
import { NET_GUARD } from './lib/sandbox';
import { StepRunner } from './lib/steps';
import type { SuiteContext } from './lib/suite-context';
import { emulatorSteps } from './steps/emulator-steps';
import { deploySteps } from './steps/deploy-steps';
import { productSteps } from './steps/product-steps';
import { seedSteps } from './steps/seed-steps';
import { centralSteps } from './steps/central-steps';
import { finalSteps } from './steps/final-steps';

// The harness itself is guarded too: no real endpoint, whatever a library tries.
createRequire(import.meta.url)(NET_GUARD);
// See sandbox.ts: the SDK's Node 22 notice, once per process, on a machine that runs Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const HELP = `Usage: npm run e2e -- [--keep] [--help]

Runs netrecon end to end against moto's server on localhost: seeds a synthetic EKS cluster, deploys the CDK
app with cdk deploy, runs the deployed bundle, reads the published metrics back and compares them with the
suite's own hand formula, then destroys the stack. Needs python3 with moto[server] (pip install 'moto[server]').
No AWS account and no network are used: every process is limited to loopback.

  --keep   keep the work directory (logs, templates, the unzipped bundle) even when everything passed
  --help   this text

E2E_ONLY=central runs only the emulator, the central reconciler's steps and the network check (docs/testing.md).
`;

/** Step groups E2E_ONLY can select on its own (with the emulator before and the network check after). */
const ONLY: Record<string, (context: SuiteContext) => ReturnType<typeof centralSteps>> = { central: centralSteps };

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--keep');
  if (unknown.length > 0) {
    process.stderr.write(`e2e: unknown argument ${unknown[0]}\n${HELP}`);
    return 1;
  }
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'netrecon-e2e-'));
  const context: SuiteContext = { workDir };
  process.stdout.write(`netrecon e2e on moto, work dir ${workDir}\n`);

  const only = process.env.E2E_ONLY?.trim();
  if (only && !ONLY[only]) {
    process.stderr.write(`e2e: E2E_ONLY=${only} is not one of: ${Object.keys(ONLY).join(', ')}\n`);
    return 1;
  }
  const steps = only
    ? [...emulatorSteps(context), ...ONLY[only]!(context), ...finalSteps(context)]
    : [...emulatorSteps(context), ...seedSteps(context), ...deploySteps(context), ...productSteps(context)];
  const runner = new StepRunner(steps.length, () => context.emulator?.calls() ?? Promise.resolve({}));
  try {
    for (const step of steps) await runner.step(step);
  } finally {
    if (context.clients) destroyClients(context.clients);
    await cleanupAll();
  }

  const totalSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`\n${runner.summary(totalSeconds)}\n`);
  const refused = context.sandbox && existsSync(context.sandbox.netLogPath) ? readFileSync(context.sandbox.netLogPath, 'utf8').trim() : '';
  if (refused) process.stdout.write(`\nREFUSED non-loopback connections (the run fails):\n${refused}\n`);
  // A step is skipped only after an earlier one failed; a skip without a failure would be a check not made.
  const unexplainedSkips = runner.anyFailed ? 0 : runner.records.filter((r) => r.outcome === 'skip').length;
  if (unexplainedSkips > 0) process.stdout.write(`\n${unexplainedSkips} step(s) skipped although no step failed (the run fails): nothing may go unchecked\n`);
  const ok = !runner.anyFailed && unexplainedSkips === 0 && !refused;
  if (ok && !argv.includes('--keep')) rmSync(workDir, { recursive: true, force: true });
  else process.stdout.write(`work dir kept: ${workDir}\n`);
  return ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
