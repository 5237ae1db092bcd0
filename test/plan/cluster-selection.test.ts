import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../../lambda/core/errors';
import { clusterMatchesTag, clusterTagText, parseClusterTag } from '../../lambda/plan/cluster-selection';

describe('parseClusterTag', () => {
  it('reads KEY=VALUE, KEY, and nothing', () => {
    expect(parseClusterTag('netrecon=enabled')).toEqual({ key: 'netrecon', value: 'enabled' });
    expect(parseClusterTag(' team ')).toEqual({ key: 'team' });
    expect(parseClusterTag('')).toBeNull();
    expect(parseClusterTag('   ')).toBeNull();
  });

  it('splits at the first "=": a value may hold "=", a key may not', () => {
    expect(parseClusterTag('query=a=b')).toEqual({ key: 'query', value: 'a=b' });
  });

  it('takes KEY= as the empty value, which EKS allows', () => {
    expect(parseClusterTag('flag=')).toEqual({ key: 'flag', value: '' });
  });

  it.each(['=enabled', ` ${'k'.repeat(129)}`, `k=${'v'.repeat(257)}`])('refuses %j with the form to write', (text) => {
    expect(() => parseClusterTag(text)).toThrow(InvalidValueError);
    expect(() => parseClusterTag(text)).toThrow(/Write KEY=VALUE .* or KEY/);
  });

  it('accepts the longest key and value EKS accepts', () => {
    expect(parseClusterTag(`${'k'.repeat(128)}=${'v'.repeat(256)}`)).toEqual({ key: 'k'.repeat(128), value: 'v'.repeat(256) });
  });
});

describe('clusterMatchesTag', () => {
  const tags = { netrecon: 'enabled', Team: 'payments', empty: '' };

  it('KEY=VALUE needs that value exactly; case matters, as it does in AWS tags', () => {
    expect(clusterMatchesTag(tags, { key: 'netrecon', value: 'enabled' })).toBe(true);
    expect(clusterMatchesTag(tags, { key: 'netrecon', value: 'Enabled' })).toBe(false);
    expect(clusterMatchesTag(tags, { key: 'team', value: 'payments' })).toBe(false);
    expect(clusterMatchesTag(tags, { key: 'empty', value: '' })).toBe(true);
  });

  it('KEY needs the key, whatever its value (even empty)', () => {
    expect(clusterMatchesTag(tags, { key: 'Team' })).toBe(true);
    expect(clusterMatchesTag(tags, { key: 'empty' })).toBe(true);
    expect(clusterMatchesTag(tags, { key: 'owner' })).toBe(false);
  });

  it('a cluster without tags (DescribeCluster leaves the field out) matches no filter', () => {
    expect(clusterMatchesTag(undefined, { key: 'netrecon' })).toBe(false);
    expect(clusterMatchesTag({}, { key: 'netrecon', value: 'enabled' })).toBe(false);
  });

  it('does not take an inherited property for a tag', () => {
    expect(clusterMatchesTag({}, { key: 'toString' })).toBe(false);
  });

  it('reads as a person writes it', () => {
    expect(clusterTagText({ key: 'netrecon', value: 'enabled' })).toBe('tag netrecon=enabled');
    expect(clusterTagText({ key: 'netrecon' })).toBe('tag key netrecon');
  });
});
