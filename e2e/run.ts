/**
 * `npm run e2e`: netrecon end to end in an emulated AWS account (moto's server on localhost), offline.
 * See docs/testing.md for what each step proves and what the emulator cannot do.
 */
import { promqlSteps } from './steps/promql-steps';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupAll } from './lib/cleanup';
import { destroyClients } from './lib/clients';
import { NET_GUARD } from './lib/sandbox';
import { selectSections, type Section } from './lib/sections';
import { StepRunner } from './lib/steps';
import type { SuiteContext } from './lib/suite-context';
import { emulatorSteps } from './steps/emulator-steps';
import { deploySteps, teardownSteps } from './steps/deploy-steps';
import { discoverySteps } from './steps/discovery-steps';
import { doctorSteps } from './steps/doctor-steps';
import { faultSteps } from './steps/fault-steps';
import { finalSteps } from './steps/final-steps';
import { netreconSteps } from './steps/netrecon-steps';
import { profileSteps, specSeedSteps } from './steps/profile-steps';
import { seedSteps } from './steps/seed-steps';
import { centralSteps } from './steps/central-steps';

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

E2E_ONLY=REGEX runs only the sections whose name matches, with the sections they need (while developing; CI
runs everything). Sections: emulator, seed, deploy, netrecon, discovery, faults, promql, profile-seed, profiles, doctor,
central, teardown, final. E.g. E2E_ONLY=profiles npm run e2e (the emulator, the profile seed, the profile steps, the network check).
`;

/** The suite in order. Profiles come after the deployed function's steps, so their seed cannot slow those. */
function sections(context: SuiteContext): Section[] {
  return [
    { name: 'emulator', needs: [], steps: emulatorSteps(context) },
    { name: 'seed', needs: ['emulator'], steps: seedSteps(context) },
    { name: 'deploy', needs: ['seed'], steps: deploySteps(context) },
    { name: 'netrecon', needs: ['deploy'], steps: netreconSteps(context) },
    { name: 'discovery', needs: ['deploy'], steps: discoverySteps(context) },
    { name: 'faults', needs: ['deploy'], steps: faultSteps(context) },
    { name: 'promql', needs: ['deploy'], steps: promqlSteps(context) },
    { name: 'profile-seed', needs: ['emulator'], steps: specSeedSteps(context) },
    { name: 'profiles', needs: ['profile-seed'], steps: profileSteps(context) },
    { name: 'doctor', needs: ['profile-seed'], steps: doctorSteps(context) },
    // The central reconciler seeds its own accounts and runs in-process: it needs only the emulator.
    { name: 'central', needs: ['emulator'], steps: centralSteps(context) },
    { name: 'teardown', needs: ['deploy'], auto: true, steps: teardownSteps(context) },
    { name: 'final', needs: ['emulator'], auto: true, steps: finalSteps(context) },
  ];
}

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
  const only = process.env.E2E_ONLY;
  if (only && process.env.CI) {
    process.stderr.write(`e2e: E2E_ONLY=${only} is set with CI=${process.env.CI}: CI runs every step; unset E2E_ONLY\n`);
    return 1;
  }
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'netrecon-e2e-'));
  const context: SuiteContext = { workDir };
  process.stdout.write(`netrecon e2e on moto, work dir ${workDir}\n`);

  let selection;
  try {
    selection = selectSections(sections(context), only);
  } catch (error) {
    process.stderr.write(`e2e: ${(error as Error).message}\n`);
    rmSync(workDir, { recursive: true, force: true });
    return 1;
  }
  if (selection.leftOut.length > 0) process.stdout.write(`E2E_ONLY=${only}: sections ${selection.ran.join(', ')}; left out ${selection.leftOut.join(', ')}\n`);
  const steps = selection.steps;
  const runner = new StepRunner(steps.length, () => context.emulator?.calls() ?? Promise.resolve({}));
  try {
    for (const step of steps) await runner.step(step);
  } finally {
    if (context.clients) destroyClients(context.clients);
    await cleanupAll();
  }

  const totalSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`\n${runner.summary(totalSeconds)}\n`);
  if (selection.leftOut.length > 0) process.stdout.write(`PARTIAL RUN (E2E_ONLY=${only}): sections ${selection.leftOut.join(', ')} did not run\n`);
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
