/**
 * The central reconciler (docs/central.md) across accounts in moto: two source accounts, each with the source
 * role (contract C: netrecon-source-reader, ec2:DescribeInstances only, trusted by the reconciler's role under an
 * external id), EKS nodes of a cluster of the same name and their metrics; a third account without the role.
 * The reconciler runs in a monitoring account (in this process: the runner with real SDK clients, as the handler
 * wires it) against the OAM stand-in (e2e/lib/oam-proxy.ts, which names the moto defects it works around), and
 * what it published in the monitoring account is read back per account and compared with the hand formula.
 */
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_OUTPUT_NAMESPACE } from '../../lambda/output-metrics';
import { parseHandlerConfig } from '../../lambda/handler-config';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { makeRunner } from '../../lambda/runner';
import { RunFailedError, type RunSummary } from '../../lambda/run-summary';
import { DEFAULT_SOURCE_ROLE_NAME, RUN_SETTINGS } from '../../lambda/settings';
import { buildClusterModel, CLUSTER, seededWindow, type ClusterModel } from '../lib/cluster-model';
import { expectedPeriods, type ExpectedPeriod } from '../lib/expected';
import { OamProxy, type AccountCredentials } from '../lib/oam-proxy';
import { compareWithExpected, readPublished } from '../lib/readback';
import { DUMMY_CREDENTIALS } from '../lib/sandbox';
import { seedCluster } from '../lib/seed';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

const MONITORING = '999988887777';
const SOURCES = ['210987654321', '345678901234'] as const;
/** Has neither the role nor nodes: its cluster must fail alone, naming the role. */
const NO_ROLE = '456789012345';
const EXTERNAL_ID = 'netrecon-e2e-external-id';
/** The reconciler's role in the monitoring account (what the source role trusts). */
const RECONCILER_ROLE = `arn:aws:iam::${MONITORING}:role/netrecon-central-reconciler`;
const PERIODS = 4;

interface SourceAccount {
  readonly accountId: string;
  readonly model: ClusterModel;
  readonly expected: readonly ExpectedPeriod[];
  readonly nodes: number;
}

interface CentralState {
  proxy: OamProxy;
  credentials: Map<string, Promise<AccountCredentials>>;
  window: { startEpochSeconds: number; endEpochSeconds: number };
  sources: SourceAccount[];
}

/**
 * Credentials acting in an account, for the harness itself: moto's AssumeRole into any account (the role need
 * not exist there, the defect the proxy hides from the product) is how one process acts in several accounts.
 */
function harnessCredentials(state: CentralState, endpoint: string, region: string, accountId: string): Promise<AccountCredentials> {
  let creds = state.credentials.get(accountId);
  if (!creds) {
    const sts = new STSClient({ region, endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
    creds = sts
      .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/netrecon-e2e-harness`, RoleSessionName: 'e2e-harness' }))
      .then((a) => ({ accessKeyId: a.Credentials!.AccessKeyId!, secretAccessKey: a.Credentials!.SecretAccessKey!, sessionToken: a.Credentials!.SessionToken! }))
      .finally(() => sts.destroy());
    state.credentials.set(accountId, creds);
  }
  return creds;
}

const trustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: RECONCILER_ROLE }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }],
});
const readerPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] });

const published = (s: RunSummary, target: string) => s.clusters.find((c) => c.cluster === target);

export function centralSteps(context: SuiteContext): StepDefinition[] {
  let state: CentralState | undefined;
  const config = (sb: NonNullable<SuiteContext['sandbox']>) => ({ region: sb.region, endpoint: sb.endpoint, maxAttempts: 2 });
  const inAccount = async (accountId: string) => {
    const sb = context.sandbox!;
    return { ...config(sb), credentials: await harnessCredentials(state!, sb.endpoint, sb.region, accountId) };
  };

  return [
    {
      title: `Central reconciler: two source accounts with the source role and ${CLUSTER} (same name, other nodes), one account without the role`,
      group: 'central',
      run: async (figures) => {
        const sb = context.sandbox!;
        const window = seededWindow(Date.now() / 1000, PERIODS, RUN_SETTINGS.lagSeconds.default);
        state = { credentials: new Map(), window, sources: [], proxy: undefined as unknown as OamProxy };
        const full = buildClusterModel({ startEpochSeconds: window.startEpochSeconds, periods: PERIODS });
        // The second account's cluster: 12 ordinary nodes and the two without a source, so its figures differ from the first's.
        const fewer: ClusterModel = { ...full, nodes: full.nodes.filter((n) => n.cluster !== CLUSTER || n.index < 12 || n.index >= 22) };
        for (const [k, accountId] of SOURCES.entries()) {
          const model = k === 0 ? full : fewer;
          const creds = await inAccount(accountId);
          const iam = new IAMClient(creds);
          await iam.send(new CreateRoleCommand({ RoleName: DEFAULT_SOURCE_ROLE_NAME, AssumeRolePolicyDocument: trustPolicy }));
          await iam.send(new PutRolePolicyCommand({ RoleName: DEFAULT_SOURCE_ROLE_NAME, PolicyName: 'DescribeNodes', PolicyDocument: readerPolicy }));
          iam.destroy();
          const ec2 = new EC2Client(creds);
          const cloudwatch = new CloudWatchClient(creds);
          const seeded = await seedCluster(model, ec2, cloudwatch);
          ec2.destroy();
          cloudwatch.destroy();
          const nodes = model.nodes.filter((n) => n.cluster === CLUSTER).length;
          state.sources.push({ accountId, model, expected: expectedPeriods(model), nodes });
          figures.notes.push(`account ${accountId}: role ${DEFAULT_SOURCE_ROLE_NAME}, ${nodes} nodes of ${CLUSTER}, ${seeded.series} series, ${seeded.datapoints} datapoints`);
        }
        state.proxy = await OamProxy.start({
          upstream: sb.endpoint,
          region: sb.region,
          credentialsOf: (accountId) => harnessCredentials(state!, sb.endpoint, sb.region, accountId),
          roleExists: async (roleArn) => {
            const m = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
            if (!m) return false;
            // The harness's own and the monitoring account's roles are not what the proxy judges.
            if (m[2] === 'netrecon-e2e-harness' || m[1] === MONITORING) return true;
            const iam = new IAMClient(await inAccount(m[1]!));
            try {
              await iam.send(new GetRoleCommand({ RoleName: m[2] }));
              return true;
            } catch {
              return false;
            } finally {
              iam.destroy();
            }
          },
        });
        figures.notes.push(`OAM stand-in ${state.proxy.endpoint} in front of moto; account ${NO_ROLE} has no role`);
      },
    },
    {
      title: 'Central reconciler: run it in the monitoring account through OAM, read back per account with the hand formula, run again: nothing doubles',
      group: 'central',
      skipBecause: () => (state?.proxy ? undefined : 'the source accounts were not set up'),
      run: async (figures) => {
        const sb = context.sandbox!;
        const s = state!;
        const monitoring = { region: sb.region, endpoint: s.proxy.endpoint, credentials: await harnessCredentials(s, sb.endpoint, sb.region, MONITORING), maxAttempts: 2 };
        const targets = [...SOURCES.map((a) => `${a}/${CLUSTER}`), `${NO_ROLE}/${CLUSTER}`];
        const handlerConfig = parseHandlerConfig({
          NETRECON_CLUSTERS: targets.join(','),
          // The profile the hand formula is written for (expected.ts), as the deploy step sets it.
          NETRECON_SOURCE_PROFILE: 'full',
          NETRECON_SOURCE_EXTERNAL_ID: EXTERNAL_ID,
        });
        const clients = { cloudWatch: new CloudWatchClient(monitoring), cloudWatchPut: new CloudWatchClient({ ...monitoring, maxAttempts: 1 }), ec2: new EC2Client(monitoring), sts: new STSClient(monitoring) };
        const event = { start: new Date(s.window.startEpochSeconds * 1000).toISOString(), end: new Date(s.window.endEpochSeconds * 1000).toISOString() };
        const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
        const run = async (): Promise<RunSummary> => {
          const runner = makeRunner({
            config: handlerConfig,
            ...clients,
            ec2With: (credentials) => new EC2Client({ region: sb.region, endpoint: s.proxy.endpoint, credentials, maxAttempts: 2 }),
            logger: quiet,
            // A fresh container each time: the second run must find the ledger in CloudWatch.
            ledgerMemory: new LedgerMemory(),
          });
          const outcome = await runner(event).then(
            () => undefined,
            (e: unknown) => e,
          );
          // The account without the role fails; the run says so (RunFailedError) and the others are in its summary.
          if (!(outcome instanceof RunFailedError)) throw new Error(`expected the run to fail for ${NO_ROLE} only, got ${String(outcome)}`);
          return outcome.summary;
        };
        const problems: string[] = [];
        try {
          const first = await run();
          const refused = published(first, `${NO_ROLE}/${CLUSTER}`);
          figures.notes.push(`${NO_ROLE}/${CLUSTER}: ${refused?.outcome}: ${refused?.error?.slice(0, 160)}...`);
          if (refused?.outcome !== 'failed' || !refused.error?.includes(`arn:aws:iam::${NO_ROLE}:role/${DEFAULT_SOURCE_ROLE_NAME}`)) problems.push(`${NO_ROLE}: ${JSON.stringify(refused)}`);
          if (first.failedClusters !== 1) problems.push(`${first.failedClusters} clusters failed, expected 1`);
          figures.emitted = first.metricsEmitted;
          const reader = new CloudWatchClient({ ...monitoring, endpoint: sb.endpoint });
          let compared = 0;
          for (const source of s.sources) {
            const target = `${source.accountId}/${CLUSTER}`;
            const summary = published(first, target);
            figures.notes.push(`${target}: ${summary?.outcome}, ${summary?.nodes} nodes, ${summary?.periodsEmitted} periods emitted`);
            if (summary?.outcome !== 'emitted' || summary.nodes !== source.nodes) problems.push(`${target}: ${JSON.stringify(summary)}`);
            const reading = await readPublished(reader, CLUSTER, s.window, source.model.periodSeconds, DEFAULT_OUTPUT_NAMESPACE, { AccountId: source.accountId });
            const result = compareWithExpected(reading, source.expected);
            compared += result.compared;
            problems.push(...result.problems.map((p) => `${source.accountId}: ${p}`));
          }
          const ownOnly = await readPublished(reader, CLUSTER, s.window, s.sources[0]!.model.periodSeconds);
          const stray = [...ownOnly.values.values()].reduce((t, m) => t + m.size, 0);
          if (stray > 0) problems.push(`${stray} value(s) published under ClusterName alone, without the source account`);
          // Nothing lands in a source account: the role there allows DescribeInstances only.
          for (const source of s.sources) {
            const cw = new CloudWatchClient(await inAccount(source.accountId));
            const mine = await cw.send(new ListMetricsCommand({ Namespace: DEFAULT_OUTPUT_NAMESPACE }));
            cw.destroy();
            if ((mine.Metrics ?? []).length > 0) problems.push(`${source.accountId} holds ${mine.Metrics!.length} NetRecon series`);
          }
          const second = await run();
          for (const source of s.sources) {
            const again = published(second, `${source.accountId}/${CLUSTER}`);
            if (again?.periodsEmitted !== 0) problems.push(`second run: ${source.accountId} emitted ${again?.periodsEmitted} period(s) again`);
            const result = compareWithExpected(await readPublished(reader, CLUSTER, s.window, source.model.periodSeconds, DEFAULT_OUTPUT_NAMESPACE, { AccountId: source.accountId }), source.expected);
            compared += result.compared;
            problems.push(...result.problems.map((p) => `after the second run, ${source.accountId}: ${p}`));
          }
          reader.destroy();
          figures.compared = compared;
          const oam = s.proxy.records.filter((r) => r.action === 'oam');
          figures.notes.push(
            `OAM stand-in answered ${oam.filter((r) => r.operation === 'GetMetricData').length} GetMetricData and ${oam.filter((r) => r.operation === 'ListMetrics').length} ListMetrics ` +
              `for source accounts, refused ${s.proxy.records.filter((r) => r.action === 'refused').length} AssumeRole of a missing role`,
          );
        } finally {
          for (const c of Object.values(clients)) c.destroy();
          await s.proxy.close();
        }
        if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.slice(0, 15).join('\n')}`);
      },
    },
  ];
}
