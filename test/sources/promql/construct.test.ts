/** The construct with a PromQL source: the function's environment, its IAM, and the handler reading it back. */
import { describe, expect, it } from 'vitest';
import { parseHandlerConfig } from '../../../lambda/handler-config';
import { onlyResource, synthStack } from '../../cdk/support';

const WS = 'ws-0123abcd-4567-89ef-0123-456789abcdef';
const statements = (synth: ReturnType<typeof synthStack>) => onlyResource(synth.template, 'AWS::IAM::Role').props.Policies[0].PolicyDocument.Statement as Array<{ Sid: string; Action: unknown; Resource: unknown }>;
/** The function's environment as text; a value CloudFormation resolves at deploy time (the ledger table's Ref) is left out. */
const envOf = (synth: ReturnType<typeof synthStack>) =>
  Object.fromEntries(Object.entries(onlyResource(synth.template, 'AWS::Lambda::Function').props.Environment.Variables as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;

describe('the construct with promqlUrl', () => {
  it('an Amazon Managed Service for Prometheus workspace: aps:QueryMetrics on that workspace only, and the handler gets the source back from its environment', () => {
    const synth = synthStack({ promqlUrl: `https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/${WS}`, promqlLabels: 'cluster=cluster,node=node', promqlScrapeIntervalSeconds: 15 });
    const aps = statements(synth).filter((s) => JSON.stringify(s.Action).includes('aps:'));
    expect(aps).toHaveLength(1);
    expect(aps[0]).toMatchObject({ Sid: 'QueryPromqlWorkspace', Action: 'aps:QueryMetrics' });
    expect(JSON.stringify(aps[0]!.Resource)).toContain(`:aps:eu-west-1:`);
    expect(JSON.stringify(aps[0]!.Resource)).toContain(`:workspace/${WS}`);
    const env = envOf(synth);
    expect(env).toMatchObject({ NETRECON_PROMQL_URL: `https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/${WS}`, NETRECON_PROMQL_SCRAPE_INTERVAL_SECONDS: '15' });
    const config = parseHandlerConfig({ ...env, AWS_REGION: 'eu-west-1' });
    expect(config.promql?.settings).toMatchObject({ kind: 'amp', region: 'eu-west-1', scrapeIntervalSeconds: 15, pods: false, labels: { cluster: 'cluster', node: 'node', device: 'device' } });
    expect(config.reconcile.containerInsightsExpected).toBe(false);
  });

  it('CloudWatch or a Prometheus: no new grant (CloudWatch PromQL takes the GetMetricData already granted)', () => {
    for (const promqlUrl of ['https://monitoring.us-east-1.amazonaws.com', 'http://prometheus.monitoring:9090']) {
      const synth = synthStack({ promqlUrl });
      expect(statements(synth).map((s) => s.Sid)).not.toContain('QueryPromqlWorkspace');
    }
  });

  it('without promqlUrl: no PromQL variable, and Container Insights is expected as before', () => {
    const synth = synthStack({});
    expect(Object.keys(envOf(synth)).filter((k) => k.startsWith('NETRECON_PROMQL_URL'))).toEqual([]);
    expect(parseHandlerConfig({ ...envOf(synth), AWS_REGION: 'eu-west-1' }).promql).toBeUndefined();
  });

  it('an amp URL that is not a workspace is refused at synth', () => {
    expect(() => synthStack({ promqlUrl: 'https://aps-workspaces.eu-west-1.amazonaws.com/', promqlKind: 'amp' })).toThrow(/not a workspace URL/);
  });
});
