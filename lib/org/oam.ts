/**
 * CloudWatch cross-account observability (OAM) for netrecon's metrics: a sink in the monitoring account that
 * accepts links from the organization's accounts, and the link each source account makes to it. Both are
 * regional: a source account's metrics in a region reach the monitoring account's sink in the same region only.
 * Only metrics are shared (ResourceTypes AWS::CloudWatch::Metric), and a link shares only the namespaces netrecon
 * needs (docs/organization.md, "Cross-account observability").
 */
import { CfnMapping, Fn, Token } from 'aws-cdk-lib';
import * as oam from 'aws-cdk-lib/aws-oam';
import { Construct } from 'constructs';
import { NetReconPropsError } from '../errors';

export const METRIC_RESOURCE_TYPE = 'AWS::CloudWatch::Metric';

/** A sink ARN: arn:aws:oam:REGION:ACCOUNT:sink/ID. */
const SINK_ARN = /^arn:aws[a-z-]*:oam:([a-z0-9-]+):\d{12}:sink\/[\w-]+$/;

export interface MetricsSinkProps {
  /** @default 'netrecon' */
  readonly sinkName?: string | undefined;
  /** Accounts of this organization may link (aws:PrincipalOrgID). */
  readonly organizationId: string;
}

/** The monitoring account's sink: any account of the organization may link, for metrics only. */
export class MetricsSink extends Construct {
  readonly sink: oam.CfnSink;

  constructor(scope: Construct, id: string, props: MetricsSinkProps) {
    super(scope, id);
    this.sink = new oam.CfnSink(this, 'Sink', {
      name: props.sinkName ?? 'netrecon',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OrganizationLinksMetrics',
            Effect: 'Allow',
            Principal: '*',
            Action: ['oam:CreateLink', 'oam:UpdateLink'],
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
              'ForAllValues:StringEquals': { 'oam:ResourceTypes': [METRIC_RESOURCE_TYPE] },
            },
          },
        ],
      },
    });
  }
}

/** The OAM link filter that shares only these namespaces. */
export function namespaceFilter(namespaces: readonly string[]): string {
  const unique = [...new Set(namespaces)];
  return `Namespace IN (${unique.map((n) => `'${n.replace(/'/g, "''")}'`).join(', ')})`;
}

/** Sink ARNs by region, checked: every region named in an ARN must be its key. */
export function checkSinkArns(sinks: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const entries = Object.entries(sinks);
  if (entries.length === 0) throw new NetReconPropsError('oamSinks', sinks, 'Give at least one region and its sink ARN, e.g. {"eu-west-1":"arn:aws:oam:eu-west-1:999999999999:sink/abcd-1234"}.');
  for (const [region, arn] of entries) {
    if (Token.isUnresolved(arn)) continue;
    const match = SINK_ARN.exec(arn);
    if (!match) throw new NetReconPropsError('oamSinks', arn, 'Give a sink ARN, arn:aws:oam:REGION:ACCOUNT:sink/ID (aws oam list-sinks in the monitoring account).');
    if (match[1] !== region) throw new NetReconPropsError('oamSinks', arn, `This sink is in ${match[1]}, not ${region}: a link reaches a sink in its own region only.`);
  }
  return sinks;
}

export interface MetricsLinkProps {
  /** The monitoring account's sink in each region the template is deployed to. */
  readonly sinkArns: Readonly<Record<string, string>>;
  /** The namespaces the link shares (netrecon's output and, for a central reconciler, its sources). */
  readonly namespaces: readonly string[];
}

/**
 * A source account's link, for a template deployed to several regions: the sink is looked up by region in a
 * mapping, so one template fits every region (deploying to a region without a sink fails on the lookup).
 */
export class MetricsLink extends Construct {
  readonly link: oam.CfnLink;

  constructor(scope: Construct, id: string, props: MetricsLinkProps) {
    super(scope, id);
    const sinks = checkSinkArns(props.sinkArns);
    const mapping = new CfnMapping(this, 'Sinks', {
      mapping: Object.fromEntries(Object.entries(sinks).map(([region, arn]) => [region, { SinkArn: arn }])),
    });
    this.link = new oam.CfnLink(this, 'Link', {
      resourceTypes: [METRIC_RESOURCE_TYPE],
      sinkIdentifier: Fn.findInMap(mapping.logicalId, Fn.ref('AWS::Region'), 'SinkArn'),
      // The monitoring account's console shows the account name next to each metric.
      labelTemplate: '$AccountName',
      linkConfiguration: { metricConfiguration: { filter: namespaceFilter(props.namespaces) } },
    });
  }
}
