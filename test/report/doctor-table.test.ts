/** The doctor checklist as text: bounded node lists, escaped names, the cost table and the verdict. */
import { describe, expect, it } from 'vitest';
import { boundedList, costTable, formatDoctorTable } from '../../lambda/report/doctor-table';
import type { DoctorReport } from '../../lambda/doctor/model';

const report = (over: Partial<DoctorReport> = {}): DoctorReport => ({
  cluster: 'prod',
  region: 'eu-west-1',
  ready: false,
  recommendedProfile: 'enis',
  nodes: { count: 125, tag: 'eks:cluster-name' },
  lastHour: null,
  checks: [
    { code: 'nodes-found', severity: 'pass', summary: '125 nodes match tag:eks:cluster-name=prod', instanceIds: [] },
    {
      code: 'agent-unclassified-interfaces',
      severity: 'fail',
      summary: 'interface "evil\u001b]0;pwned\u0007"',
      instanceIds: Array.from({ length: 125 }, (_, k) => `i-${k}`),
      fix: { text: 'add a rule', cdkFlags: '-c interfaceRules=…', command: 'netrecon rules' },
    },
  ],
  costs: [
    { sourceProfile: 'agentless', netreconUsdPerMonth: 8.43, agentUsdPerMonth: 0, totalUsdPerMonth: 8.43, estimated: false },
    { sourceProfile: 'full', netreconUsdPerMonth: 1234.5, agentUsdPerMonth: 19.8, totalUsdPerMonth: 1254.3, estimated: true },
  ],
  ...over,
});

describe('the doctor table', () => {
  it('names five nodes and counts the rest', () => {
    expect(boundedList(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c, d, e and 2 more');
    expect(boundedList(['a', 'b'])).toBe('a, b');
  });

  it('prints each check with its mark, nodes and fix; control characters escaped', () => {
    const text = formatDoctorTable(report(), 'tag:eks:cluster-name');
    expect(text).toContain('✓ nodes-found ');
    expect(text).toContain('✗ agent-unclassified-interfaces  interface "evil\\u001b]0;pwned\\u0007"');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('    nodes: i-0, i-1, i-2, i-3, i-4 and 120 more\n');
    expect(text).toContain('    fix: add a rule\n    run: netrecon rules\n    deploy with: -c interfaceRules=…\n');
    expect(text).toContain('Recommended source profile: enis\n  npx cdk deploy -c clusters=prod -c sourceProfile=enis\n');
    expect(text).toMatch(/Not ready: 1 check failed \(✗\); fix it and run netrecon doctor again\.\n$/);
  });

  it('the cost table: dollars with cents, estimates starred and explained', () => {
    expect(costTable(report().costs)).toEqual([
      'PROFILE     NETRECON   AGENT      TOTAL',
      'agentless      $8.43   $0.00      $8.43',
      'full *     $1,234.50  $19.80  $1,254.30',
      '* estimate: the agent series this profile would publish, not what the nodes publish now',
    ]);
  });

  it('a ready report says so, with its warnings counted; the deploy line keeps a non-default node filter', () => {
    const ready = report({ ready: true, checks: [{ code: 'ec2-monitoring', severity: 'warn', summary: 's', instanceIds: ['i-1'] }] });
    const text = formatDoctorTable(ready, 'tag-key:kubernetes.io/cluster/{cluster}');
    expect(text).toMatch(/Ready: no check failed \(1 warning to read\)\.\n$/);
    expect(text).toContain('npx cdk deploy -c clusters=prod -c sourceProfile=enis -c nodeFilter=tag-key:kubernetes.io/cluster/{cluster}');
  });
});
