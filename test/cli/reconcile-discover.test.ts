/** `netrecon reconcile --cluster auto`: the clusters clusters=auto would reconcile, listed with the function's code. */
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lambda/cli/main';

const eksMock = mockClient(EKSClient);
beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});
afterEach(() => {
  eksMock.reset();
  vi.unstubAllEnvs();
});

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['reconcile', ...argv], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('netrecon reconcile --cluster auto', () => {
  it('lists the clusters with the tag and reconciles none of them', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['web', 'batch', 'sandbox'] });
    eksMock.on(DescribeClusterCommand).callsFake((input: { name: string }) => ({ cluster: { name: input.name, tags: input.name === 'sandbox' ? {} : { netrecon: 'on' } } }));
    const { code, stdout } = await run(['--cluster', 'auto', '--cluster-tag', 'netrecon=on', '--region', 'eu-west-1']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      '3 EKS cluster(s) listed; 1 without tag netrecon=on. A function deployed with clusters=auto and this tag filter reconciles:\n' +
        '  batch\n  web\n' +
        'Reconcile one with: netrecon reconcile --cluster batch --dry-run\n',
    );
  });

  it('prints JSON, and exits 2 naming a cluster whose tags could not be read', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['web', 'locked'] });
    eksMock.on(DescribeClusterCommand, { name: 'web' }).resolves({ cluster: { name: 'web', tags: { netrecon: 'on' } } });
    eksMock.on(DescribeClusterCommand, { name: 'locked' }).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const { code, stdout } = await run(['--cluster', 'auto', '--cluster-tag', 'netrecon', '--region', 'eu-west-1', '--format', 'json']);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      clusterTag: 'netrecon',
      clustersListed: 2,
      clustersNotMatchingTag: 0,
      clusters: ['web'],
      skipped: [{ cluster: 'locked', reason: expect.stringContaining('AccessDeniedException') }],
    });
  });

  it('exits 1 with one line when ListClusters is refused', async () => {
    eksMock.on(ListClustersCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const { code, stderr } = await run(['--cluster', 'auto', '--region', 'eu-west-1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^netrecon reconcile: eks:ListClusters failed after retries \(AccessDeniedException: not allowed\);/m);
  });

  it('refuses flags a listing would ignore, and --cluster-tag without auto', async () => {
    expect(await run(['--cluster', 'auto', '--dry-run'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--cluster auto lists clusters and reconciles none, so --dry-run would be ignored') });
    expect(await run(['--cluster', 'web', '--cluster-tag', 'a=b'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--cluster-tag narrows the clusters --cluster auto lists') });
    expect(await run(['--cluster', 'auto', '--cluster-tag', '=b'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--cluster-tag is invalid: "=b". Write KEY=VALUE') });
    expect(eksMock.calls()).toHaveLength(0);
  });

  it('capture takes one cluster, and says where the list is', async () => {
    let stderr = '';
    const code = await main(['capture', '--cluster', 'auto', '--start', '2026-03-01T10:00:00Z', '--end', '2026-03-01T11:00:00Z', '-o', '/dev/null'], { stdout: () => undefined, stderr: (t) => void (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toContain('--cluster auto names no one cluster');
  });

  it('says so in --help', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toContain('netrecon reconcile --cluster auto [--cluster-tag KEY=VALUE]');
    expect(stdout).toContain('--cluster auto lists the clusters a function deployed with clusters=auto would reconcile');
  });
});
