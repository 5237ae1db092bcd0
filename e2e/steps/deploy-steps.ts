/**
 * Steps: `cdk bootstrap`, `cdk deploy` of netrecon's app (bin/app.ts), the
 * stack's resources checked through their own APIs, the deployed code zip fetched and unzipped; and at the end
 * `cdk destroy` with the same resources checked gone.
 */
import { GetTemplateCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { ENV } from '../../lambda/runtime-config';
import { fetchDeployedFunction, type DeployedFunction } from '../lib/artifact';
import { appStacks, bootstrap, deploy, describeStack, destroy, type DeployOptions } from '../lib/cdk';
import { CLUSTER } from '../lib/cluster-model';
import { checkStackResources, countBy, listStackResources, recheck, type ResourceRow, type TemplateResources } from '../lib/resources';
import { REPO_DIR } from '../lib/sandbox';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../run';

export interface DeployState {
  readonly options: DeployOptions;
  readonly stackNames: readonly string[];
  resources: Map<string, StackResourceSummary[]>;
  rows: ResourceRow[];
  fn?: DeployedFunction;
  /** Resource types in the deployed templates, with counts (alarms included, which moto does not create). */
  templateTypes: Record<string, number>;
  /** The deployed templates' resources, by stack. */
  templates: Map<string, TemplateResources>;
}

function deployOptions(context: SuiteContext): DeployOptions {
  return {
    appDir: REPO_DIR,
    context: { clusters: CLUSTER },
    workDir: context.workDir,
  };
}

export function deploySteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: 'cdk bootstrap against the emulator',
      run: async (figures) => {
        const result = await bootstrap(context.sandbox!, context.clients!, context.workDir);
        figures.notes.push(`cdk bootstrap ${result.seconds.toFixed(1)} s; CDKToolkit complete, assets bucket present`);
      },
    },
    {
      title: `cdk deploy of bin/app.ts with -c clusters=${CLUSTER}`,
      run: async (figures) => {
        const options = deployOptions(context);
        const result = await deploy(context.sandbox!, options);
        const stacks = await appStacks(context.clients!.cfn);
        if (stacks.length === 0) throw new Error(`cdk deploy exited 0 but no stack exists; see ${options.workDir}/cdk-deploy.log`);
        const bad = stacks.filter((s) => !/^(CREATE|UPDATE)_COMPLETE$/.test(s.StackStatus ?? ''));
        if (bad.length > 0) throw new Error(`stack(s) not complete: ${bad.map((s) => `${s.StackName} ${s.StackStatus}`).join(', ')}`);
        const templateTypes: Record<string, number> = {};
        const templates = new Map<string, TemplateResources>();
        for (const s of stacks) {
          const body = JSON.parse((await context.clients!.cfn.send(new GetTemplateCommand({ StackName: s.StackName }))).TemplateBody ?? '{}');
          templates.set(s.StackName!, body.Resources ?? {});
          for (const r of Object.values(body.Resources ?? {}) as { Type: string }[]) templateTypes[r.Type] = (templateTypes[r.Type] ?? 0) + 1;
        }
        context.deployed = { options, stackNames: stacks.map((s) => s.StackName!), resources: new Map(), rows: [], templateTypes, templates };
        figures.notes.push(`cdk deploy ${result.seconds.toFixed(1)} s (synth, esbuild bundle, asset upload to moto S3, change set): ${stacks.map((s) => s.StackName).join(', ')}`);
        const placeholders = context.emulator!.placeholders();
        if (placeholders.length > 0) figures.notes.push(`deployed as placeholders (moto has no CloudFormation model): ${placeholders.join(', ')}`);
      },
    },
    {
      title: 'The stack\'s resources exist in the emulator (asked through each service\'s API)',
      skipBecause: () => (context.deployed ? undefined : 'nothing was deployed'),
      run: async (figures) => {
        const deployed = context.deployed!;
        for (const stack of deployed.stackNames) {
          deployed.resources.set(stack, await listStackResources(context.clients!, stack));
          deployed.rows.push(...(await checkStackResources(context.clients!, stack, deployed.templates.get(stack) ?? {})));
        }
        const counts = countBy(deployed.rows);
        figures.compared = deployed.rows.length;
        const byState = (state: string) => deployed.rows.filter((r) => r.state === state).map((r) => `${r.type.replace(/^AWS::/, '')} ${r.logicalId}`);
        figures.notes.push(`exist (${counts.exists}): ${byState('exists').join(', ')}`);
        if (counts.placeholder) figures.notes.push(`placeholders, not created by moto (${counts.placeholder}): ${byState('placeholder').join(', ')}`);
        if (counts.unchecked) figures.notes.push(`not checked, no probe for the type (${counts.unchecked}): ${byState('unchecked').join(', ')}`);
        const alarms = (deployed.templateTypes['AWS::CloudWatch::Alarm'] ?? 0) + (deployed.templateTypes['AWS::CloudWatch::CompositeAlarm'] ?? 0);
        figures.notes.push(`alarms in the deployed template: ${alarms} (moto creates none; the CDK template assertions in test/ cover them)`);
        const need = ['AWS::Lambda::Function', 'AWS::CloudWatch::Dashboard'];
        const schedule = deployed.rows.some((r) => r.type === 'AWS::Events::Rule' && r.state === 'exists') || (deployed.templateTypes['AWS::Scheduler::Schedule'] ?? 0) > 0;
        const missingKinds = need.filter((t) => !deployed.rows.some((r) => r.type === t && r.state === 'exists'));
        if (!schedule) missingKinds.push('a schedule (AWS::Events::Rule or AWS::Scheduler::Schedule)');
        if (counts.missing > 0 || missingKinds.length > 0) {
          throw new Error(`missing: ${[...byState('missing'), ...missingKinds].join(', ')}`);
        }
      },
    },
    {
      title: 'Fetch the deployed artifact: code zip from the template\'s S3 key, handler and environment from GetFunctionConfiguration',
      skipBecause: () => (context.deployed ? undefined : 'nothing was deployed'),
      run: async (figures) => {
        const deployed = context.deployed!;
        const found: DeployedFunction[] = [];
        for (const stackName of deployed.stackNames) {
          try {
            found.push(
              await fetchDeployedFunction(context.sandbox!, context.clients!, {
                stackName,
                workDir: context.workDir,
                isTarget: (c) => c.Environment?.Variables?.[ENV.clusters] !== undefined,
              }),
            );
          } catch (error) {
            if (deployed.stackNames.length === 1) throw error;
          }
        }
        if (found.length !== 1) throw new Error(`expected one function with ${ENV.clusters} in its environment, found ${found.length}`);
        const fn = found[0]!;
        deployed.fn = fn;
        const c = fn.configuration;
        figures.notes.push(
          `s3://${fn.codeBucket}/${fn.codeKey} (${fn.zipBytes} bytes, sha256 = CodeSha256) -> ${fn.files.join(', ')}`,
          `handler ${c.Handler}, runtime ${c.Runtime}, timeout ${c.Timeout} s, memory ${c.MemorySize} MB, environment: ${Object.entries(c.Environment?.Variables ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        );
        if (c.Environment?.Variables?.[ENV.clusters] !== CLUSTER) {
          throw new Error(`${ENV.clusters} is ${c.Environment?.Variables?.[ENV.clusters]}, not ${CLUSTER} (the -c clusters= context)`);
        }
      },
    },
  ];
}

export function teardownSteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: 'cdk destroy, then the same resources are gone',
      skipBecause: () => (context.deployed ? undefined : 'nothing was deployed'),
      always: true,
      run: async (figures) => {
        const deployed = context.deployed!;
        const result = await destroy(context.sandbox!, deployed.options);
        const left = [];
        for (const name of deployed.stackNames) {
          const stack = await describeStack(context.clients!.cfn, name);
          if (stack && stack.StackStatus !== 'DELETE_COMPLETE') left.push(`${name} ${stack.StackStatus}`);
        }
        const after: ResourceRow[] = [];
        for (const [stack, summaries] of deployed.resources) {
          const existed = summaries.filter((r) => deployed.rows.find((row) => row.logicalId === r.LogicalResourceId)?.state === 'exists');
          after.push(...(await recheck(context.clients!, existed, deployed.templates.get(stack) ?? {})));
        }
        const survivors = after.filter((r) => r.state === 'exists').map((r) => `${r.type} ${r.logicalId}`);
        figures.compared = after.length;
        figures.notes.push(`cdk destroy ${result.seconds.toFixed(1)} s; ${after.length - survivors.length} of ${after.length} resources gone`);
        if (left.length > 0 || survivors.length > 0) throw new Error(`still there after cdk destroy: ${[...left, ...survivors].join(', ')}`);
      },
    },
  ];
}
