import { describe, expect, it } from 'vitest';
import { counterDelta, parseProcNetDev } from '../../lab/counters';

// The seed experiment's /proc/net/dev (docs/domain.md, "The seed experiment"), in the kernel's own layout.
const SEED = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
  eth0: 2052337175 1676715    0    0    0     0          0         0 1285891238 1208605    0    0    0     0       0          0
eni3c1ae1f0141:  656047    6236    0    0    0     0          0         0   637836    6145    0    0    0     0       0          0
    lo: 1707704   25689    0    0    0     0          0         0  1707704   25689    0    0    0     0       0          0
enie348bef9edc: 6399336   96933    0    0    0     0          0         0 1543213684  139781    0    0    0     0       0          0
  eth1:    2492      89    0    0    0     0          0         0     1130      15    0    0    0     0       0          0
`;

describe('kernel counters', () => {
  it('reads bytes and packets of every interface from /proc/net/dev, long names included', () => {
    const counters = parseProcNetDev(SEED);
    expect([...counters.keys()]).toEqual(['eth0', 'eni3c1ae1f0141', 'lo', 'enie348bef9edc', 'eth1']);
    expect(counters.get('enie348bef9edc')).toEqual({ name: 'enie348bef9edc', rxBytes: 6399336, rxPackets: 96933, txBytes: 1543213684, txPackets: 139781 });
    expect(counters.get('eth0')?.txBytes).toBe(1285891238);
  });

  it('rejects a line that is not sixteen counters', () => {
    expect(() => parseProcNetDev(`h\nh\n  eth0: 1 2 3\n`)).toThrow(/expected 16 counters for eth0/);
  });

  it('gives each interface what it moved between two snapshots', () => {
    const before = parseProcNetDev(SEED);
    const after = new Map(before);
    after.set('eth0', { ...before.get('eth0')!, rxBytes: before.get('eth0')!.rxBytes + 1000, txPackets: before.get('eth0')!.txPackets + 3 });
    const eth0 = counterDelta(before, after).find((d) => d.name === 'eth0');
    expect(eth0).toEqual({ name: 'eth0', rxBytes: 1000, txBytes: 0, rxPackets: 0, txPackets: 3 });
  });

  it('refuses a counter that went backwards or an interface that vanished, rather than report a wrong delta', () => {
    const before = parseProcNetDev(SEED);
    const back = new Map(before);
    back.set('lo', { ...before.get('lo')!, rxBytes: 0 });
    expect(() => counterDelta(before, back)).toThrow(/lo went backwards/);
    const gone = new Map(before);
    gone.delete('eth1');
    expect(() => counterDelta(before, gone)).toThrow(/disappeared.*eth1/);
  });
});
