/**
 * A SIMULATED Prometheus query API for bench/promql.ts, where a real server of 10,000 or 100,000 nodes does not fit
 * this machine: a loopback HTTP server that answers the PromQL source's own queries (an instant query of a bare
 * range selection, `metric{instance=~"A(:[0-9]+)?|B(:[0-9]+)?"}[Rs]` at `time=T`, lambda/sources/promql/query-plan.ts)
 * with a matrix of the shape and size a Prometheus 2.42 would answer for the bench's generated counters: every
 * sample of (T − R, T], per node and device. It is no PromQL engine: any other query gets HTTP 400 `bad_data`, so a
 * plan that changes fails the bench instead of being answered wrongly. bench/promql.ts checks, at 1,000 nodes, that
 * netrecon's figures from it equal those from the real Prometheus loaded with the same counters.
 */
import { createServer, type Server } from 'node:http';

export interface SimulatedSeries {
  /** Devices of one node, by its node label value (without the port). */
  readonly devicesOf: (nodeValue: string) => readonly string[];
  /** The node_exporter `instance` label of a node label value. */
  readonly instanceOf: (nodeValue: string) => string;
  /** The counter's value at a scrape time, or undefined where there is no sample. */
  readonly valueAt: (metric: string, nodeValue: string, device: string, timeSeconds: number) => number | undefined;
  readonly scrapeIntervalSeconds: number;
  /** Scrapes are at firstScrapeSeconds + k × scrapeIntervalSeconds. */
  readonly firstScrapeSeconds: number;
}

export interface RunningSimulation {
  readonly url: string;
  /** Queries answered and samples sent. */
  readonly counters: { queries: number; samples: number };
  stop(): Promise<void>;
}

const SELECTION = /^([a-zA-Z_][a-zA-Z0-9_]*)\{instance=~"((?:[^"\\]|\\.)*)"\}\[([0-9]+)s\]$/;
const PORT_SUFFIX = '(:[0-9]+)?';

/** The node values of the source's node matcher (query-plan.ts nodeMatcher): literal alternatives, each with the port suffix. */
function nodeValuesOf(matcherValue: string): string[] | null {
  // The matcher is a PromQL string: its own escapes (\\ for a backslash) first, then the regex literal's.
  const regex = matcherValue.replace(/\\(.)/g, '$1');
  const alternatives = regex.split(`${PORT_SUFFIX}|`);
  const last = alternatives.pop();
  if (last === undefined || !last.endsWith(PORT_SUFFIX)) return null;
  alternatives.push(last.slice(0, -PORT_SUFFIX.length));
  return alternatives.map((a) => a.replace(/\\(.)/g, '$1'));
}

/** Prometheus' JSON number for a timestamp in seconds: up to 3 decimals, no trailing zeros. */
const timeJson = (t: number): string => String(Math.round(t * 1000) / 1000);

export async function startSimulatedPromql(series: SimulatedSeries): Promise<RunningSimulation> {
  const counters = { queries: 0, samples: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const m = req.url === '/api/v1/query' ? SELECTION.exec(form.get('query') ?? '') : null;
      const nodes = m ? nodeValuesOf(m[2]!) : null;
      const time = Number(form.get('time'));
      if (!m || !nodes || !Number.isFinite(time)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: `the SIMULATED answerer takes only the PromQL source's range selections; got ${JSON.stringify(form.get('query'))} on ${req.url}` }));
        return;
      }
      counters.queries++;
      const metric = m[1]!;
      const from = time - Number(m[3]); // exclusive
      const step = series.scrapeIntervalSeconds;
      const k0 = Math.floor((from - series.firstScrapeSeconds) / step) + 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"matrix","result":[');
      let first = true;
      for (const node of nodes) {
        for (const device of series.devicesOf(node)) {
          const values: string[] = [];
          for (let k = Math.max(0, k0), t = series.firstScrapeSeconds + k * step; t <= time; k++, t += step) {
            const v = series.valueAt(metric, node, device, t);
            if (v !== undefined) values.push(`[${timeJson(t)},"${v}"]`);
          }
          if (values.length === 0) continue;
          counters.samples += values.length;
          res.write(`${first ? '' : ','}{"metric":${JSON.stringify({ __name__: metric, device, instance: series.instanceOf(node) })},"values":[${values.join(',')}]}`);
          first = false;
        }
      }
      res.end(']}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the simulated answerer has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    counters,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
