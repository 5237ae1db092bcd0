/**
 * A fault-injecting HTTP proxy between netrecon's SDK clients and the emulator, in the harness only (the
 * product is pointed at it with AWS_ENDPOINT_URL, as it would be at any endpoint). Every request is forwarded
 * unchanged unless the current fault plan says otherwise; the plan can:
 *   - answer 500 without forwarding (the request never reached the service);
 *   - forward, then answer 500 or reset the connection (the request landed, the client is in doubt);
 *   - reset the connection without forwarding;
 *   - answer Throttling (400, code Throttling) without forwarding;
 *   - hang without answering, before or after forwarding, and tell the harness (which then kills the client
 *     process between two puts);
 *   - hide the exactly-once ledger's datapoints (metric EmitLedger) from GetMetricData answers for a while
 *     after the put that wrote them: CloudWatch's read-after-write delay, which can last minutes.
 * Requests are recognised on the wire (aws-wire.ts). Listens on the emulator's host name, on a free port.
 */
import { EventEmitter } from 'node:events';
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { LEDGER_METRIC, DIMENSION } from '../../lambda/output-metrics';
import { classify, errorAnswer, inflate, INTERNAL_FAILURE, metricQueries, putDatums, readFingerprint, THROTTLING, timestampMs, type WireRequest } from './aws-wire';
import { HOST } from './emulator';

export type FaultAction = 'fail' | 'land-then-fail' | 'reset' | 'land-then-reset' | 'throttle' | 'hang' | 'land-then-hang';

export interface FaultRule {
  /** Named in the proxy's records and in the suite's output. */
  readonly name: string;
  readonly match: (req: WireRequest) => boolean;
  readonly action: FaultAction;
  /** Matching requests let through untouched before the rule applies. Default 0. */
  readonly skip?: number;
  /** Matching requests the rule applies to, then it lets them through. Default: every one. */
  readonly times?: number;
}

export interface ProxyRecord {
  readonly seq: number;
  readonly service: string;
  readonly operation: string;
  /** `forward`, or the fault applied. */
  readonly action: FaultAction | 'forward';
  readonly rule?: string;
  /** The status the client got (none after a reset or a hang). */
  status?: number;
  /** Whether the request reached the emulator. */
  landed: boolean;
  /** Ledger datapoints removed from this GetMetricData answer. */
  hiddenLedgerPoints?: number;
}

interface ActiveRule extends FaultRule {
  seen: number;
  applied: number;
}

const LEDGER_KEY = (namespace: string, cluster: string, ms: number) => `${namespace}\u0000${cluster}\u0000${ms}`;

export class FaultProxy extends EventEmitter<{ hang: [WireRequest] }> {
  readonly records: ProxyRecord[] = [];
  private rules: ActiveRule[] = [];
  private hideLedgerMs = 0;
  /** Ledger marker (namespace, cluster, period start) -> when the put that carried it landed (ms). */
  private readonly ledgerLanded = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly agent: Agent;
  private seq = 0;
  readonly endpoint: string;

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
    port: number,
    private readonly now: () => number,
  ) {
    super();
    this.endpoint = `http://${HOST}:${port}`;
    this.agent = new Agent({ keepAlive: true });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Starts a proxy to `upstream` (http://host:port) on a free port of HOST. */
  static async start(upstream: string, options: { now?: () => number } = {}): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('the fault proxy has no port');
    const proxy = new FaultProxy(server, new URL(upstream), address.port, options.now ?? Date.now);
    server.on('request', (req, res) => void proxy.handle(req, res));
    return proxy;
  }

  /** Replaces the fault plan: the first rule that applies to a request decides what happens to it. */
  inject(...rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r, seen: 0, applied: 0 }));
  }

  /** From now on, a ledger datapoint is missing from GetMetricData answers until `ms` after its put landed. */
  hideLedger(ms: number): void {
    this.hideLedgerMs = ms;
  }

  /** No fault: every request forwarded, every ledger datapoint visible. */
  clear(): void {
    this.rules = [];
    this.hideLedgerMs = 0;
  }

  /** How many times each rule applied, by name. */
  applied(): Record<string, number> {
    return Object.fromEntries(this.rules.map((r) => [r.name, r.applied]));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pick(req: WireRequest): ActiveRule | undefined {
    for (const rule of this.rules) {
      if (!rule.match(req)) continue;
      rule.seen++;
      if (rule.seen <= (rule.skip ?? 0) || rule.applied >= (rule.times ?? Infinity)) continue;
      rule.applied++;
      return rule;
    }
    return undefined;
  }

  private async handle(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of incoming) chunks.push(c as Buffer);
    const req = classify(++this.seq, incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, Buffer.concat(chunks));
    const rule = this.pick(req);
    const record: ProxyRecord = { seq: req.seq, service: req.service, operation: req.operation, action: rule?.action ?? 'forward', landed: false, ...(rule ? { rule: rule.name } : {}) };
    this.records.push(record);
    try {
      await this.apply(rule?.action ?? 'forward', req, record, incoming, res);
    } catch (error) {
      // A harness bug must not look like a service answer the product could take for data.
      record.status = 599;
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`e2e fault proxy error: ${(error as Error).message}`);
    }
  }

  private async apply(action: FaultAction | 'forward', req: WireRequest, record: ProxyRecord, incoming: IncomingMessage, res: ServerResponse): Promise<void> {
    const reset = (): void => {
      // An RST, not a FIN, where Node can send one (resetAndDestroy, Node 18.3+).
      const socket = incoming.socket as Socket & { resetAndDestroy?: () => void };
      if (socket.resetAndDestroy) socket.resetAndDestroy();
      else socket.destroy();
    };
    const hang = (): void => {
      this.emit('hang', req);
    };
    const answerError = (e: { status: number; code: string; message: string }) => {
      const a = errorAnswer(req, e.status, e.code, e.message);
      record.status = a.status;
      res.writeHead(a.status, { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) });
      res.end(a.body);
    };
    switch (action) {
      case 'fail':
        return answerError(INTERNAL_FAILURE);
      case 'throttle':
        return answerError(THROTTLING);
      case 'reset':
        return reset();
      case 'hang':
        return hang();
      default:
        break;
    }
    const answer = await this.forward(req);
    record.landed = true;
    if (answer.status < 300) this.afterLanded(req, answer, record);
    if (action === 'land-then-fail') return answerError(INTERNAL_FAILURE);
    if (action === 'land-then-reset') return reset();
    if (action === 'land-then-hang') return hang();
    record.status = answer.status;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(req: WireRequest): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'host' && k !== 'connection') headers[k] = v;
    headers.host = this.upstream.host;
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.path, headers, agent: this.agent },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('error', reject);
          answer.on('end', () => {
            const h: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding') h[k] = v;
            resolve({ status: answer.statusCode ?? 502, headers: h, body: Buffer.concat(parts) });
          });
        },
      );
      out.on('error', reject);
      out.end(req.rawBody);
    });
  }

  /** Remembers when each ledger marker landed, and hides fresh ones from ledger reads while asked to. */
  private afterLanded(req: WireRequest, answer: { headers: Record<string, string | string[]>; body: Buffer }, record: ProxyRecord): void {
    if (req.operation === 'PutMetricData') {
      const at = this.now();
      for (const d of putDatums(req)) {
        if (d.metricName === LEDGER_METRIC.name) this.ledgerLanded.set(LEDGER_KEY(d.namespace, d.dimensions[DIMENSION.cluster] ?? '', d.timestampMs), at);
      }
      return;
    }
    if (req.operation !== 'GetMetricData' || this.hideLedgerMs <= 0) return;
    const ledgerIds = new Map([...metricQueries(req)].filter(([, m]) => m.metricName === LEDGER_METRIC.name));
    if (ledgerIds.size === 0) return;
    const encoding = answer.headers['content-encoding'];
    const parsed = JSON.parse(inflate(answer.body, Array.isArray(encoding) ? encoding[0] : encoding).toString('utf8')) as {
      MetricDataResults?: { Id?: string; Timestamps?: unknown[]; Values?: unknown[] }[];
    };
    const now = this.now();
    let hidden = 0;
    for (const r of parsed.MetricDataResults ?? []) {
      const m = r.Id ? ledgerIds.get(r.Id) : undefined;
      if (!m) continue;
      const keep = (r.Timestamps ?? []).map((t) => {
        const landedAt = this.ledgerLanded.get(LEDGER_KEY(m.namespace, m.dimensions[DIMENSION.cluster] ?? '', timestampMs(t)));
        return landedAt === undefined || now - landedAt >= this.hideLedgerMs;
      });
      hidden += keep.filter((k) => !k).length;
      r.Timestamps = (r.Timestamps ?? []).filter((_, i) => keep[i]);
      r.Values = (r.Values ?? []).filter((_, i) => keep[i]);
    }
    if (hidden === 0) return;
    record.hiddenLedgerPoints = hidden;
    answer.body = Buffer.from(JSON.stringify(parsed));
    delete answer.headers['content-encoding'];
    answer.headers['content-length'] = String(answer.body.length);
  }
}

// Matchers for fault rules.

/** Requests for one operation of one service (CloudWatch's signing name is `monitoring`). */
export const operation =
  (name: string, service = 'monitoring') =>
  (req: WireRequest): boolean =>
    req.service === service && req.operation === name;

/** A GetMetricData that reads only the exactly-once ledger (the first read of every run). */
export const ledgerRead = (req: WireRequest): boolean => {
  if (!operation('GetMetricData')(req)) return false;
  const metrics = [...metricQueries(req).values()];
  return metrics.length > 0 && metrics.every((m) => m.metricName === LEDGER_METRIC.name);
};

/** A GetMetricData that reads source metrics (EC2, Container Insights, agent), not the ledger. */
export const dataRead = (req: WireRequest): boolean => operation('GetMetricData')(req) && !ledgerRead(req);

/**
 * The first request that `match` accepts, and every later request that is the same call again (its retries and
 * NextToken pages: same queries, same time range): one call that fails however often it is retried.
 */
export function oneCall(match: (req: WireRequest) => boolean): (req: WireRequest) => boolean {
  let fingerprint: string | undefined;
  return (req) => {
    if (!match(req)) return false;
    fingerprint ??= readFingerprint(req);
    return readFingerprint(req) === fingerprint;
  };
}
