/** Command-line flags of `npm run lab`. */
import { parseArgs } from 'node:util';
import { PHASE_IDS, type PhaseId } from './phases';

export const DEFAULT_MIB = 64;
export const MAX_MIB = 1024;
export const DEFAULT_TIMEOUT_SECONDS = 120;

export const EXIT = {
  ok: 0,
  /** A phase, the reconciler or the teardown failed. */
  failed: 1,
  usage: 2,
  /** This machine does not let us create network namespaces. */
  forbidden: 3,
  sigint: 130,
  sigterm: 143,
} as const;

export const HELP = `Usage: npm run lab -- [options]          (Linux, as root: needs CAP_NET_ADMIN)

Rebuilds EKS nodes of five CNI families from network namespaces and real Linux devices (veth, bridge, vxlan,
macvlan), moves real bytes in measured phases, reads every node's and pod's kernel counters (/proc/net/dev)
before and after each, writes a capture (agent series = real counter deltas; EC2 and Container Insights series
SIMULATED from the same counters), runs the reconciler on it and checks, per phase and node, that netrecon
agrees with the kernel: each device's class (netrecon rules) is what the kernel says it is, corrected = the ENIs'
bytes, pod bytes = the pods' own eth0 counters, and the naive/corrected ratio is the kernel's.

  VPC CNI            (a) a pod downloads from a server outside the node  (eth0 rx + the pod's host veth tx)
                     (b) a host-network process on the node downloads    (eth0 only)
                     (c) pod B downloads from pod A on the same node     (two host veths, no ENI)
                     (d) a pod on eth0 and a pod on the second ENI eth1 download at once
  security groups    (e) a branch pod (vlan… veth) downloads through the trunk eth1 and vlan.eth.1   (3x)
  for pods           (f) a branch pod (eni… veth) downloads through the trunk eth1 and vlan.eth.2    (3x)
  Calico VXLAN       (g) pod-to-pod across two nodes through vxlan.calico
  Cilium-like        (h) pod-to-pod across two nodes through cilium_vxlan
                     (i) health endpoint to health endpoint across nodes (lxc_health, no pod)
  Flannel            (j) pod-to-pod across two nodes through cni0 and flannel.1
                     (k) pod-to-pod on one node, bridged by cni0

Options:
  --mib N            MiB each transfer moves, 1 to ${MAX_MIB} (default ${DEFAULT_MIB})
  --phases LIST      phases to run, comma-separated from ${PHASE_IDS.join(',')} (default all); a topology is built
                     only when one of its phases runs
  --out FILE         where to write the capture (default: <tmpdir>/netrecon-lab-<run id>.capture.json);
                     replay it with: node bin/netrecon.mjs reconcile --from FILE
  --json             print a JSON summary per topology, phase and node on stdout instead of the text report
  --keep-going       when a phase fails, report it and run the others (exit code 1 at the end)
  --timeout SECONDS  deadline of each transfer (default ${DEFAULT_TIMEOUT_SECONDS})
  --quiet            no progress lines on stderr
  --clean-stale      delete namespaces left by lab runs whose process is gone (after a SIGKILL), then exit
  -h, --help         this text

Everything lives in namespaces named nr-<pid>-<tag>-<topology>-<role> with addresses in 198.18.0.0/15; they
are deleted after each topology, on failure and on Ctrl-C. Exit codes: 0 ok, 1 a phase, a check, the reconciler
or the teardown failed, 2 usage, 3 namespaces not allowed, 130/143 interrupted.`;

export interface LabArgs {
  readonly mib: number;
  readonly phases: readonly PhaseId[];
  readonly out: string | null;
  readonly json: boolean;
  readonly keepGoing: boolean;
  readonly timeoutSeconds: number;
  readonly quiet: boolean;
  readonly cleanStale: boolean;
  readonly help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\nRun with --help for the options.`);
    this.name = 'UsageError';
  }
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function parseLabArgs(argv: readonly string[]): LabArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        mib: { type: 'string' },
        phases: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        'keep-going': { type: 'boolean', default: false },
        timeout: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        'clean-stale': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const phases = (v.phases ?? PHASE_IDS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = phases.filter((p) => !(PHASE_IDS as readonly string[]).includes(p));
  if (unknown.length > 0 || phases.length === 0) {
    throw new UsageError(`--phases takes a comma-separated list of ${PHASE_IDS.join(', ')}, got ${JSON.stringify(v.phases)}`);
  }
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a file name');
  return {
    mib: wholeNumber('--mib', v.mib, DEFAULT_MIB, MAX_MIB),
    // Phases run in a, b, c… order whatever order they were given in, each once.
    phases: PHASE_IDS.filter((p) => phases.includes(p)),
    out: v.out ?? null,
    json: v.json,
    keepGoing: v['keep-going'],
    timeoutSeconds: wholeNumber('--timeout', v.timeout, DEFAULT_TIMEOUT_SECONDS, 3600),
    quiet: v.quiet,
    cleanStale: v['clean-stale'],
    help: v.help,
  };
}
