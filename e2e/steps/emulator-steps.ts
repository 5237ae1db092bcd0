/** Step 1: the emulator, and the known moto defects re-verified on an unpatched instance. */
import { makeClients } from '../lib/clients';
import { startEmulator } from '../lib/emulator';
import { runMotoProbes } from '../lib/moto-probes';
import { makeSandbox } from '../lib/sandbox';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

/** Seeded nodes must have been running before the oldest period netrecon may read (24 h backfill by default). */
export const EC2_LAUNCH_AGE_SECONDS = 2 * 86_400;

export function emulatorSteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: 'Start moto on localhost (patched) and re-verify its known defects on an unpatched one',
      run: async (figures) => {
        const [emulator, raw] = await Promise.all([
          startEmulator({ workDir: context.workDir, ec2LaunchAgeSeconds: EC2_LAUNCH_AGE_SECONDS }),
          startEmulator({ workDir: context.workDir, unpatched: true, name: 'moto-unpatched' }),
        ]);
        context.emulator = emulator;
        context.sandbox = makeSandbox(emulator.endpoint, context.workDir);
        // The harness's own process too: whatever a library reads from the environment points at the emulator.
        for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
        for (const [name, value] of Object.entries(context.sandbox.env)) if (name.startsWith('AWS_')) process.env[name] = value;
        process.env.NETRECON_E2E_NET_LOG = context.sandbox.netLogPath;
        context.clients = makeClients(context.sandbox);
        figures.notes.push(`moto ${emulator.endpoint} (pid ${emulator.pid}), log ${emulator.logPath}`);
        for (const patch of emulator.patches()) figures.notes.push(`patch ${patch}`);
        try {
          const probes = await runMotoProbes(makeSandbox(raw.endpoint, context.workDir));
          const probeCalls = Object.values(await raw.calls()).reduce((t, n) => t + n, 0);
          figures.notes.push(`${probes.length} probes, ${probeCalls} calls to the unpatched moto (not counted below)`);
          figures.compared = probes.length;
          for (const p of probes) {
            figures.notes.push(`${p.present ? 'DEFECT ' : 'FIXED? '} ${p.id}: ${p.evidence}`);
            if (!p.present) figures.notes.push(`        moto no longer shows "${p.defect}": revisit the workaround (${p.workaround})`);
          }
        } finally {
          await raw.stop();
        }
      },
    },
  ];
}
