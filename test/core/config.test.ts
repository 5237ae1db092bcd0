import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_THRESHOLDS, makeReconcileConfig, parseThresholds } from '../../lambda/core/config';

describe('parseThresholds: the shape check every edge shares', () => {
  it('keeps known numeric thresholds', () => {
    expect(parseThresholds({ ec2MismatchRatio: 0.2, residualMinBytes: 0 })).toEqual({ ec2MismatchRatio: 0.2, residualMinBytes: 0 });
  });

  it.each([
    ['not an object', 'high', 'thresholds', 'high'],
    ['a threshold that does not exist', { ec2Mismatch: 0.2 }, 'thresholds.ec2Mismatch', 0.2],
    ['a threshold given as text', { residualRatio: '0.2' }, 'thresholds.residualRatio', '0.2'],
  ])('refuses %s, naming the setting and the value', (_name, value, setting, bad) => {
    try {
      parseThresholds(value);
      expect.unreachable('parseThresholds accepted a bad value');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ setting, value: bad });
    }
  });
});

describe('makeReconcileConfig', () => {
  it('fills the documented defaults', () => {
    const config = makeReconcileConfig();
    expect(config.periodSeconds).toBe(300);
    expect(config.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(config.worstNodeCount).toBe(5);
  });

  it.each([
    [{ periodSeconds: 90 }, /periodSeconds is invalid: 90/],
    [{ thresholds: { ec2MismatchRatio: -1 } }, /thresholds\.ec2MismatchRatio is invalid: -1/],
    [{ thresholds: { minSampleFraction: 1.5 } }, /thresholds\.minSampleFraction is invalid: 1\.5/],
    [{ worstNodeCount: 2.5 }, /worstNodeCount is invalid: 2\.5/],
  ])('refuses %j, naming the setting and the value', (input, message) => {
    expect(() => makeReconcileConfig(input)).toThrow(message);
  });
});
