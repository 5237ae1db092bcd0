import { describe, expect, it } from 'vitest';
import { nodeDatums } from '../../lambda/plan/output-datums';
import type { NodePeriodResult } from '../../lambda/core/model';
import { NODE_METRICS } from '../../lambda/output-metrics';

const nodePeriod = (nodeName: string | null): NodePeriodResult => ({
  instanceId: 'i-0123456789abcdef0',
  nodeName,
  periodStart: '2026-03-01T11:00:00.000Z',
  periodSeconds: 300,
  sourceProfile: 'full',
  basis: 'agent',
  ec2InBytes: 100,
  ec2OutBytes: 50,
  containerInsightsTotalBytes: 300,
  physicalRxBytes: 100,
  physicalTxBytes: 50,
  podRxBytes: 80,
  podTxBytes: 20,
  overlayBytes: 0,
  bridgeBytes: 0,
  unknownBytes: 0,
  naiveTotalBytes: 300,
  correctedTotalBytes: 150,
  hostOnlyBytes: 50,
  doubleCountedBytes: 150,
  podEstimatedBytes: null,
  ec2DiscrepancyRatio: 0,
  containerInsightsResidualBytes: 0,
  interfaces: [],
  complete: { ranWholePeriod: true, ec2: true, containerInsights: true, agent: true },
  partial: false,
  status: 'ok',
  findings: [],
});

const dimensionsOf = (np: NodePeriodResult) => nodeDatums(np, 'c1').map((d) => d.Dimensions);

describe('per-node datums', () => {
  it('carry ClusterName, InstanceId and NodeName, the set the dashboard worst-nodes query selects', () => {
    const datums = nodeDatums(nodePeriod('ip-10-0-1-23.eu-west-1.compute.internal'), 'c1');
    expect(datums).toHaveLength(Object.keys(NODE_METRICS).length);
    for (const d of datums) {
      expect(d.Dimensions).toEqual([
        { Name: 'ClusterName', Value: 'c1' },
        { Name: 'InstanceId', Value: 'i-0123456789abcdef0' },
        { Name: 'NodeName', Value: 'ip-10-0-1-23.eu-west-1.compute.internal' },
      ]);
    }
  });

  it('name a node without a PrivateDnsName by its instance id, never leaving NodeName out or empty', () => {
    for (const nodeName of [null, '']) {
      for (const dims of dimensionsOf(nodePeriod(nodeName))) {
        expect(dims).toEqual([
          { Name: 'ClusterName', Value: 'c1' },
          { Name: 'InstanceId', Value: 'i-0123456789abcdef0' },
          { Name: 'NodeName', Value: 'i-0123456789abcdef0' },
        ]);
      }
    }
  });
});
