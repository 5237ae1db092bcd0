/** cfn-lint on every template of the organization forms, as synthesized (and the StackSet's embedded template). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cfnLint, cfnLintMissing } from '../helpers/cfn-lint';
import { centralApp, orgApp, stackSetApp, STACKSET_CONTEXT } from './org-support';
import { onlyResource } from './support';

/**
 * W3005 (a DependsOn already implied by a Ref or GetAtt) is left out: aws-cdk-lib's Function and BucketDeployment
 * add an explicit DependsOn on their role next to the GetAtt, which is redundant, not wrong, and not ours to change.
 */
const IGNORED = ['W3005'];

const missing = cfnLintMissing();

it('says why the lint cannot run when cfn-lint is absent', () => {
  expect(cfnLintMissing('/nonexistent/cfn-lint')).toMatch(/^no \/nonexistent\/cfn-lint on PATH: pip install cfn-lint/);
});

describe('cfn-lint on the organization templates', () => {
  if (missing !== null) {
    if (process.env.CI) {
      it('cannot run without cfn-lint in CI', () => {
        throw new Error(`the templates were not linted: ${missing}. CI must lint them.`);
      });
    } else {
      console.warn(`SKIPPED cfn-lint on the organization templates: ${missing}`);
      it.skip(`needs cfn-lint: ${missing}`, () => {});
    }
    return;
  }

  it('finds nothing in the StackSet, code bucket, instance and central templates', () => {
    const stackSet = stackSetApp();
    const central = centralApp();
    const tried = orgApp({ ...STACKSET_CONTEXT, org: 'try' });
    const files: string[] = [];
    const write = (name: string, template: unknown) => {
      const file = join(stackSet.outdir, `lint-${name}.template.json`);
      writeFileSync(file, JSON.stringify(template, null, 1));
      files.push(file);
    };
    for (const path of ['NetReconOrgStackSet', 'NetReconOrgCode-eu-west-1', 'NetReconOrgCode-us-east-1']) write(path, stackSet.template(path).toJSON());
    // The template the instances get, exactly as the StackSet carries it.
    write('instance', JSON.parse(onlyResource(stackSet.template('NetReconOrgStackSet'), 'AWS::CloudFormation::StackSet').props.TemplateBody));
    write('central', central.template('NetReconCentral').toJSON());
    write('try', tried.template('NetReconOrgTry').toJSON());
    const result = cfnLint(files, IGNORED);
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('would report a broken template (the linter runs and reads the files)', () => {
    const file = join(stackSetApp().outdir, 'lint-broken.template.json');
    writeFileSync(file, JSON.stringify({ Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { EvaluationPeriods: 'many' } } } }));
    const result = cfnLint([file], IGNORED);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toMatch(/E\d{4}/);
  });
});
