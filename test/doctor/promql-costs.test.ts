/**
 * Doctor's costs and recommendation with a PromQL source, every figure derived by hand from the list prices
 * (docs/limits.md, "Prices") and the default schedule: P = 300 s, 12 periods per read, a run every 5 minutes, so
 * 730 reads and 8,760 runs a month (as test/doctor/costs.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { promqlReadsUsdPerMonth, promqlSamplesPerMonth } from '../../lambda/doctor/costs';
import { diagnose } from '../../lambda/doctor/diagnose';
import type { PromqlCoverage } from '../../lambda/doctor/model';
import { formatDoctorTable } from '../../lambda/report/doctor-table';
import type { NodeProfile } from '../../lambda/core/source-profile';
import { SETTINGS, id, instance, readyCluster } from './observations';

const coverage = (over: Partial<PromqlCoverage> = {}): PromqlCoverage => ({
  kind: 'amp',
  // readyCluster's two nodes, node_exporter on eth0, eth1, lo and two veths each: 10 receive series.
  receiveSeries: 10,
  nodeProfiles: new Map<string, NodeProfile>([
    [id(1), 'full'],
    [id(2), 'full'],
  ]),
  labelsMissing: [],
  scrapeIntervalSeconds: 30,
  ...over,
});

describe('the PromQL reads', () => {
  it('samples a month: receive and transmit, each series (window + 1.5 scrapes) / scrape samples a read, 730 reads', () => {
    // 2 x 10 x ceil((3,600 + 45) / 30 = 121.5 -> 122) x 730 = 1,781,200.
    expect(promqlSamplesPerMonth(coverage(), SETTINGS)).toBe(1_781_200);
    // 15 s scrapes: gap ceil(22.5) = 23, ceil(3,623 / 15 = 241.53) = 242: 2 x 10 x 242 x 730 = 3,533,200.
    expect(promqlSamplesPerMonth(coverage({ scrapeIntervalSeconds: 15 }), SETTINGS)).toBe(3_533_200);
  });

  it('AMP: $0.10 per billion query samples processed; CloudWatch: free during the preview; a Prometheus of your own: nothing', () => {
    // 100,000 receive series (e.g. 2,000 nodes x 50 devices): 2 x 100,000 x 122 x 730 = 17,812,000,000 samples x $1e-10.
    expect(promqlReadsUsdPerMonth(coverage({ receiveSeries: 100_000 }), SETTINGS)).toBeCloseTo(1.7812, 10);
    expect(promqlReadsUsdPerMonth(coverage({ receiveSeries: 100_000, kind: 'cloudwatch' }), SETTINGS)).toBe(0);
    expect(promqlReadsUsdPerMonth(coverage({ receiveSeries: 100_000, kind: 'prometheus' }), SETTINGS)).toBe(0);
  });
});

describe('the cost table of the ready two-node cluster with its node_exporter series in AMP', () => {
  const report = diagnose(readyCluster(), null, coverage());
  const promqlRows = Object.fromEntries(report.costs.filter((c) => c.counters === 'promql').map((c) => [c.sourceProfile, c]));

  it('keeps the four agent rows as they are and adds enis, full and mixed with PromQL counters', () => {
    expect(report.costs.map((c) => `${c.sourceProfile}${c.counters ? `+${c.counters}` : ''}`)).toEqual(['agentless', 'enis', 'full', 'mixed', 'enis+promql', 'full+promql', 'mixed+promql']);
    expect(report.costs.slice(0, 4)).toEqual(diagnose(readyCluster()).costs);
  });

  it('full + PromQL: EC2 and Container Insights read, no agent series read, listed or paid, the AMP samples priced', () => {
    // GetMetricData (6 x 730 + 8,760) x 0.00001 = 0.1314; no ListMetrics; puts 8,760 + 730 = 9,490 x 0.00001 =
    // 0.0949; 23 x 0.30 = 6.90; alarms 1.20; dashboard 3; AMP 1,781,200 x 1e-10 = 0.00018: 11.3265.
    expect(promqlRows.full).toEqual({ sourceProfile: 'full', netreconUsdPerMonth: 11.33, agentUsdPerMonth: 0, totalUsdPerMonth: 11.33, estimated: false, counters: 'promql', promqlReadsUsdPerMonth: 0 });
  });

  it('enis + PromQL: 18 metrics, alarms $1.00', () => {
    // 0.1314 + 0.0949 + 5.40 + 1.00 + 3 + 0.00018 = 9.6265.
    expect(promqlRows.enis).toMatchObject({ netreconUsdPerMonth: 9.63, agentUsdPerMonth: 0, totalUsdPerMonth: 9.63 });
  });

  it('mixed + PromQL: both nodes resolve to full from their devices, 23 metrics, no coverage alarm ($1.10)', () => {
    // 0.1314 + 0.0949 + 6.90 + 1.10 + 3 + 0.00018 = 11.2265.
    expect(promqlRows.mixed).toMatchObject({ netreconUsdPerMonth: 11.23, totalUsdPerMonth: 11.23 });
  });

  it('recommends full with PromQL and names the agent series it makes unneeded: 20 series x $0.30 = $6.00', () => {
    expect(report.recommendedProfile).toBe(diagnose(readyCluster()).recommendedProfile);
    expect(report.promqlRecommendation).toMatchObject({ sourceProfile: 'full', agentUsdPerMonthSaved: 6 });
    const table = formatDoctorTable(report, SETTINGS.nodeFilter);
    expect(table).toMatch(/full \+ PromQL +\$11\.33 +\$0\.00 +\$11\.33/);
    expect(table).toMatch(/Recommended with PromQL: full: node_exporter's series through PromQL \(amp\) cover all 2 nodes/);
  });
});

describe('the recommendation with PromQL', () => {
  it('mixed when the nodes resolve differently (one with pod veths, one with the ENIs only)', () => {
    const r = diagnose(readyCluster(), null, coverage({ nodeProfiles: new Map<string, NodeProfile>([[id(1), 'full'], [id(2), 'enis']]) }));
    expect(r.promqlRecommendation?.sourceProfile).toBe('mixed');
  });

  it('none when a node has no series, or a configured label is missing', () => {
    const obs = readyCluster({ nodes: [instance(1), instance(2), instance(3)] });
    expect(diagnose(obs, null, coverage()).promqlRecommendation).toBeUndefined();
    expect(diagnose(readyCluster(), null, coverage({ labelsMissing: ['device'] })).promqlRecommendation).toBeUndefined();
    // The rows are still priced: what it would cost once the series are there.
    expect(diagnose(obs, null, coverage()).costs.filter((c) => c.counters === 'promql')).toHaveLength(3);
  });

  it('without a PromQL source the report has neither PromQL rows nor a PromQL recommendation', () => {
    const r = diagnose(readyCluster());
    expect(r.costs.some((c) => c.counters !== undefined)).toBe(false);
    expect('promqlRecommendation' in r).toBe(false);
  });
});
