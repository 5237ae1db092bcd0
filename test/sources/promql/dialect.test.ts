/**
 * The queries of the CloudWatch dialect (Prometheus 3: quoted UTF-8 names such as "@resource.host.id") cannot run
 * on the Prometheus 2.42 here, so they are checked against Prometheus 3's own grammar: @prometheus-io/lezer-promql,
 * the parser of Prometheus' web UI. Each query must parse without an error node, be a range selection, and its
 * matchers, read back from the parse tree and unquoted, must be exactly the ones meant (the regex of node ids
 * matching each id whole, and nothing else).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { planQueries, queryText, splitQuery, type PlannedQuery } from '../../../lambda/sources/promql/query-plan';
import { promqlSettings } from '../../../lambda/sources/promql/settings';

interface Parsed {
  readonly errors: number[];
  readonly top: string;
  readonly metric: string | null;
  readonly matchers: Array<{ label: string; op: string; value: string }>;
}

/** A double-quoted literal's value: netrecon writes only the \\, \" and \n escapes, a subset JSON shares with Go. */
const unquote = (lit: string): string => JSON.parse(lit) as string;

function parse(q: string): Parsed {
  const tree = parser.parse(q);
  const errors: number[] = [];
  const matchers: Parsed['matchers'] = [];
  let metric: string | null = null;
  const cursor = tree.cursor();
  const text = (from: number, to: number) => q.slice(from, to);
  do {
    if (cursor.type.isError) errors.push(cursor.from);
    if (cursor.name === 'LabelMatchers') {
      const node = cursor.node;
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.name === 'QuotedLabelName' && metric === null) metric = unquote(text(child.from, child.to));
        if (child.name === 'QuotedLabelMatcher' || child.name === 'UnquotedLabelMatcher') {
          const name = child.firstChild!;
          const op = name.nextSibling!;
          const value = op.nextSibling!;
          matchers.push({ label: name.name === 'LabelName' ? text(name.from, name.to) : unquote(text(name.from, name.to)), op: text(op.from, op.to), value: unquote(text(value.from, value.to)) });
        }
      }
    }
  } while (cursor.next());
  return { errors, top: tree.topNode.firstChild?.name ?? '', metric, matchers };
}

const settings = promqlSettings({ kind: 'cloudwatch', url: 'https://monitoring.us-east-1.amazonaws.com', region: 'us-east-1' });
const ids = ['i-0123456789abcdef0', 'i-0fedcba9876543210', 'i-00000000000000001'];
const all = (q: PlannedQuery): PlannedQuery[] => [q, ...(splitQuery(q) ?? []).flatMap((p) => (p.nodeValues.length < q.nodeValues.length || p.deviceClass !== q.deviceClass ? [p] : []))];

describe("the CloudWatch dialect against Prometheus 3's grammar (lezer-promql)", () => {
  const planned = planQueries({ settings, nodeValues: ids, windowStartSeconds: 1_772_359_200, windowEndSeconds: 1_772_366_400 });

  it('every planned query, and every split of one, parses as a range selection with no error', () => {
    const queries = planned.flatMap(all).flatMap((q) => [q, ...(splitQuery({ ...q, nodeValues: [ids[0]!] }) ?? [])]);
    expect(queries.length).toBeGreaterThan(planned.length);
    for (const q of queries) {
      const text = queryText(q, settings, 'prod "eu" \\ cluster');
      const p = parse(text);
      expect(p.errors, text).toEqual([]);
      expect(p.top, text).toBe('MatrixSelector');
    }
  });

  it('the matchers read back from the tree are the quoted OTLP labels meant, with the values unchanged', () => {
    const q = planned[0]!;
    const p = parse(queryText(q, settings, 'prod "eu" \\ cluster'));
    expect(p.metric).toBe('node_network_receive_bytes_total');
    expect(p.matchers.map((m) => [m.label, m.op])).toEqual([
      ['@resource.k8s.cluster.name', '='],
      ['@resource.host.id', '=~'],
    ]);
    expect(p.matchers[0]!.value).toBe('prod "eu" \\ cluster');
    const re = new RegExp(`^(?:${p.matchers[1]!.value})$`);
    for (const id of ids) expect(re.test(id)).toBe(true);
    expect(re.test('i-0123456789abcdef')).toBe(false);
    expect(re.test('xi-0123456789abcdef0')).toBe(false);
  });

  it("a device split's class reads back as the characters meant", () => {
    const [low, high, rest] = splitQuery({ ...planned[0]!, nodeValues: [ids[0]!] })!;
    for (const [q, yes, no] of [
      [low, ['!x', '.a', '0eth', 'Eth'], ['eth0', 'lo']],
      [high, ['eth0', 'lo', 'vxlan.calico', '~x'], ['0eth', 'Eth']],
      [rest!, ['éth0'], ['eth0', 'Eth', '!x']],
    ] as const) {
      const m = parse(queryText(q!, settings, 'prod')).matchers.find((x) => x.label === 'device')!;
      const re = new RegExp(`^(?:${m.value})$`);
      const matches = (d: string) => (m.op === '!~' ? !re.test(d) : re.test(d));
      for (const d of yes) expect(matches(d), `${d} ${m.op} ${m.value}`).toBe(true);
      for (const d of no) expect(matches(d), `${d} ${m.op} ${m.value}`).toBe(false);
    }
  });

  it('the classic dialect writes the same selection unquoted, which the grammar parses too', () => {
    const classic = promqlSettings({ kind: 'amp', url: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1' });
    const p = parse(queryText({ ...planned[0]!, nodeValues: ['ip-10-0-0-1.ec2.internal'] }, classic, 'prod'));
    expect(p.errors).toEqual([]);
    expect(p.matchers.map((m) => m.label)).toEqual(['instance']);
  });
});
