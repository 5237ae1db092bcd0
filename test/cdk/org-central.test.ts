import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { parseTargets } from '../../lib/org/central-targets';
import { CentralViewStack } from '../../lib/org/central-view-stack';
import { beforeAll, describe, expect, it } from 'vitest';
import { namespaceFilter } from '../../lib/org/oam';
import { centralApp, MONITORING_ACCOUNT, ORG_ID, orgApp, SINKS, STACKSET_CONTEXT, stackSetApp, TARGETS, TEMPLATE_PATH } from './org-support';
import { flatten, onlyResource, resourcesOfType } from './support';

const CENTRAL = 'NetReconCentral';

/** Every metric of the dashboard's widgets, as [namespace, name, ...dimensions, options]. */
function dashboardBody(template: Template): { widgets: any[] } {
  return JSON.parse(flatten(onlyResource(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody));
}

describe('OAM: the sink and the links', () => {
  it('lets accounts of the organization link, for metrics only', () => {
    const sink = onlyResource(centralApp().template(CENTRAL), 'AWS::Oam::Sink').props;
    expect(sink.Policy.Statement).toEqual([
      {
        Sid: 'OrganizationLinksMetrics',
        Effect: 'Allow',
        Principal: '*',
        Action: ['oam:CreateLink', 'oam:UpdateLink'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID }, 'ForAllValues:StringEquals': { 'oam:ResourceTypes': ['AWS::CloudWatch::Metric'] } },
      },
    ]);
  });

  it('links each source account to the sink of its own region, sharing metrics of the namespaces netrecon reads and writes', () => {
    const instance = stackSetApp().template(TEMPLATE_PATH).toJSON();
    const link = Object.values(instance.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Oam::Link')!.Properties;
    expect(link.ResourceTypes).toEqual(['AWS::CloudWatch::Metric']);
    const mapping = Object.values(instance.Mappings as Record<string, any>)[0];
    expect(mapping).toEqual({ 'eu-west-1': { SinkArn: SINKS['eu-west-1'] }, 'us-east-1': { SinkArn: SINKS['us-east-1'] } });
    expect(link.SinkIdentifier['Fn::FindInMap'][1]).toEqual({ Ref: 'AWS::Region' });
    expect(link.LinkConfiguration.MetricConfiguration.Filter).toBe("Namespace IN ('NetRecon', 'AWS/EC2', 'ContainerInsights', 'CWAgent')");
  });

  it('shares only the output namespace when no central reconciler reads the sources (no centralRoleArn)', () => {
    const { centralRoleArn: _dropped, ...context } = STACKSET_CONTEXT;
    const instance = orgApp(context).template(TEMPLATE_PATH).toJSON();
    const link = Object.values(instance.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Oam::Link')!.Properties;
    expect(link.LinkConfiguration.MetricConfiguration.Filter).toBe("Namespace IN ('NetRecon')");
  });

  it('quotes namespaces in the link filter', () => {
    expect(namespaceFilter(["Team's", 'NetRecon', 'NetRecon'])).toBe("Namespace IN ('Team''s', 'NetRecon')");
  });
});

describe('the central dashboard', () => {
  let widgets: any[];
  beforeAll(() => {
    widgets = dashboardBody(centralApp().template(CENTRAL)).widgets;
  });

  it('reads every metric from the account it belongs to', () => {
    const metrics = widgets.flatMap((w) => (w.properties.metrics ?? []) as any[][]).filter((m) => typeof m[0] === 'string');
    expect(metrics.length).toBeGreaterThan(0);
    for (const m of metrics) {
      const options = m[m.length - 1];
      const cluster = m[m.indexOf('ClusterName') + 1];
      expect(options.accountId, JSON.stringify(m)).toMatch(/^\d{12}$/);
      expect(TARGETS).toContain(`${options.accountId}/${cluster}`);
    }
  });

  it('lists accounts and clusters worst first: SORT over one series per target, in a table', () => {
    const tables = widgets.filter((w) => w.properties.view === 'table');
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      const sort = table.properties.metrics.find((m: any[]) => /^SORT\(METRICS\("\w+"\), MAX, DESC\)$/.test(m[0]?.expression ?? ''))[0];
      // Each sorted series keeps its own label (a dynamic label): a fixed one would name every row alike.
      expect(sort.label).toBe('${LABEL}');
      const prefix = /METRICS\("(\w+)"\)/.exec(sort.expression)![1]!;
      const inputs = table.properties.metrics.map((m: any[]) => m[m.length - 1]).filter((o: any) => o.id?.includes(prefix));
      // One series per target, each labelled with it; no other query's id contains the prefix.
      expect(inputs.map((o: any) => o.label).sort()).toEqual([...TARGETS].sort());
      expect(inputs.every((o: any) => new RegExp(`^${prefix}\\d+$`).test(o.id))).toBe(true);
    }
  });

  it('has one row per account and cluster: traffic, discrepancy and alarms, titled with the target', () => {
    for (const target of TARGETS) {
      const row = widgets.filter((w) => (w.properties.title ?? '').startsWith(`${target}:`));
      expect(row.map((w) => w.properties.title)).toEqual([`${target}: traffic, bytes/s`, `${target}: (EC2 - corrected) / EC2`, `${target}: alarms`]);
      expect(new Set(row.map((w) => w.y)).size, `${target} on one row`).toBe(1);
    }
  });
});

describe('the central alarms', () => {
  let template: Template;
  beforeAll(() => {
    template = centralApp().template(CENTRAL);
  });

  it('watch each target\'s metrics in its own account', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
    // enis: discrepancy, coverage and heartbeat per target.
    expect(alarms).toHaveLength(3 * TARGETS.length);
    for (const alarm of alarms) {
      const stats = (alarm.Properties.Metrics as any[]).filter((q) => q.MetricStat);
      expect(stats.length).toBeGreaterThan(0);
      for (const q of stats) expect(q.AccountId).not.toBe(MONITORING_ACCOUNT);
      for (const q of stats) expect(TARGETS).toContain(`${q.AccountId}/${q.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'ClusterName').Value}`);
    }
  });

  it('combine them in one composite per target and one over all targets, which alone notifies', () => {
    const composites = resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm');
    const byName = Object.fromEntries(Object.values(composites).map((c) => [c.Properties.AlarmName, c.Properties]));
    expect(Object.keys(byName).sort()).toEqual([`${CENTRAL}-111122223333-dev`, `${CENTRAL}-111122223333-prod`, `${CENTRAL}-444455556666-prod`, `${CENTRAL}-organization`]);
    const top = byName[`${CENTRAL}-organization`] as any;
    const rule = flatten(top.AlarmRule);
    expect(rule.match(/ALARM\(/g)).toHaveLength(TARGETS.length);
    expect(top.AlarmActions).toEqual([`arn:aws:sns:eu-west-1:${MONITORING_ACCOUNT}:oncall`]);
    for (const [name, props] of Object.entries(byName)) if (name !== `${CENTRAL}-organization`) expect((props as any).AlarmActions).toBeUndefined();
  });
});

describe('the central view\'s targets', () => {
  it('takes up to 100 targets, more distinct clusters than one per-account stack may list (50)', () => {
    const targets = parseTargets(Array.from({ length: 100 }, (_, i) => `${String(100000000000 + i)}/cluster-${i}`));
    const stack = new CentralViewStack(new App(), 'C', { targets, env: { account: MONITORING_ACCOUNT, region: 'eu-west-1' } });
    expect(stack.alarms.targets.size).toBe(100);
  });

  it.each<[string, string, RegExp]>([
    ['a cluster without its account', 'prod', /prop targets is invalid: "prod"\. Write a target ACCOUNT_ID\/CLUSTER/],
    ['a target twice', '111122223333/prod,111122223333/prod', /"111122223333\/prod"\. 111122223333\/prod is listed twice/],
    ['more than a composite alarm can hold', Array.from({ length: 101 }, (_, i) => `${100000000000 + i}/c`).join(','), /"101 targets"\. At most 100 per central stack/],
  ])('refuses %s', (_, value, message) => {
    expect(() => parseTargets(value)).toThrow(message);
  });
});
