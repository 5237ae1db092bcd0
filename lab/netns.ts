/**
 * Building blocks every topology uses: namespaces, `ip` and `bridge` commands in batches, sysctls, MAC addresses.
 * Each creation is registered in the run's resources before it happens, so teardown finds it whatever fails.
 */
import type { LabResources } from './resources';
import { inNetns, run } from './shell';

export const NOT_PERMITTED_HINT = 'The lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and a kernel that allows network namespaces.';

/**
 * Runs `ip` (or `bridge`) commands in a namespace in one process (`-batch -`): one line per command, stopping at
 * the first that fails. Arguments never contain spaces (names and addresses the lab made), so a line is its words.
 */
export async function ipBatch(netns: string, commands: readonly (readonly string[])[], signal?: AbortSignal, tool: 'ip' | 'bridge' = 'ip'): Promise<void> {
  if (commands.length === 0) return;
  for (const words of commands) {
    if (words.some((w) => /\s/.test(w) || w === '')) throw new Error(`lab: ${tool} argument with a space or empty: ${JSON.stringify(words)}`);
  }
  await run([tool, '-n', netns, '-batch', '-'], {
    signal,
    input: `${commands.map((words) => words.join(' ')).join('\n')}\n`,
    hint: `Setting up namespace ${netns} failed (${tool} -batch: the line number says which command).`,
  });
}

export async function ip(netns: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  const { stdout } = await run(['ip', '-n', netns, ...args], { signal, hint: `Setting up namespace ${netns} failed.` });
  return stdout;
}

/**
 * Writes /proc/sys keys inside a namespace with a fixed shell script (the keys and values are arguments, never
 * spliced into the script), so the lab needs no procps. Keys marked optional are skipped when the kernel lacks
 * them (no IPv6 at all means no IPv6 noise either).
 */
export async function setSysctls(netns: string, settings: Readonly<Record<string, string>>, optional: boolean, signal?: AbortSignal): Promise<void> {
  const script = `for kv; do f="/proc/sys/\${kv%%=*}"; if [ ! -e "$f" ] && [ "$OPTIONAL" = 1 ]; then continue; fi; printf '%s' "\${kv#*=}" > "$f" || exit 1; done`;
  const args = Object.entries(settings).map(([key, value]) => `${key.replaceAll('.', '/')}=${value}`);
  await run(inNetns(netns, ['env', `OPTIONAL=${optional ? 1 : 0}`, 'sh', '-c', script, 'sh', ...args]), {
    signal,
    hint: `Setting ${Object.keys(settings).join(', ')} in ${netns} failed.`,
  });
}

/** A namespace with IPv6 off (no router solicitation, DAD or MLD frame in the counters) and `lo` up. */
export async function addNamespace(name: string, resources: LabResources, signal?: AbortSignal): Promise<void> {
  // Registered first: if the add is interrupted half-way, teardown still looks for it.
  resources.addNetns(name);
  await run(['ip', 'netns', 'add', name], { signal, hint: NOT_PERMITTED_HINT });
  await setSysctls(name, { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' }, true, signal);
  await ip(name, ['link', 'set', 'lo', 'up'], signal);
}

/** A node forwards (it is the pods' router) and checks reverse paths loosely, as an EKS node does. */
export async function makeRouter(netns: string, signal?: AbortSignal): Promise<void> {
  await setSysctls(netns, { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '2', 'net.ipv4.conf.default.rp_filter': '2' }, false, signal);
}

export async function linkAddress(netns: string, device: string, signal?: AbortSignal): Promise<string> {
  const parsed = JSON.parse(await ip(netns, ['-j', 'link', 'show', 'dev', device], signal)) as Array<{ address?: string }>;
  const mac = parsed[0]?.address;
  if (!mac || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new Error(`no MAC address for ${device} in ${netns}: ${JSON.stringify(parsed)}`);
  return mac;
}

/** A locally administered unicast MAC the lab chooses (02:…), so static neighbour and FDB entries can name it before the link exists. */
export function labMac(...octets: readonly number[]): string {
  if (octets.length !== 5 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new Error(`labMac needs 5 octets: ${JSON.stringify(octets)}`);
  return ['02', ...octets.map((o) => o.toString(16).padStart(2, '0'))].join(':');
}

/** Tries to create (and delete) one namespace: the honest test of whether this machine allows the lab. Returns why not, or null. */
export async function namespacesForbiddenReason(probeName: string): Promise<string | null> {
  try {
    await run(['ip', 'netns', 'add', probeName], { timeoutMs: 5_000, hint: '' });
  } catch (error) {
    return `cannot create a network namespace (${(error as Error).message})`;
  }
  try {
    await run(['ip', 'netns', 'del', probeName], { timeoutMs: 5_000, hint: '' });
  } catch (error) {
    return `created namespace ${probeName} but cannot delete it (${(error as Error).message})`;
  }
  return null;
}
