import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidValueError, NetReconError } from '../../lambda/core/errors';
import { InterfaceRuleError } from '../../lambda/core/interface-rules';
import { parseEvent } from '../../lambda/handler-event';

describe('the error base', () => {
  it('keeps the value as given, the hint and the cause on every subclass', () => {
    const cause = new Error('inner');
    const e = new ConfigError('maxPeriodsPerRun', 5000, 'Use at most 4032.', { cause });
    expect(e).toBeInstanceOf(NetReconError);
    expect([e.name, e.message, e.value, e.hint, e.cause]).toEqual(['ConfigError', 'maxPeriodsPerRun is invalid: 5000. Use at most 4032.', 5000, 'Use at most 4032.', cause]);
  });

  it('words an invalid value as `what: value. hint`, and lets a subclass keep its own name', () => {
    const e = new InterfaceRuleError('bad prefix', 'ethX', 'Use eni.');
    expect(e).toBeInstanceOf(InvalidValueError);
    expect([e.name, e.message, e.value]).toEqual(['InterfaceRuleError', 'bad prefix: "ethX". Use eni.', 'ethX']);
  });

  it('a bad event is an InvalidValueError carrying the refused value', () => {
    const thrown = (() => {
      try {
        parseEvent([1], ['a'], 1_000_000_000);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(InvalidValueError);
    expect((thrown as InvalidValueError).value).toEqual([1]);
  });
});
