/**
 * HARNESS ONLY: stands in for CloudWatch cross-account observability (OAM) in front of moto, for the central
 * reconciler's steps (e2e/steps/central-steps.ts). The product is merely given this proxy's endpoint.
 *
 * moto 5.2.1 keeps every account's resources apart (the account is the one the request's access key belongs
 * to; an assumed role's keys act in the role's account) but emulates no OAM link, so:
 *   - defect "oam-get-metric-data": GetMetricData ignores MetricDataQuery.AccountId and answers from the
 *     caller's own account. Workaround: a request whose queries name a source account is sent again, without
 *     AccountId, with credentials acting in that account, and its answer returned as the monitoring account's.
 *   - defect "oam-list-metrics": ListMetrics ignores IncludeLinkedAccounts and OwningAccount and answers no
 *     OwningAccounts. Workaround: with OwningAccount, the listing is that account's, each metric attributed to it
 *     in OwningAccounts (1:1 with Metrics, as the API reference says).
 *   - defect "assume-missing-role": STS AssumeRole succeeds for a role that does not exist ("the role does not
 *     need to exist", moto's sts/models.py). Workaround: AssumeRole of a role the target account does not have is
 *     answered AccessDenied, as STS would.
 * Every other request is forwarded to moto unchanged. Only the protocols the SDK in this repository sends are
 * handled (JSON 1.0 for CloudWatch, the query protocol for STS; e2e/lib/aws-wire.ts).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { classify, jsonBody, type WireRequest } from './aws-wire';
import { HOST } from './emulator';

export interface AccountCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface OamProxyOptions {
  /** moto's endpoint. */
  readonly upstream: string;
  readonly region: string;
  /** Credentials acting in an account (the harness's own, see central-steps.ts). */
  readonly credentialsOf: (accountId: string) => Promise<AccountCredentials>;
  /** Whether the role exists in its account. */
  readonly roleExists: (roleArn: string) => Promise<boolean>;
}

export interface OamRecord {
  readonly operation: string;
  /** The source account a request was answered from, when the proxy stood in for OAM. */
  readonly account?: string;
  readonly action: 'forward' | 'oam' | 'refused';
}

const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'e2e-oam', ...extra });
  res.end(JSON.stringify(body));
};

const epochSeconds = (t: unknown): Date => new Date(typeof t === 'number' ? t * 1000 : String(t));

export class OamProxy {
  readonly records: OamRecord[] = [];
  private seq = 0;
  private readonly clients = new Map<string, CloudWatchClient>();

  private constructor(
    private readonly server: Server,
    private readonly options: OamProxyOptions,
    readonly endpoint: string,
  ) {}

  static async start(options: OamProxyOptions): Promise<OamProxy> {
    let proxy: OamProxy | undefined;
    const server = createServer((req, res) => {
      void proxy!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { __type: 'InternalFailure', message: `e2e OAM proxy: ${error instanceof Error ? error.message : String(error)}` });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('the OAM proxy has no port');
    proxy = new OamProxy(server, options, `http://${HOST}:${address.port}`);
    return proxy;
  }

  close(): Promise<void> {
    for (const c of this.clients.values()) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async clientOf(accountId: string): Promise<CloudWatchClient> {
    let client = this.clients.get(accountId);
    if (!client) {
      client = new CloudWatchClient({ region: this.options.region, endpoint: this.options.upstream, credentials: await this.options.credentialsOf(accountId), maxAttempts: 1 });
      this.clients.set(accountId, client);
    }
    return client;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const wire = classify(++this.seq, req.method ?? 'GET', req.url ?? '/', req.headers, raw);
    if (wire.service === 'monitoring' && wire.operation === 'GetMetricData' && (await this.getMetricData(wire, res))) return;
    if (wire.service === 'monitoring' && wire.operation === 'ListMetrics' && (await this.listMetrics(wire, res))) return;
    if (wire.service === 'sts' && wire.operation === 'AssumeRole' && (await this.refuseMissingRole(wire, res))) return;
    this.records.push({ operation: wire.operation, action: 'forward' });
    await this.forward(req, wire, raw, res);
  }

  /** defect oam-get-metric-data; false when no query names an account (the monitoring account's own read). */
  private async getMetricData(wire: WireRequest, res: ServerResponse): Promise<boolean> {
    const body = jsonBody(wire);
    const queries = (body?.MetricDataQueries ?? []) as (MetricDataQuery & { AccountId?: string })[];
    const accounts = new Set(queries.map((q) => q.AccountId));
    if (!accounts.has(undefined) || accounts.size > 1) {
      if (accounts.size !== 1) {
        // The product reads one cluster, of one account, per call; a mix is not emulated here.
        json(res, 400, { __type: 'InvalidParameterValue', message: `e2e OAM proxy: queries of several accounts in one call: ${[...accounts].join(', ')}` });
        this.records.push({ operation: wire.operation, action: 'refused' });
        return true;
      }
      const account = [...accounts][0]!;
      const client = await this.clientOf(account);
      const answer = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries.map(({ AccountId: _, ...q }) => q),
          StartTime: epochSeconds(body!.StartTime),
          EndTime: epochSeconds(body!.EndTime),
          ...(body!.ScanBy ? { ScanBy: body!.ScanBy as 'TimestampAscending' } : {}),
          ...(body!.NextToken ? { NextToken: body!.NextToken as string } : {}),
        }),
      );
      json(res, 200, {
        MetricDataResults: (answer.MetricDataResults ?? []).map((r) => ({ ...r, Timestamps: (r.Timestamps ?? []).map((t) => t.getTime() / 1000) })),
        ...(answer.NextToken ? { NextToken: answer.NextToken } : {}),
        Messages: answer.Messages ?? [],
      });
      this.records.push({ operation: wire.operation, account, action: 'oam' });
      return true;
    }
    return false;
  }

  /** defect oam-list-metrics; false without IncludeLinkedAccounts (the monitoring account's own listing). */
  private async listMetrics(wire: WireRequest, res: ServerResponse): Promise<boolean> {
    const body = jsonBody(wire);
    if (body?.IncludeLinkedAccounts !== true) return false;
    const account = body.OwningAccount;
    if (typeof account !== 'string') {
      json(res, 400, { __type: 'InvalidParameterValue', message: 'e2e OAM proxy: IncludeLinkedAccounts without OwningAccount (every linked account at once) is not emulated' });
      this.records.push({ operation: wire.operation, action: 'refused' });
      return true;
    }
    const { IncludeLinkedAccounts: _i, OwningAccount: _o, ...rest } = body;
    const answer = await (await this.clientOf(account)).send(new ListMetricsCommand(rest));
    const metrics = answer.Metrics ?? [];
    json(res, 200, { Metrics: metrics, OwningAccounts: metrics.map(() => account), ...(answer.NextToken ? { NextToken: answer.NextToken } : {}) });
    this.records.push({ operation: wire.operation, account, action: 'oam' });
    return true;
  }

  /** defect assume-missing-role; false when the role exists (the request then goes to moto unchanged). */
  private async refuseMissingRole(wire: WireRequest, res: ServerResponse): Promise<boolean> {
    const roleArn = new URLSearchParams(wire.body.toString('utf8')).get('RoleArn') ?? '';
    if (await this.options.roleExists(roleArn)) return false;
    res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': 'e2e-oam' });
    res.end(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
        `<Message>User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error><RequestId>e2e-oam</RequestId></ErrorResponse>`,
    );
    this.records.push({ operation: wire.operation, account: /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? '?', action: 'refused' });
    return true;
  }

  private forward(req: IncomingMessage, wire: WireRequest, raw: Buffer, res: ServerResponse): Promise<void> {
    const upstream = new URL(this.options.upstream);
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: wire.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => resolve());
          answer.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(raw);
    });
  }
}
