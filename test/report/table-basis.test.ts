/**
 * The basis of each node-period (agent or ec2) in the text table and the HTML report: under `mixed` one cluster
 * holds both, and CORRECTED means a different count on each (docs/profiles.md).
 */
import { describe, expect, it } from 'vitest';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { renderHtml } from '../../lambda/report/html';
import { renderTable } from '../../lambda/report/table';
import { capture, containerInsights, ec2, iface, node } from '../helpers/capture-builder';

/** i-agent publishes eth0 counters (mixed resolves it to enis: basis agent); i-noagent has EC2 and Container Insights only (agentless: basis ec2). */
function mixedReport(withAgentlessNode = true) {
  const ids = withAgentlessNode ? ['i-agent', 'i-noagent'] : ['i-agent'];
  const series = ids.flatMap((id) => [ec2(id, 'in', [5000, 5000]), ec2(id, 'out', [2500, 2500]), containerInsights(id, Array(10).fill(1500 / 60))]);
  return reconcile(capture(ids.map((id) => node(id)), [...series, ...iface('i-agent', 'eth0', 1000, 500)]), makeReconcileConfig({ sourceProfile: 'mixed' }));
}

const columnOf = (header: string, title: string) => header.indexOf(title);

describe('the text table shows each node-period\'s basis', () => {
  it('has a BASIS column: agent for the node with agent counters, ec2 for the other, both counted on the cluster line', () => {
    const lines = renderTable(mixedReport()).split('\n');
    const header = lines.find((l) => l.startsWith('PERIOD (UTC)'))!;
    const at = columnOf(header, 'BASIS');
    expect(at).toBeGreaterThan(columnOf(header, 'NODE'));
    expect(at).toBeLessThan(columnOf(header, 'EC2 IN+OUT'));
    const cell = (prefix: string) => lines.filter((l) => l.includes(prefix)).map((l) => l.slice(at).split(/\s{2,}/)[0]);
    expect(cell('  i-agent  ')).toEqual(['agent', 'agent']);
    expect(cell('  i-noagent  ')).toEqual(['ec2', 'ec2']);
    expect(cell('  cluster  ')).toEqual(['1 agent, 1 ec2', '1 agent, 1 ec2']);
    expect(lines).toContain(
      "BASIS: where CORRECTED comes from. agent: the ENIs' own counters. ec2: EC2 NetworkIn + NetworkOut (no agent data), " +
        'and DOUBLE-COUNTED is Container Insights minus EC2, an estimate of the pod traffic.',
    );
  });

  it('names the one basis on the cluster line, and leaves the legend out, when every node is on the agent', () => {
    const text = renderTable(mixedReport(false));
    const header = text.split('\n').find((l) => l.startsWith('PERIOD (UTC)'))!;
    const clusterLines = text.split('\n').filter((l) => l.includes('  cluster  '));
    expect(clusterLines.map((l) => l.slice(columnOf(header, 'BASIS')).split(/\s{2,}/)[0])).toEqual(['agent', 'agent']);
    expect(text).not.toContain('BASIS: where');
  });
});

describe('the HTML report shows each node-period\'s basis', () => {
  it('says it under the node name of every listed node-period', () => {
    const html = renderHtml(mixedReport());
    const rows = [...html.matchAll(/<tr data-instance-id="([^"]+)".*?data-basis="(\w+)">([^<]*)</g)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toHaveLength(4);
    for (const [id, basis, words] of rows) {
      expect(basis).toBe(id === 'i-agent' ? 'agent' : 'ec2');
      expect(words).toBe(id === 'i-agent' ? 'basis: agent (ENI counters)' : 'basis: EC2 (no agent data)');
    }
  });
});
