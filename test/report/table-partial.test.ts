import { describe, expect, it } from 'vitest';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { renderTable } from '../../lambda/report/table';
import { capture, containerInsights, ec2, iface, iso, node, T0 } from '../helpers/capture-builder';

describe('the table cluster line', () => {
  const [a, b] = ['i-0000000000000000a', 'i-0000000000000000b'];
  const series = [...iface(a, 'eth0', 1000, 1000, 5), ec2(a, 'in', [5000]), ec2(a, 'out', [5000]), containerInsights(a, Array(5).fill(2000 / 60))];

  it('says how many node-periods were partial, and so left out of coverage and the ratios', () => {
    // b launched at T0 + 120 with no data yet: partial. Coverage is over a alone: 100 %.
    const text = renderTable(reconcile(capture([node(a), node(b, { launchTime: iso(T0 + 120) })], series, 5), makeReconcileConfig()));
    expect(text).toMatch(/cluster +2 nodes .* agent coverage 100\.0%, 1 not ok, 1 partial$/m);
  });

  it('says nothing of partial nodes when there are none', () => {
    const text = renderTable(reconcile(capture([node(a)], series, 5), makeReconcileConfig()));
    expect(text).toMatch(/agent coverage 100\.0%$/m);
  });
});
