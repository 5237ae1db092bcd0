import { describe, expect, it } from 'vitest';
import { boundedValue, displayName, escapeControlChars, previewValue } from '../../lambda/core/display-text';

/** 100,000 nested lists, as JSON.parse builds them from "[" x 100,000: deeper than any recursive walk survives. */
const deeplyNested = (): unknown => JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

describe('escapeControlChars', () => {
  it('writes ESC, OSC, CR, BEL, C1 CSI and bidi overrides as \\u escapes, and keeps newlines unless asked', () => {
    const text = 'a\u001b[2Jb\u001b]0;pwned\u0007c\rd\u009be\u202ef\ng';
    expect(escapeControlChars(text)).toBe('a\\u001b[2Jb\\u001b]0;pwned\\u0007c\\u000dd\\u009be\\u202ef\ng');
    expect(escapeControlChars(text, { escapeNewlines: true })).toContain('f\\u000ag');
  });

  it('leaves ordinary text, including non-ASCII letters, untouched', () => {
    expect(escapeControlChars('ip-10-0-1-23.ec2.internal eth0 Zürich 東京')).toBe('ip-10-0-1-23.ec2.internal eth0 Zürich 東京');
  });

  it('keeps JSON valid and equal in value', () => {
    const value = { name: 'x\u009b31m\u2028y' };
    expect(JSON.parse(escapeControlChars(JSON.stringify(value)))).toEqual(value);
  });
});

describe('previewValue and boundedValue', () => {
  it('preview a value nested 100,000 deep without overflowing the stack', () => {
    const text = previewValue(deeplyNested(), 80);
    expect(text.startsWith('[[[[')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(80);
  });

  it('cut a 5 MB string to the bound', () => {
    const text = previewValue('x'.repeat(5_000_000), 120);
    expect(text.length).toBe(120);
    expect(text.endsWith('...')).toBe(true);
  });

  it('escape control characters inside the preview', () => {
    expect(previewValue({ interface: 'eth0\u001b]0;t\u0007' })).toBe('{"interface":"eth0\\u001b]0;t\\u0007"}');
  });

  it('keep a small value as it is and replace a large one by its preview', () => {
    expect(boundedValue({ InstanceId: 'i-1', interface: 5 })).toEqual({ InstanceId: 'i-1', interface: 5 });
    expect(boundedValue(-5)).toBe(-5);
    expect(boundedValue('NaN')).toBe('NaN');
    expect(boundedValue('y'.repeat(1000), 50)).toBe(`${'y'.repeat(47)}...`);
    const big = boundedValue(deeplyNested());
    expect(typeof big).toBe('string');
    expect(() => JSON.stringify(big)).not.toThrow();
  });

  it('displayName puts a name on one line, escaped and bounded', () => {
    expect(displayName('node\r\nfake line', 50)).toBe('node\\u000d\\u000afake line');
    expect(displayName('n'.repeat(1000), 50)).toHaveLength(50);
  });
});
