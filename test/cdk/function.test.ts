import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RUN_SETTINGS } from '../../lambda/settings';

const ENV = Object.fromEntries(Object.entries(RUN_SETTINGS).map(([key, spec]) => [key, spec.env])) as { [K in keyof typeof RUN_SETTINGS]: string };
import { MissingBuildError, NetReconPropsError } from '../../lib/errors';
import { prebuiltCodeDir } from '../../lib/reconciler-function';
import { LAMBDA_BUILD, LAMBDA_DIR, LAMBDA_METAFILE } from '../../scripts/build';
import { onlyResource, synthStack, type Synthesized } from './support';

const outdirs: string[] = [];
function tempOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netrecon-cdk-'));
  outdirs.push(dir);
  return dir;
}
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The staged bundle directory of the stack's only function. */
function bundleDir(synth: { app: App; template: Template }): string {
  const { props } = onlyResource(synth.template, 'AWS::Lambda::Function');
  const hash = String(props.Code.S3Key).replace(/\.zip$/, '');
  return join(synth.app.synth().directory, `asset.${hash}`);
}

/**
 * What the bundle still imports or requires, as esbuild itself parses it (strings and comments excluded):
 * every specifier that is not a Node built-in.
 */
function nonBuiltinImports(file: string): { path: string; kind: string }[] {
  const result = esbuild.buildSync({ entryPoints: [file], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', external: ['*'], logLevel: 'silent' });
  return Object.values(result.metafile.inputs)
    .flatMap((input) => input.imports)
    .filter((i) => !isBuiltin(i.path))
    .map((i) => ({ path: i.path, kind: i.kind }));
}

/** Loads a bundle in a fresh Node process (as Lambda would) and prints what `handler` returns, or its type. */
function loadInNode(file: string, invoke: boolean): string {
  const script = `const m = await import(${JSON.stringify(`file://${file}`)});
    if (typeof m.handler !== 'function') { console.log('no handler'); process.exit(1); }
    ${invoke ? `console.log(JSON.stringify(await m.handler({}, { getRemainingTimeInMillis: () => 60000 })));` : "console.log('handler is a function');"}`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  }).trim();
}

describe('the reconciler function, as `cdk synth` stages it', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthStack({}, { outdir: tempOutdir() });
  });

  it('runs nodejs22.x on arm64 with the documented memory, timeout and one execution at a time', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 2048,
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
    });
  });

  it('gets exactly the runtime-config environment, defaults spelled out, plus source maps', () => {
    const { props } = onlyResource(synth.template, 'AWS::Lambda::Function');
    expect(props.Environment.Variables).toEqual({
      [ENV.clusters]: 'demo',
      [ENV.clusterTag]: '',
      [ENV.sourceProfile]: JSON.stringify({ demo: 'mixed' }),
      [ENV.periodSeconds]: '300',
      [ENV.lagSeconds]: '600',
      [ENV.backfillSeconds]: '86400',
      [ENV.maxPeriodsPerRun]: '288',
      [ENV.periodsPerRead]: '12',
      [ENV.outputNamespace]: 'NetRecon',
      [ENV.perNodeMetrics]: 'false',
      [ENV.nodeFilter]: 'tag:eks:cluster-name',
      [ENV.readQuotaShare]: '0.5',
      // The stack's own ledger table, by reference (lib/reconciler-function.ts).
      [ENV.ledgerTable]: { Ref: onlyResource(synth.template, 'AWS::DynamoDB::Table').id },
      [ENV.ec2Namespace]: 'AWS/EC2',
      [ENV.ec2InMetric]: 'NetworkIn',
      [ENV.ec2OutMetric]: 'NetworkOut',
      [ENV.containerInsightsNamespace]: 'ContainerInsights',
      [ENV.containerInsightsMetric]: 'node_network_total_bytes',
      [ENV.agentNamespace]: 'CWAgent',
      [ENV.agentRxMetric]: 'net_bytes_recv',
      [ENV.agentTxMetric]: 'net_bytes_sent',
      [ENV.agentInterfaceDimension]: 'interface',
      [ENV.agentInstanceDimension]: 'InstanceId',
      [ENV.thresholds]: JSON.stringify({ ec2MismatchRatio: 0.1, ec2MismatchMinBytes: 1_048_576, residualRatio: 0.1, residualMinBytes: 1_048_576, minSampleFraction: 1 }),
      [ENV.interfaceRules]: '{}',
      [ENV.sourceRoleName]: 'netrecon-source-reader',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('logs as JSON to its own log group, kept one month and deleted with the stack', () => {
    const logGroup = onlyResource(synth.template, 'AWS::Logs::LogGroup');
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logGroup.id }, LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO' },
    });
    synth.template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' });
  });

  it('retries a failed run twice, then sends it to an encrypted, TLS-only queue', () => {
    const queue = onlyResource(synth.template, 'AWS::SQS::Queue');
    expect(queue.props).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue.id, 'Arn'] } } },
    });
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('stages a minified ESM bundle with its source map and no module left outside it', () => {
    const dir = bundleDir(synth);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    expect(nonBuiltinImports(join(dir, 'index.mjs'))).toEqual([]);
    expect(loadInNode(join(dir, 'index.mjs'), false)).toBe('handler is a function');
  });
});

describe('the bundling options, on an entry with the real dependencies', () => {
  it('bundles the AWS SDK, middy and Powertools into one file that loads and runs', async () => {
    const outdir = tempOutdir();
    await esbuild.build({ ...LAMBDA_BUILD, entryPoints: { index: fileURLToPath(new URL('./fixtures/bundle-probe.ts', import.meta.url)) }, outdir });
    const code = readFileSync(join(outdir, 'index.mjs'), 'utf8');
    // The SDK is inside (not left to the runtime's copy), and nothing but Node built-ins is imported.
    expect(code).toContain('GetMetricDataCommand');
    expect(nonBuiltinImports(join(outdir, 'index.mjs'))).toEqual([]);
    expect(JSON.parse(loadInNode(join(outdir, 'index.mjs'), true))).toEqual({
      commands: ['GetMetricDataCommand', 'DescribeInstancesCommand'],
      clients: ['function', 'function'],
    });
  });
});

describe('the prebuilt function (npm run build; test/global-build.ts rebuilt it if stale)', () => {
  it('is what the stack deploys: the staged asset is dist/lambda/reconciler/, byte for byte', () => {
    const synth = synthStack({}, { outdir: tempOutdir() });
    const dir = bundleDir(synth);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    for (const file of ['index.mjs', 'index.mjs.map']) expect(readFileSync(join(dir, file)).equals(readFileSync(join(LAMBDA_DIR, file)))).toBe(true);
  });

  it('holds none of what the function does not run: the CLI, the HTML report, doctor, the CDK, esbuild', () => {
    const meta = JSON.parse(readFileSync(LAMBDA_METAFILE, 'utf8')) as esbuild.Metafile;
    const inputs = Object.keys(meta.inputs);
    // The guard itself: the handler and the SDK clients it uses are there, so the paths are the ones esbuild writes.
    expect(inputs).toContain('lambda/handler.ts');
    expect(inputs.some((i) => i.startsWith('node_modules/@aws-sdk/client-cloudwatch/'))).toBe(true);
    const unused = [/^lambda\/cli\//, /^lambda\/report\/html/, /^lambda\/doctor/, /^lambda\/agent-config\//, /^lib\//, /^bin\//, /node_modules\/(aws-cdk-lib|aws-cdk|constructs|cdk-nag|esbuild|playwright-core|tsx|typescript)\//];
    expect(inputs.filter((i) => unused.some((re) => re.test(i)))).toEqual([]);
  });

  it('is refused with a fix when missing, instead of deploying something else', () => {
    const err = new MissingBuildError('/x/dist/lambda/reconciler/index.mjs', 'the prebuilt function bundle is missing');
    expect(err.message).toMatch(/bundle is missing: \/x\/dist\/lambda\/reconciler\/index\.mjs\. In a checkout of netrecon run `npm run build`/);
    expect(prebuiltCodeDir()).toBe(LAMBDA_DIR);
  });
});

describe('the function environment', () => {
  it('carries non-default props through', () => {
    const { template } = synthStack({
      clusters: ['prod-eu', 'prod-us'],
      perNodeMetrics: true,
      outputNamespace: 'Platform/NetRecon',
      thresholds: { ec2MismatchRatio: 0.2 },
      interfaceRules: { vpcCniVethPrefix: 'pod', prepend: [{ pattern: '^ens\\d+$', interfaceClass: 'physical', note: 'ours' }] },
      sources: { agentNamespace: 'NodeAgent' },
    });
    const vars = onlyResource(template, 'AWS::Lambda::Function').props.Environment.Variables;
    expect(vars).toMatchObject({
      [ENV.clusters]: 'prod-eu,prod-us',
      [ENV.perNodeMetrics]: 'true',
      [ENV.outputNamespace]: 'Platform/NetRecon',
      [ENV.agentNamespace]: 'NodeAgent',
    });
    expect(JSON.parse(vars[ENV.thresholds])).toMatchObject({ ec2MismatchRatio: 0.2, residualRatio: 0.1 });
    expect(JSON.parse(vars[ENV.interfaceRules])).toEqual({ vpcCniVethPrefix: 'pod', prepend: [{ pattern: '^ens\\d+$', interfaceClass: 'physical', note: 'ours' }] });
  });

  it('refuses rules that would overflow Lambda\'s 4 KB of environment', () => {
    const prepend = Array.from({ length: 60 }, (_, i) => ({ pattern: `^custom${i}[0-9a-f]{11}$`, interfaceClass: 'podVeth' as const, note: 'a custom CNI veth' }));
    expect(() => synthStack({ interfaceRules: { prepend } })).toThrow(NetReconPropsError);
    expect(() => synthStack({ interfaceRules: { prepend } })).toThrow(/interfaceRules is invalid: "\d+ bytes of environment"\. Lambda allows 4096 bytes/);
  });
});
