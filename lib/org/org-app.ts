/**
 * The organization forms of the app, chosen with `-c org=...` (docs/organization.md):
 * - `stackset`: the StackSet (in the management or a delegated administrator account) and one code bucket stack
 *   per target region; the instances' template is synthesized in a nested stage, so `cdk deploy --all` never
 *   deploys it as a stack of its own.
 * - `try`: the same template deployed as an ordinary stack in one account, to try it first.
 * - `central`: the monitoring account's view (OAM sink, dashboard, alarms).
 * Every per-account setting of the ordinary app (periodSeconds, thresholds, ...) applies to the template too.
 */
import { type App, type IStackSynthesizer, Stage } from 'aws-cdk-lib';
import { isSourceProfile, SOURCE_PROFILES, type SourceProfile } from '../../lambda/core/source-profile';
import { AppContextError, readAppContext, type ContextReader } from '../app-context';
import { parseTargets } from './central-targets';
import { CentralViewStack } from './central-view-stack';
import { checkSinkArns } from './oam';
import { CodeBucketStack, StackSetCodeSynthesizer } from './stackset-code';
import { AUTO_CLUSTERS, NO_TOPIC, StackSetReconcilerStack, type StackSetReconcilerStackProps } from './stackset-reconciler-stack';
import { NetReconStackSetStack, type CallAs } from './stackset-stack';
import type { SourceReaderRoleProps } from './source-reader-role';

export const ORG_MODES = ['stackset', 'try', 'central'] as const;
export type OrgMode = (typeof ORG_MODES)[number];

/** Builds the stacks of `-c org=MODE`. */
export function buildOrgApp(app: App, get: ContextReader): void {
  const mode = get('org');
  if (typeof mode !== 'string' || !(ORG_MODES as readonly string[]).includes(mode)) {
    throw new AppContextError('org', mode, `Give one of ${ORG_MODES.join(', ')} (docs/organization.md).`);
  }
  const text = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new AppContextError(key, value, 'Give a string.');
    return value.trim();
  };
  const required = (key: string, example: string): string => {
    const value = text(key);
    if (value === undefined) throw new AppContextError(key, undefined, `It is required with -c org=${mode}: -c ${key}=${example}.`);
    return value;
  };
  const list = (key: string, example: string): string[] => required(key, example).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const profile = (): SourceProfile => {
    const value = text('sourceProfile') ?? 'mixed';
    if (!isSourceProfile(value)) throw new AppContextError('sourceProfile', value, `With -c org=${mode} one profile applies to every cluster: ${SOURCE_PROFILES.join(', ')}.`);
    return value;
  };
  // The ordinary settings; the cluster list and profile are the template's parameters instead.
  const { reconciler, alarmTopicArn } = readAppContext((key) => (key === 'clusters' ? AUTO_CLUSTERS : key === 'sourceProfile' ? undefined : get(key)));
  const { clusters: _c, sourceProfile: _p, alarmEmail, dashboardName, ...shared } = reconciler;
  if (alarmEmail !== undefined) throw new AppContextError('alarmEmail', alarmEmail, `Not with -c org=${mode}: give -c alarmTopicArn= (an existing topic).`);

  if (mode === 'central') {
    const account = required('account', '999999999999');
    new CentralViewStack(app, text('stackName') ?? 'NetReconCentral', {
      env: { account, region: required('region', 'eu-west-1') },
      targets: parseTargets(required('targets', '111122223333/prod,444455556666/dev')),
      reconciler: shared,
      sourceProfile: profile(),
      sinkOrganizationId: text('organizationId'),
      alarmTopicArn,
      dashboardName,
    });
    return;
  }

  const orgId = text('organizationId');
  const centralRoleArn = text('centralRoleArn');
  const externalId = text('externalId');
  const sourceRole: SourceReaderRoleProps | undefined = centralRoleArn === undefined ? undefined : { centralRoleArn, organizationId: orgId, externalId };
  const oamSinks = text('oamSinks');
  let oamSinkArns: Record<string, string> | undefined;
  if (oamSinks !== undefined) {
    try {
      oamSinkArns = JSON.parse(oamSinks) as Record<string, string>;
    } catch (cause) {
      throw new AppContextError('oamSinks', oamSinks, `Give a JSON object region -> sink ARN (${(cause as Error).message}).`);
    }
    checkSinkArns(oamSinkArns);
  }
  const template: StackSetReconcilerStackProps = { reconciler: shared, sourceRole, oamSinkArns };
  const parameters = {
    Clusters: text('clusters') ?? AUTO_CLUSTERS,
    ClusterTag: text('clusterTag') ?? '',
    SourceProfile: profile(),
    AlarmTopicArn: alarmTopicArn ?? NO_TOPIC,
  };

  if (mode === 'try') {
    const account = text('account');
    const region = text('region');
    new StackSetReconcilerStack(app, text('stackName') ?? 'NetReconOrgTry', {
      ...template,
      ...(account || region ? { env: { ...(account ? { account } : {}), ...(region ? { region } : {}) } } : {}),
    });
    return;
  }

  const account = required('account', '123456789012 (the management or delegated administrator account)');
  const homeRegion = required('region', 'eu-west-1 (where the StackSet lives)');
  const organizationId = orgId ?? required('organizationId', 'o-a1b2c3d4e5');
  const regions = list('regions', 'eu-west-1,us-east-1');
  const synthesizer = new StackSetCodeSynthesizer(text('codeBucketPrefix') ?? `netrecon-code-${account}`);
  const stage = new Stage(app, 'StackSetTemplate');
  // aws-cdk-lib's StackSynthesizer declares getters returning `string | undefined` for IStackSynthesizer's optional
  // properties, which exactOptionalPropertyTypes refuses; the class is the library's own base for synthesizers.
  const instance = new StackSetReconcilerStack(stage, 'NetReconOrgTemplate', { ...template, synthesizer: synthesizer as unknown as IStackSynthesizer });
  const callAs = text('callAs') ?? 'SELF';
  if (callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') throw new AppContextError('callAs', callAs, 'Give SELF (management account) or DELEGATED_ADMIN (a delegated administrator account).');
  const stackSet = new NetReconStackSetStack(app, text('stackName') ?? 'NetReconOrgStackSet', {
    env: { account, region: homeRegion },
    template: instance,
    organizationalUnitIds: list('ouIds', 'ou-ab12-cdef3456'),
    regions,
    callAs: callAs as CallAs,
    ...(text('stackSetName') === undefined ? {} : { stackSetName: text('stackSetName') }),
    parameters,
  });
  for (const region of regions) {
    const code = new CodeBucketStack(app, `NetReconOrgCode-${region}`, {
      env: { account, region },
      bucketPrefix: synthesizer.bucketPrefix,
      organizationId,
      templateSynthesizer: synthesizer,
    });
    stackSet.addStackDependency(code, 'the instances read the function code from the code buckets');
  }
}
