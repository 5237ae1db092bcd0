import { describe, expect, it } from 'vitest';
import { labInstanceId, makeRunNames, parseLabNetns } from '../../lab/names';

describe('lab names', () => {
  it('gives every namespace of a run the pid and tag, and recognises them again', () => {
    const names = makeRunNames(1234, 'ab12');
    expect(names.netns).toEqual({ srv: 'nr-1234-ab12-srv', node: 'nr-1234-ab12-node', pa: 'nr-1234-ab12-pa', pb: 'nr-1234-ab12-pb' });
    expect(parseLabNetns('nr-1234-ab12-node')).toEqual({ pid: 1234, runId: 'nr-1234-ab12', role: 'node' });
    expect(parseLabNetns('nr-1234-ab12-probe')?.role).toBe('probe');
    expect(parseLabNetns('cni-1234')).toBeNull();
    expect(parseLabNetns('nr-1234-ab12-node-x')).toBeNull();
  });

  it('makes a per-run instance id shaped like EC2 ones', () => {
    expect(labInstanceId('nr-1-aaaa')).toMatch(/^i-0[0-9a-f]{16}$/);
    expect(labInstanceId('nr-1-aaaa')).not.toBe(labInstanceId('nr-1-aaab'));
  });
});
