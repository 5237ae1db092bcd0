import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { clusterDatums } from '../../lambda/plan/output-datums';
import { sendEmission } from '../../lambda/aws/sink';
import { chunkDatums, planEmission } from '../../lambda/plan/emission-plan';
import { NODE_STATUSES, type ClusterPeriodResult, type NodeStatus } from '../../lambda/core/model';
import { testRuntime } from './helpers';
import { putMetricDataBodyBytes } from '../helpers/put-metric-data-body';

const cw = mockClient(CloudWatchClient);
beforeEach(() => cw.reset());

const T0 = 1_772_362_800; // 2026-03-01T11:00:00Z
const datums = (n: number, start = T0, valueLength = 1): MetricDatum[] =>
  Array.from({ length: n }, (_, i) => ({
    MetricName: 'PhysicalRxBytes',
    Dimensions: [{ Name: 'ClusterName', Value: 'c1' }, { Name: 'InstanceId', Value: `i-${String(i).padStart(5, '0')}${'x'.repeat(valueLength - 1)}` }],
    Timestamp: new Date(start * 1000),
    Value: i,
    Unit: 'Bytes',
  }));

describe('PutMetricData batching', () => {
  it('fits 999 datums and their ledger marker in one request, and splits 1,000 and 1,001', () => {
    for (const [n, requests] of [[998, 1], [999, 1], [1000, 2], [1001, 2]] as const) {
      const plan = planEmission([{ periodStartSeconds: T0, datums: datums(n) }], 'NetRecon', 'c1', null);
      expect(plan.requests).toHaveLength(requests);
      for (const r of plan.requests) expect(r.input.MetricData!.length).toBeLessThanOrEqual(1000);
      // Every request of the period carries the marker with the number of requests the period needs.
      for (const r of plan.requests) {
        const markers = r.input.MetricData!.filter((d) => d.MetricName === 'EmitLedger');
        expect(markers).toEqual([expect.objectContaining({ Value: requests, Timestamp: new Date(T0 * 1000), Unit: 'Count' })]);
      }
      expect(plan.requests.reduce((a, r) => a + r.dataDatums, 0)).toBe(n);
    }
  });

  it('splits on the 1 MB payload limit before the 1,000-metric limit when dimension values are long', async () => {
    const big = datums(900, T0, 1000); // ~1.1 KB each: 900 of them exceed 1,000,000 bytes
    const plan = planEmission([{ periodStartSeconds: T0, datums: big }], 'NetRecon', 'c1', null);
    expect(plan.requests.length).toBe(2);
    // Measured on the body the SDK serializes (before gzip: docs/aws.md, "How big a PutMetricData request is"),
    // not with the plan's own datumBytes: each request fits, and the first is full (one more datum would not fit).
    const [first, second] = plan.requests.map((r) => r.input);
    expect(await putMetricDataBodyBytes(first!)).toBeLessThanOrEqual(1_000_000);
    expect(await putMetricDataBodyBytes(second!)).toBeLessThanOrEqual(1_000_000);
    const oneMore = { ...first!, MetricData: [...first!.MetricData!, second!.MetricData![0]!] };
    expect(await putMetricDataBodyBytes(oneMore)).toBeGreaterThan(1_000_000);
  });

  it('cuts the same datums into the same chunks every time', async () => {
    const a = chunkDatums(datums(2500), 'NetRecon', 120);
    const b = chunkDatums(datums(2500), 'NetRecon', 120);
    expect(a.map((c) => c.datums.length)).toEqual([999, 999, 502]);
    // A chunk's bytes are its datums' share of the serialized body: the body of the chunk alone less the empty
    // envelope's, plus the separator it takes next to another chunk.
    const body = (d: readonly MetricDatum[]) => putMetricDataBodyBytes({ Namespace: 'NetRecon', MetricData: [...d] });
    const envelope = await body([]);
    for (const c of a) expect(c.bytes).toBe((await body(c.datums)) - envelope + 1);
    expect(b).toEqual(a);
  });

  it('packs small periods together, each with its own marker, oldest first', () => {
    const plan = planEmission(
      [
        { periodStartSeconds: T0 + 300, datums: datums(3, T0 + 300) },
        { periodStartSeconds: T0, datums: datums(3, T0) },
      ],
      'NetRecon',
      'c1',
      new Date((T0 + 900) * 1000),
    );
    expect(plan.requests).toHaveLength(1);
    const names = plan.requests[0]!.input.MetricData!.map((d) => `${d.MetricName}@${(d.Timestamp!.getTime() / 1000 - T0) / 300}`);
    expect(names).toEqual([
      'PhysicalRxBytes@0', 'PhysicalRxBytes@0', 'PhysicalRxBytes@0', 'EmitLedger@0',
      'PhysicalRxBytes@1', 'PhysicalRxBytes@1', 'PhysicalRxBytes@1', 'EmitLedger@1',
      'Heartbeat@3',
    ]);
  });

  it('resumes a period after the chunks that landed and tops the count up when it now needs fewer', () => {
    // The period needed 3 requests and 1 landed; its data now fits in 2: chunk 2 is sent, plus one marker-only filler.
    const plan = planEmission([{ periodStartSeconds: T0, datums: datums(1500), ledger: { landed: 1, total: 3 } }], 'NetRecon', 'c1', null);
    expect(plan.periods).toEqual([{ periodStartSeconds: T0, requestsNeeded: 3, resumedAfter: 1, chunksToSend: 1, fillers: 1, datums: 501 }]);
    const sent = plan.requests.flatMap((r) => r.input.MetricData!);
    expect(sent.filter((d) => d.MetricName === 'EmitLedger').map((d) => d.Value)).toEqual([3, 3]);
    expect(sent.filter((d) => d.MetricName !== 'EmitLedger').map((d) => d.Value)).toEqual(Array.from({ length: 501 }, (_, i) => 999 + i));
  });

  it('sends nothing for a period the ledger says is complete', () => {
    const plan = planEmission([{ periodStartSeconds: T0, datums: datums(5), ledger: { landed: 1, total: 1 } }], 'NetRecon', 'c1', null);
    expect(plan.requests).toEqual([]);
  });
});

describe('PutMetricData payload', () => {
  it('publishes exactly these datums for one cluster period', async () => {
    const byStatus = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
    byStatus.ok = 1;
    byStatus.missingAgent = 1;
    const cp: ClusterPeriodResult = {
      periodStart: '2026-03-01T11:00:00.000Z',
      periodSeconds: 300,
      nodesInInventory: 2,
      nodesWithAgent: 1,
      nodesByBasis: { agent: 2, ec2: 0 },
      partialNodes: 1,
      agentCoverageRatio: 0.5,
      ec2InBytes: 1000,
      ec2OutBytes: 200,
      containerInsightsTotalBytes: 2100,
      physicalRxBytes: 990,
      physicalTxBytes: 210,
      podRxBytes: 800,
      podTxBytes: 100,
      overlayBytes: 0,
      bridgeBytes: 0,
      naiveTotalBytes: 2100,
      correctedTotalBytes: 1200,
      hostOnlyBytes: 300,
      doubleCountedBytes: 900,
      podEstimatedBytes: null,
      completeEc2TotalBytes: 1200,
      ec2DiscrepancyRatio: 0,
      completeContainerInsightsTotalBytes: null,
      containerInsightsResidualBytes: null,
      nodesByStatus: byStatus,
      worstNodes: [],
    };
    cw.on(PutMetricDataCommand).resolves({});
    const plan = planEmission([{ periodStartSeconds: T0, datums: clusterDatums(cp, 'c1') }], 'NetRecon', 'c1', new Date('2026-03-01T12:00:07.000Z'));
    const result = await sendEmission(testRuntime(), plan);
    // 12 cluster figures (the residual and its complete Container Insights bytes are null) + 7 NodeCount by
    // status + the ledger marker + the heartbeat.
    expect(result).toEqual({ requestsSent: 1, datumsSent: 21 });
    const t = new Date('2026-03-01T11:00:00.000Z');
    const c1 = [{ Name: 'ClusterName', Value: 'c1' }];
    const d = (MetricName: string, Value: number, Unit: string, Dimensions = c1, Timestamp = t) => ({ MetricName, Dimensions, Timestamp, Value, Unit });
    expect(cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 1);
    expect(cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input).toEqual({
      Namespace: 'NetRecon',
      MetricData: [
        d('Ec2TotalBytes', 1200, 'Bytes'),
        d('ContainerInsightsTotalBytes', 2100, 'Bytes'),
        d('PhysicalRxBytes', 990, 'Bytes'),
        d('PhysicalTxBytes', 210, 'Bytes'),
        d('PodRxBytes', 800, 'Bytes'),
        d('PodTxBytes', 100, 'Bytes'),
        d('HostOnlyBytes', 300, 'Bytes'),
        d('DoubleCountedBytes', 900, 'Bytes'),
        d('Ec2DiscrepancyRatio', 0, 'None'),
        // containerInsightsResidualBytes is null: no datum, never a zero.
        d('AgentCoveragePercent', 50, 'Percent'),
        d('CompleteEc2TotalBytes', 1200, 'Bytes'),
        // completeContainerInsightsTotalBytes is null too.
        d('PartialNodeCount', 1, 'Count'),
        ...NODE_STATUSES.map((s) => d('NodeCount', byStatus[s], 'Count', [...c1, { Name: 'Status', Value: s }])),
        d('EmitLedger', 1, 'Count'),
        d('Heartbeat', 1, 'Count', c1, new Date('2026-03-01T12:00:07.000Z')),
      ],
    });
  });

  it('stops at the first request that fails after retries and says the next run resumes', async () => {
    cw.on(PutMetricDataCommand).resolvesOnce({}).rejects(Object.assign(new Error('bad'), { name: 'InvalidParameterValueException' }));
    const plan = planEmission([{ periodStartSeconds: T0, datums: datums(2500) }], 'NetRecon', 'c1', null);
    const landed: number[] = [];
    const inDoubt: number[][] = [];
    const result = await sendEmission(testRuntime(), plan, { landed: (s) => landed.push(s), inDoubt: (s) => inDoubt.push([...s]) });
    expect(result.requestsSent).toBe(1);
    expect(result.error?.message).toMatch(/request 2 of 3 failed.*resumes after the last request that landed/);
    expect(landed).toEqual([T0]);
    expect(inDoubt).toEqual([[T0]]);
    expect(cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 2);
  });
});

describe('PutMetricData retries', () => {
  it('retries a throttled request, which is known not to have landed', async () => {
    cw.on(PutMetricDataCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({});
    const plan = planEmission([{ periodStartSeconds: T0, datums: datums(3) }], 'NetRecon', 'c1', null);
    const rt = testRuntime();
    expect(await sendEmission(rt, plan)).toEqual({ requestsSent: 1, datumsSent: 4 });
    expect(rt.counters.retries).toBe(1);
  });

  it('does not retry a request that timed out, since it may have landed: the ledger decides next run', async () => {
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const plan = planEmission([{ periodStartSeconds: T0, datums: datums(3) }], 'NetRecon', 'c1', null);
    const result = await sendEmission(testRuntime(), plan);
    expect(result.error?.message).toMatch(/request 1 of 1 failed/);
    expect(cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 1);
  });

  it('reports the periods of a request that timed out as in doubt, and those of a request still throttled after retries as not', async () => {
    const plan = planEmission([{ periodStartSeconds: T0, datums: datums(3) }, { periodStartSeconds: T0 + 300, datums: datums(3) }], 'NetRecon', 'c1', null);
    const seen: number[][] = [];
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await sendEmission(testRuntime(), plan, { inDoubt: (s) => seen.push([...s]) });
    expect(seen).toEqual([[T0, T0 + 300]]); // both periods share the one request

    cw.reset();
    seen.length = 0;
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const result = await sendEmission(testRuntime(), plan, { inDoubt: (s) => seen.push([...s]) });
    expect(result.error?.message).toMatch(/request 1 of 1 failed/);
    expect(seen).toEqual([]);
  });
});
