/**
 * Untrusted text on its way to a person. Names (cluster, node, instance, interface) come from EC2 tags and from
 * CloudWatch agent dimensions that any node's role can write, and values come from files a user was handed, so:
 * - control characters are shown escaped (`\u001b`), never written raw: ESC and OSC sequences can rewrite a
 *   terminal's screen or title, CR can overwrite a line, bidirectional overrides can reorder what is shown;
 * - a value is previewed within a length and depth bound, however long or deeply nested it is (a 5 MB string or
 *   100,000 nested lists must not become a 5 MB line or a stack overflow).
 * The escape keeps JSON valid (a `\u00XX` escape inside a JSON string stands for the same character), so the CLI
 * applies it to everything it prints, tables and JSON alike.
 */

/** C0 controls but newline, DEL, C1 controls, the line and paragraph separators, bidirectional marks and overrides. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The text with every control character written as `\uXXXX`. Newlines are kept unless `escapeNewlines` (a name
 * inside a table cell or a one-line message must stay on its line).
 */
export function escapeControlChars(text: string, options: { escapeNewlines?: boolean } = {}): string {
  const pattern = options.escapeNewlines ? UNSAFE_OR_NEWLINE : UNSAFE;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, escapeChar) : text;
}

/** A name for a one-line human message: control characters and newlines escaped, at most `maxChars` long. */
export function displayName(name: string, maxChars = 200): string {
  return truncate(escapeControlChars(name.length > maxChars ? name.slice(0, maxChars) : name, { escapeNewlines: true }), maxChars);
}

function truncate(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, Math.max(0, maxChars - 3))}...` : text;
}

/** Nesting below this depth is shown as `[...]` or `{...}`: the preview never recurses deeper. */
const MAX_PREVIEW_DEPTH = 8;

/**
 * A JSON-like preview of any value, at most `maxChars` long, escaped for a terminal. It stops reading as soon as it
 * has enough text, so its cost is bounded by `maxChars` and MAX_PREVIEW_DEPTH, not by the value's size.
 */
export function previewValue(value: unknown, maxChars = 80): string {
  return render(value, maxChars).text;
}

function render(value: unknown, maxChars: number): { text: string; whole: boolean } {
  const out: string[] = [];
  let whole = true;
  let length = 0;
  const emit = (text: string): boolean => {
    out.push(text);
    length += text.length;
    return length <= maxChars;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (typeof v === 'string') {
      if (v.length > maxChars) whole = false;
      return emit(JSON.stringify(v.length > maxChars ? v.slice(0, maxChars) : v));
    }
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return emit(String(v));
    if (v === undefined) return emit('undefined');
    if (typeof v !== 'object') return emit(String(v));
    const isList = Array.isArray(v);
    if (depth >= MAX_PREVIEW_DEPTH) {
      whole = false;
      return emit(isList ? '[...]' : '{...}');
    }
    if (!emit(isList ? '[' : '{')) return false;
    let first = true;
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      if (!first && !emit(',')) return false;
      first = false;
      if (!isList && !emit(`${JSON.stringify(key.length > maxChars ? key.slice(0, maxChars) : key)}:`)) return false;
      if (!walk((v as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return emit(isList ? ']' : '}');
  };
  if (!walk(value, 0)) whole = false;
  return { text: truncate(escapeControlChars(out.join(''), { escapeNewlines: true }), maxChars), whole };
}

/**
 * A value fit to keep in a report (SkippedItem.value): as it is when it is small (its preview fits `maxChars`
 * whole), else its bounded preview, so printing or serializing the report stays bounded too.
 */
export function boundedValue(value: unknown, maxChars = 200): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  // A long string stays a string, cut: a preview would wrap it in quotes that a later preview quotes again.
  if (typeof value === 'string') return value.length <= maxChars ? value : `${value.slice(0, maxChars - 3)}...`;
  const { text, whole } = render(value, maxChars);
  return whole && text.length < maxChars ? value : text;
}
