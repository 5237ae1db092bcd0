/** lambda/aws/cluster-list.ts against a mocked EKS client: pagination, the tag filter and the failure rules. */
import 'aws-sdk-client-mock-vitest/extend';
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterListError, listAccountClusters } from '../../lambda/aws/cluster-list';
import { testRuntime } from './helpers';

const eksMock = mockClient(EKSClient);
afterEach(() => eksMock.reset());

const eks = () => new EKSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
const awsError = (name: string, status: number) => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
const tagsOf: Record<string, Record<string, string> | undefined> = {
  'prod-eu': { netrecon: 'enabled', team: 'core' },
  'prod-us': { netrecon: 'enabled' },
  sandbox: { netrecon: 'disabled' },
  legacy: undefined,
};

function describeFromTable() {
  eksMock.on(DescribeClusterCommand).callsFake((input: { name: string }) => ({ cluster: { name: input.name, ...(tagsOf[input.name] ? { tags: tagsOf[input.name] } : {}) } }));
}

describe('listAccountClusters', () => {
  it('follows nextToken over every page, asks for full pages, and returns the names sorted', async () => {
    eksMock
      .on(ListClustersCommand, { nextToken: undefined })
      .resolves({ clusters: ['prod-us', 'sandbox'], nextToken: 'page-2' })
      .on(ListClustersCommand, { nextToken: 'page-2' })
      .resolves({ clusters: ['legacy', 'prod-eu'] });
    const rt = testRuntime();
    const found = await listAccountClusters(rt, eks(), { tag: null });
    expect(found).toEqual({ clusters: ['legacy', 'prod-eu', 'prod-us', 'sandbox'], listed: 4, notMatchingTag: 0, skipped: [] });
    expect(eksMock).toHaveReceivedCommandTimes(ListClustersCommand, 2);
    expect(eksMock.commandCalls(ListClustersCommand).map((c) => c.args[0].input)).toEqual([{ maxResults: 100 }, { maxResults: 100, nextToken: 'page-2' }]);
    // Without a tag filter the tags are never read.
    expect(eksMock).toHaveReceivedCommandTimes(DescribeClusterCommand, 0);
    expect(rt.counters.calls).toMatchObject({ ListClusters: 2, DescribeCluster: 0 });
  });

  it('keeps the clusters whose tag has the value, or that carry the key', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['prod-eu', 'prod-us', 'sandbox', 'legacy'] });
    describeFromTable();
    const rt = testRuntime();
    expect(await listAccountClusters(rt, eks(), { tag: { key: 'netrecon', value: 'enabled' } })).toEqual({
      clusters: ['prod-eu', 'prod-us'],
      listed: 4,
      notMatchingTag: 2,
      skipped: [],
    });
    expect(rt.counters.calls.DescribeCluster).toBe(4);
    expect((await listAccountClusters(testRuntime(), eks(), { tag: { key: 'netrecon' } })).clusters).toEqual(['prod-eu', 'prod-us', 'sandbox']);
    expect((await listAccountClusters(testRuntime(), eks(), { tag: { key: 'team', value: 'core' } })).clusters).toEqual(['prod-eu']);
  });

  it('reports and skips a cluster whose DescribeCluster fails, and keeps the others', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['prod-eu', 'prod-us', 'sandbox'] });
    describeFromTable();
    eksMock.on(DescribeClusterCommand, { name: 'prod-us' }).rejects(awsError('AccessDeniedException', 403));
    const found = await listAccountClusters(testRuntime(), eks(), { tag: { key: 'netrecon', value: 'enabled' } });
    expect(found.clusters).toEqual(['prod-eu']);
    expect(found.notMatchingTag).toBe(1);
    expect(found.skipped).toEqual([{ cluster: 'prod-us', reason: expect.stringMatching(/^eks:DescribeCluster failed after retries \(AccessDeniedException: AccessDeniedException message\), so its tags are unknown/) }]);
  });

  it('retries a throttled DescribeCluster instead of skipping the cluster', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['prod-eu'] });
    eksMock.on(DescribeClusterCommand).rejectsOnce(awsError('ThrottlingException', 429)).resolves({ cluster: { name: 'prod-eu', tags: { netrecon: 'enabled' } } });
    const rt = testRuntime();
    const found = await listAccountClusters(rt, eks(), { tag: { key: 'netrecon' } });
    expect(found).toMatchObject({ clusters: ['prod-eu'], skipped: [] });
    expect(rt.counters.throttled).toBe(1);
  });

  it('skips a cluster deleted between the list and the describe, without failing the list', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['gone'] });
    eksMock.on(DescribeClusterCommand).rejects(awsError('ResourceNotFoundException', 404));
    const found = await listAccountClusters(testRuntime(), eks(), { tag: { key: 'netrecon' } });
    expect(found).toEqual({ clusters: [], listed: 1, notMatchingTag: 0, skipped: [{ cluster: 'gone', reason: expect.stringContaining('deleted after ListClusters listed it') }] });
  });

  it('fails with ClusterListError when DescribeCluster fails for every cluster: the filter cannot be applied at all', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['prod-eu', 'prod-us'] });
    eksMock.on(DescribeClusterCommand).rejects(awsError('AccessDeniedException', 403));
    const error = await listAccountClusters(testRuntime(), eks(), { tag: { key: 'netrecon', value: 'enabled' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterListError);
    expect((error as Error).message).toMatch(/^eks:DescribeCluster failed for all 2 cluster\(s\) .*tag netrecon=enabled could be checked; with clusters=auto nothing was reconciled or published this run\. Check that .*eks:DescribeCluster/);
  });

  it('fails with ClusterListError, naming the call and the permission, when ListClusters fails after retries', async () => {
    eksMock.on(ListClustersCommand).rejects(awsError('AccessDeniedException', 403));
    const rt = testRuntime();
    const error = await listAccountClusters(rt, eks(), { tag: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterListError);
    expect((error as Error).message).toMatch(/^eks:ListClusters failed after retries \(AccessDeniedException: AccessDeniedException message\); with clusters=auto nothing was reconciled or published this run\. Check that the function role .* eks:ListClusters/);
    // A permission error is not retried.
    expect(rt.counters.calls.ListClusters).toBe(1);
  });

  it('fails with ClusterListError when a later page fails: a partial list is not the list', async () => {
    eksMock
      .on(ListClustersCommand, { nextToken: undefined })
      .resolves({ clusters: ['prod-eu'], nextToken: 'page-2' })
      .on(ListClustersCommand, { nextToken: 'page-2' })
      .rejects(awsError('ServiceUnavailableException', 503));
    const rt = testRuntime();
    await expect(listAccountClusters(rt, eks(), { tag: null })).rejects.toBeInstanceOf(ClusterListError);
    // The 5xx was retried (4 tries) before giving up.
    expect(rt.counters.calls.ListClusters).toBe(1 + 4);
  });

  it('returns an empty list for a Region without clusters (not an error)', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: [] });
    expect(await listAccountClusters(testRuntime(), eks(), { tag: { key: 'netrecon' } })).toEqual({ clusters: [], listed: 0, notMatchingTag: 0, skipped: [] });
  });
});
