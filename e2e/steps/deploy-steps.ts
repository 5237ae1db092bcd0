/**
 * Steps: `cdk bootstrap`, `cdk deploy` of netrecon's app (bin/app.ts), the
 * stack's resources checked through their own APIs, the deployed code zip fetched and unzipped; and at the end
 * `cdk destroy` with the same resources checked gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { build, LAMBDA_DIR } from '../../scripts/build';
import { RUN_SETTINGS } from '../../lambda/settings';
import { fetchDeployedFunction } from '../lib/artifact';
import { appStacks, bootstrap, deploy, describeStack, destroy, type DeployOptions } from '../lib/cdk';
import { CLUSTER } from '../lib/cluster-model';
import { checkResources, countBy, listStackResources, type TemplateResources } from '../lib/resources';
import { REPO_DIR } from '../lib/sandbox';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

function deployOptions(context: SuiteContext): DeployOptions {
  return {
    appDir: REPO_DIR,
    // The seeded model's hand formula is the full profile's (a node without the agent is missingAgent).
    context: { clusters: CLUSTER, sourceProfile: 'full' },
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
        // The app deploys the prebuilt bundle (dist/lambda/reconciler/); built here when stale, so that the synth
        // below only stages it (bin/app.ts would rebuild it too, but the step should say which it deployed).
        const rebuilt = await build({ targets: ['lambda'], ifStale: true, log: (line) => figures.notes.push(line) });
        if (rebuilt.length === 0) figures.notes.push('prebuilt bundle dist/lambda/reconciler/ up to date with the sources: deployed as built');
        const result = await deploy(context.sandbox!, options);
        const stacks = await appStacks(context.clients!.cfn);
        if (stacks.length !== 1) {
          throw new Error(`cdk deploy exited 0 but ${stacks.length} stacks exist (bin/app.ts makes one): ${stacks.map((s) => s.StackName).join(', ') || 'none'}; see ${options.workDir}/cdk-deploy.log`);
        }
        const stack = stacks[0]!;
        if (!/^(CREATE|UPDATE)_COMPLETE$/.test(stack.StackStatus ?? '')) throw new Error(`stack not complete: ${stack.StackName} ${stack.StackStatus}`);
        const body = JSON.parse((await context.clients!.cfn.send(new GetTemplateCommand({ StackName: stack.StackName }))).TemplateBody ?? '{}');
        const template: TemplateResources = body.Resources ?? {};
        const templateTypes: Record<string, number> = {};
        for (const r of Object.values(template)) templateTypes[r.Type] = (templateTypes[r.Type] ?? 0) + 1;
        context.deployed = { options, stackName: stack.StackName!, template, templateTypes, resources: [], rows: [] };
        figures.notes.push(`cdk deploy ${result.seconds.toFixed(1)} s (synth staging the prebuilt bundle, asset upload to moto S3, change set): ${stack.StackName}`);
        const placeholders = context.emulator!.placeholders();
        if (placeholders.length > 0) figures.notes.push(`deployed as placeholders (moto has no CloudFormation model): ${placeholders.join(', ')}`);
      },
    },
    {
      title: 'The stack\'s resources exist in the emulator (asked through each service\'s API)',
      skipBecause: () => (context.deployed ? undefined : 'nothing was deployed'),
      run: async (figures) => {
        const deployed = context.deployed!;
        deployed.resources = await listStackResources(context.clients!, deployed.stackName);
        deployed.rows = await checkResources(context.clients!, deployed.resources, deployed.template);
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
        const fn = await fetchDeployedFunction(context.sandbox!, context.clients!, {
          stackName: deployed.stackName,
          resources: deployed.resources,
          template: deployed.template,
          workDir: context.workDir,
          isTarget: (c) => c.Environment?.Variables?.[RUN_SETTINGS.clusters.env] !== undefined,
        });
        deployed.fn = fn;
        const c = fn.configuration;
        figures.notes.push(
          `s3://${fn.codeBucket}/${fn.codeKey} (${fn.zipBytes} bytes, sha256 = CodeSha256) -> ${fn.files.join(', ')}`,
          `handler ${c.Handler}, runtime ${c.Runtime}, timeout ${c.Timeout} s, memory ${c.MemorySize} MB, environment: ${Object.entries(c.Environment?.Variables ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        );
        // The deployed code is the prebuilt bundle, byte for byte: nothing was bundled at synth or deploy time.
        const differ = ['index.mjs', 'index.mjs.map'].filter((file) => !readFileSync(join(fn.taskRoot, file)).equals(readFileSync(join(LAMBDA_DIR, file))));
        if (fn.files.join(',') !== 'index.mjs,index.mjs.map' || differ.length > 0) {
          throw new Error(`the deployed zip (${fn.files.join(', ')}) is not dist/lambda/reconciler/ as built${differ.length ? `: ${differ.join(', ')} differ` : ''}`);
        }
        figures.notes.push('deployed code = dist/lambda/reconciler/index.mjs and its map, byte for byte');
        if (c.Environment?.Variables?.[RUN_SETTINGS.clusters.env] !== CLUSTER) {
          throw new Error(`${RUN_SETTINGS.clusters.env} is ${c.Environment?.Variables?.[RUN_SETTINGS.clusters.env]}, not ${CLUSTER} (the -c clusters= context)`);
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
        const stack = await describeStack(context.clients!.cfn, deployed.stackName);
        const left = stack && stack.StackStatus !== 'DELETE_COMPLETE' ? [`${deployed.stackName} ${stack.StackStatus}`] : [];
        const existed = deployed.resources.filter((r) => deployed.rows.find((row) => row.logicalId === r.LogicalResourceId)?.state === 'exists');
        const after = await checkResources(context.clients!, existed, deployed.template);
        const survivors = after.filter((r) => r.state === 'exists').map((r) => `${r.type} ${r.logicalId}`);
        figures.compared = after.length;
        figures.notes.push(`cdk destroy ${result.seconds.toFixed(1)} s; ${after.length - survivors.length} of ${after.length} resources gone`);
        if (left.length > 0 || survivors.length > 0) throw new Error(`still there after cdk destroy: ${[...left, ...survivors].join(', ')}`);
      },
    },
  ];
}
