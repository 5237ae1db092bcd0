import { describe, expect, it } from 'vitest';
import { DEFAULT_MIB, parseLabArgs, UsageError } from '../../lab/args';

describe('lab flags', () => {
  it('runs every phase with the default size unless told otherwise', () => {
    expect(parseLabArgs([])).toMatchObject({ mib: DEFAULT_MIB, phases: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'], json: false, keepGoing: false, out: null });
  });

  it('takes phases in any order but runs them in a, b, c… order, once each', () => {
    expect(parseLabArgs(['--phases', 'c,a,c']).phases).toEqual(['a', 'c']);
  });

  it('names the bad value when a flag is wrong', () => {
    expect(() => parseLabArgs(['--mib', '0'])).toThrow(UsageError);
    expect(() => parseLabArgs(['--mib', '1.5'])).toThrow(/--mib must be a whole number from 1 to 1024, got "1.5"/);
    expect(() => parseLabArgs(['--phases', 'a,z'])).toThrow(/--phases .* got "a,z"/);
    expect(() => parseLabArgs(['--bogus'])).toThrow(/bogus/);
  });
});
