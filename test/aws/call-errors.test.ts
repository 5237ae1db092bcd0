/**
 * A DescribeInstances or ListMetrics call that fails after its retries is one line naming the operation, what it
 * was for, the cause and that nothing was published, as the GetMetricData failures are; never the SDK's own
 * two-line "Deserialization error: ... inspect the hidden field {error}.$response" text.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';
import { FakeAws } from '../helpers/fake-aws';
import { liveClock } from '../helpers/live-clock';
import { makeCluster } from '../helpers/synthetic-cluster';
import { mockAccount } from './account';
import { NOW_SECONDS } from './helpers';

/**
 * The error the SDK throws for an answer it cannot parse, built as @smithy/core's deserialization middleware
 * builds it (schemaDeserializationMiddleware.js): the parser's error, its message extended with the hint, the
 * response hidden in $response and $metadata added with the HTTP status.
 */
function unparsableAnswer(parserMessage: string, httpStatusCode: number): Error {
  const error = new SyntaxError(parserMessage);
  error.message += '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';
  Object.defineProperty(error, '$response', { value: { statusCode: httpStatusCode, body: '<html>proxy error</html>' }, enumerable: false });
  return Object.assign(error, { $metadata: { httpStatusCode } });
}

describe('a failed DescribeInstances or ListMetrics call, in the live CLI', () => {
  let account: ReturnType<typeof mockAccount>;
  liveClock(
    NOW_SECONDS,
    () => (account = mockAccount(new FakeAws(makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 })))),
    () => account.restore(),
  );

  const reconcile = async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1'], { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
    const errors = err.join('').split('\n').filter((l) => l.startsWith('netrecon reconcile: '));
    return { code, stdout: out.join(''), errors, stderr: err.join('') };
  };

  it('DescribeInstances answered with an unparsable page: the operation, the cause, nothing published', async () => {
    account.ec2.on(DescribeInstancesCommand).rejects(unparsableAnswer('Unexpected end of XML input', 200));
    const r = await reconcile();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^netrecon reconcile: DescribeInstances: listing the instances \(tag:eks:cluster-name=c1\) failed after its retries \(the answer \(HTTP 200\) could not be parsed: SyntaxError: Unexpected end of XML input\)\. Nothing was published/);
    expect(r.errors[0]).toContain('ec2:DescribeInstances');
    expect(r.stderr).not.toContain('$response');
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });

  it('ListMetrics answered 502 with an HTML page: the operation, the status, nothing published', async () => {
    account.cw.on(ListMetricsCommand).rejects(unparsableAnswer("Unexpected token '<', \"<html>prox\"... is not valid JSON", 502));
    const r = await reconcile();
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    // The first listing to fail: the cluster's Container Insights nodes (beside DescribeInstances), else the agent's.
    expect(r.errors[0]).toMatch(/^netrecon reconcile: ListMetrics: listing the (ContainerInsights node_network_total_bytes|CWAgent net_bytes_(recv|sent)) series failed after its retries \(the answer \(HTTP 502\) could not be parsed: SyntaxError: Unexpected token/);
    expect(r.errors[0]).toContain('Nothing was published');
    expect(r.stderr).not.toContain('$response');
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  }, 30_000);

  it('a permission error keeps its own hint', async () => {
    account.ec2.on(DescribeInstancesCommand).rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    const r = await reconcile();
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      'netrecon reconcile: AWS refused the call (UnauthorizedOperation: You are not authorized to perform this operation.). netrecon needs cloudwatch:GetMetricData, cloudwatch:ListMetrics, ec2:DescribeInstances (and cloudwatch:PutMetricData to emit).',
    ]);
  });
});
