import { describe, expect, it } from 'vitest';
import { labInstanceId, labNodeName, makeRunNames, parseLabNetns } from '../../lab/names';

describe('lab names', () => {
  it('gives every namespace of a run the pid, tag, topology and role, and recognises them again', () => {
    const names = makeRunNames(1234, 'ab12');
    expect(names.netns('cal', 'n2')).toBe('nr-1234-ab12-cal-n2');
    expect(parseLabNetns('nr-1234-ab12-cal-n2')).toEqual({ pid: 1234, runId: 'nr-1234-ab12', role: 'cal-n2' });
    expect(parseLabNetns('nr-1234-ab12-probe')?.role).toBe('probe');
    // A run from before the CNI topologies, left by a SIGKILL, is still recognised.
    expect(parseLabNetns('nr-1234-ab12-node')?.role).toBe('node');
    expect(parseLabNetns('cni-1234')).toBeNull();
    expect(parseLabNetns('nr-1234-ab12-cal-n2-x')).toBeNull();
    expect(parseLabNetns('nr-1234-ab12-xyz-n1')).toBeNull();
  });

  it('makes per-node instance ids shaped like EC2 ones and node names after the primary address', () => {
    expect(labInstanceId('nr-1-aaaa-vpc-n1')).toMatch(/^i-0[0-9a-f]{16}$/);
    expect(labInstanceId('nr-1-aaaa-vpc-n1')).not.toBe(labInstanceId('nr-1-aaaa-cal-n1'));
    expect(labNodeName('198.18.0.2', 'calico')).toBe('ip-198-18-0-2.calico.netrecon-lab.internal');
  });
});
