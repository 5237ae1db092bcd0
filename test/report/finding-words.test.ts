import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambda/core/model';
import { findingWords } from '../../lambda/report/finding-words';

// Each code with hand-chosen figures and the sentence it must read as (decimal units: 2,000,000 B is 2.000 MB).
const CASES: readonly [Finding, string][] = [
  [{ status: 'partialPeriod', code: 'nodeLaunchedAfterStart', launchTime: '2026-03-01T10:02:00.000Z' }, 'the node launched at 2026-03-01T10:02:00.000Z, after the period began'],
  [{ status: 'partialPeriod', code: 'nodeStoppedBeforeEnd', endTime: '2026-03-01T10:04:00.000Z' }, 'the node stopped running at 2026-03-01T10:04:00.000Z, before the period ended'],
  [{ status: 'missingEc2', code: 'noEc2Datapoint' }, 'no EC2 NetworkIn/NetworkOut datapoint in this period'],
  [{ status: 'missingContainerInsights', code: 'noContainerInsightsDatapoint' }, 'no Container Insights node_network_total_bytes datapoint for this node in this period'],
  [{ status: 'missingAgent', code: 'noAgentCounters' }, 'no per-interface counters from the agent (is the CloudWatch agent net plugin running with append_dimensions InstanceId?)'],
  [
    {
      status: 'partialPeriod',
      code: 'seriesSkipped',
      source: 'agent',
      series: [
        { instanceId: 'i-1', source: 'agent', direction: 'tx', interfaceName: 'eth1' },
        { instanceId: 'i-1', source: 'agent', direction: 'rx', interfaceName: 'eth0' },
        { instanceId: 'i-1', source: 'agent', direction: 'rx', interfaceName: 'eth0' },
      ],
    },
    "this node's agent series were skipped (eth0 rx, eth1 tx; see the warnings): that source is incomplete, reported as is and not compared",
  ],
  [
    { status: 'partialPeriod', code: 'seriesSkipped', source: 'containerInsights', series: [{ instanceId: 'i-1', source: 'containerInsights', direction: 'total' }] },
    "this node's Container Insights series was skipped (node_network_total_bytes; see the warnings): that source is incomplete, reported as is and not compared",
  ],
  [{ status: 'partialPeriod', code: 'ec2DirectionMissing', direction: 'out' }, 'EC2 NetworkOut has no datapoint in this period'],
  [{ status: 'partialPeriod', code: 'sourceCoverageShort', measure: 'ec2In', coveredSeconds: 240, periodSeconds: 300 }, 'EC2 NetworkIn covers 240 of 300 s of the period; it is reported as is, not scaled up'],
  [{ status: 'partialPeriod', code: 'sourceCoverageShort', measure: 'agent', coveredSeconds: 60, periodSeconds: 300 }, 'the agent covers 60 of 300 s of the period; it is reported as is, not scaled up'],
  [{ status: 'partialPeriod', code: 'interfacesOneSided', interfaces: ['eth1', 'eth2'] }, 'interface eth1, eth2 has received or sent bytes but not both'],
  [
    { status: 'ec2Mismatch', code: 'ec2Mismatch', ec2TotalBytes: 2_000_000, correctedTotalBytes: 1_500_000, discrepancyRatio: 0.25, thresholdRatio: 0.1 },
    "EC2 counted 2.000 MB but the ENIs' own counters 1.500 MB (25.0% apart; threshold 10.0%)",
  ],
  [
    { status: 'ec2Mismatch', code: 'ec2Mismatch', ec2TotalBytes: 0, correctedTotalBytes: 5_000_000, discrepancyRatio: Number.POSITIVE_INFINITY, thresholdRatio: 0.1 },
    "EC2 counted 0 B but the ENIs' own counters 5.000 MB (EC2 saw nothing; threshold 10.0%)",
  ],
  [
    { status: 'unexplainedResidual', code: 'containerInsightsResidual', residualBytes: 3_000_000, residualRatio: 0.3 },
    "Container Insights counted 3.000 MB more than every interface the agent publishes (30.0% of it): an interface is missing from the agent's resources?",
  ],
  [
    { status: 'unexplainedResidual', code: 'containerInsightsResidual', residualBytes: -250_000, residualRatio: 0.05 },
    'Container Insights counted 250.0 kB less than the interface sum the agent publishes (5.0% of it)',
  ],
];

describe('findingWords', () => {
  it.each(CASES)('words %o', (finding, sentence) => {
    expect(findingWords(finding)).toBe(sentence);
  });
});
