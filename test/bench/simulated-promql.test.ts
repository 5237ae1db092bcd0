/**
 * The SIMULATED answerer of bench/promql.ts answers the PromQL source's queries as the real Prometheus does for the
 * same counters: the same series and samples, so the figures netrecon derives are equal; any other query is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeOf, samples, simulatedSeries, T0, HOUR, P } from '../../bench/promql-counters';
import { startSimulatedPromql, type RunningSimulation } from '../../bench/simulated-promql';
import { PromqlRejectedError } from '../../lambda/sources/promql/errors';
import { PromqlHttpReader } from '../../lambda/sources/promql/http-reader';
import { readPromql } from '../../lambda/sources/promql/read-source';
import { promqlSettings } from '../../lambda/sources/promql/settings';
import { promqlCaptureSeries } from '../../lambda/sources/promql/to-capture';
import { prometheusMissing, startPrometheus, type RunningPrometheus } from '../helpers/prometheus';

const missing = prometheusMissing();
const NODES = 60; // two groups of 50 nodes: two alternations of the plan
const nodes = Array.from({ length: NODES }, (_, i) => nodeOf(i));

async function figures(url: string) {
  const settings = { ...promqlSettings({ kind: 'prometheus', url }), pods: false };
  const read = await readPromql({ cluster: 'bench', nodes, windowStartSeconds: T0, windowEndSeconds: T0 + HOUR, periodSeconds: P, settings, reader: new PromqlHttpReader({ baseUrl: url, timeoutMs: 30_000 }) });
  const series = promqlCaptureSeries(read.devices, P).sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
  return { queries: read.queries, samples: read.samples, skipped: read.skipped, series };
}

describe.runIf(missing === null)('the SIMULATED PromQL answerer against a real Prometheus', () => {
  let prom: RunningPrometheus;
  let sim: RunningSimulation;
  beforeAll(async () => {
    prom = await startPrometheus(samples(NODES));
    sim = await startSimulatedPromql(simulatedSeries);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await sim?.stop();
  });

  it('gives netrecon the same figures, queries and samples as the real server', async () => {
    const real = await figures(prom.url);
    const simulated = await figures(sim.url);
    expect(real.skipped).toEqual([]);
    expect(real.series).toHaveLength(NODES * 11);
    expect(simulated).toEqual(real);
    expect(sim.counters.samples).toBe(real.samples);
  }, 60_000);

  it('refuses any query but the plan\'s range selections with a 400 bad_data', async () => {
    const reader = new PromqlHttpReader({ baseUrl: sim.url, timeoutMs: 5_000 });
    await expect(reader.instant('sum by (instance) (node_network_receive_bytes_total)', T0)).rejects.toBeInstanceOf(PromqlRejectedError);
  });
});
