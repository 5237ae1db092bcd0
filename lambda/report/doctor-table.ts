/**
 * `netrecon doctor`'s report for a person: a checklist (✓ pass, ! warn, ✗ fail) with the nodes concerned, at most
 * a few named and the rest counted, each fix under its check; the monthly cost per profile; the recommended profile
 * and its deploy command. Every name from the account is escaped (display-text.ts). Pure.
 */
import { displayName } from '../core/display-text';
import { deployCommand } from '../doctor/fixes';
import type { Check, DoctorReport, LastHourSummary, ProfileCost } from '../doctor/model';

const MARK = { pass: '✓', warn: '!', fail: '✗' } as const;
/** Nodes named per check; the rest are counted ("and 120 more"). */
export const NODES_SHOWN = 5;

export function boundedList(items: readonly string[], shown = NODES_SHOWN): string {
  const named = items.slice(0, shown).map((s) => displayName(s, 80));
  const rest = items.length - named.length;
  return rest > 0 ? `${named.join(', ')} and ${rest.toLocaleString('en-US')} more` : named.join(', ');
}

const usd = (x: number): string => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function checkLines(c: Check): string[] {
  const lines = [`${MARK[c.severity]} ${c.code.padEnd(30)} ${displayName(c.summary, 600)}`];
  if (c.instanceIds.length > 0 && c.severity !== 'pass') lines.push(`    nodes: ${boundedList(c.instanceIds)}`);
  if (c.fix && c.severity !== 'pass') {
    lines.push(`    fix: ${displayName(c.fix.text, 600)}`);
    if (c.fix.command) lines.push(`    run: ${displayName(c.fix.command, 600)}`);
    if (c.fix.cdkFlags) lines.push(`    deploy with: ${displayName(c.fix.cdkFlags, 600)}`);
  }
  return lines;
}

export function costTable(costs: readonly ProfileCost[]): string[] {
  const rows = costs.map((c) => [`${c.sourceProfile}${c.counters === 'promql' ? ' + PromQL' : ''}${c.estimated ? ' *' : ''}`, usd(c.netreconUsdPerMonth), usd(c.agentUsdPerMonth), usd(c.totalUsdPerMonth)]);
  const header = ['PROFILE', 'NETRECON', 'AGENT', 'TOTAL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [line(header), ...rows.map(line)];
  if (costs.some((c) => c.estimated)) out.push('* estimate: the agent series this profile would publish, not what the nodes publish now');
  const promqlReads = costs.find((c) => c.counters === 'promql')?.promqlReadsUsdPerMonth;
  if (promqlReads !== undefined) out.push(`+ PromQL: node_exporter's per-device counters read through PromQL instead of the agent's; NETRECON includes the PromQL reads, ${usd(promqlReads)}`);
  return out;
}

/** The node filter a deploy needs: the one nodes-other-tag names, else the one doctor read with. */
export function deployFilter(report: DoctorReport, nodeFilter: string): string {
  const flags = report.checks.find((c) => c.code === 'nodes-other-tag' && c.severity !== 'pass')?.fix?.cdkFlags;
  const m = flags ? /-c nodeFilter=(\S+)/.exec(flags) : null;
  return m ? m[1]! : nodeFilter;
}

/** The last hour's reconcile in one line: what `netrecon reconcile --dry-run` of that window would report. */
export function lastHourLine(lastHour: LastHourSummary | null): string[] {
  if (!lastHour) return [];
  const statuses = Object.entries(lastHour.nodePeriodsByStatus)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n.toLocaleString('en-US')} ${s}`)
    .join(', ');
  const skipped = lastHour.seriesSkipped + lastHour.nodesSkipped;
  return [
    `Last hour (${lastHour.window.start} .. ${lastHour.window.end}) reconciled as ${lastHour.sourceProfile}, as reconcile --dry-run would: ` +
      `${lastHour.nodePeriods.toLocaleString('en-US')} node-periods${statuses ? ` (${statuses})` : ''}${skipped > 0 ? `, ${skipped.toLocaleString('en-US')} inputs skipped` : ''}`,
    '',
  ];
}

export function formatDoctorTable(report: DoctorReport, nodeFilter: string): string {
  const fails = report.checks.filter((c) => c.severity === 'fail').length;
  const warns = report.checks.filter((c) => c.severity === 'warn').length;
  const cluster = displayName(report.cluster, 100);
  const lines = [
    `netrecon doctor: cluster ${cluster} in ${displayName(report.region, 40)}, ${report.nodes.count.toLocaleString('en-US')} node${report.nodes.count === 1 ? '' : 's'} found by the tag ${displayName(report.nodes.tag, 200)}`,
    '',
    ...report.checks.flatMap(checkLines),
    '',
    'Monthly cost per source profile, USD at us-east-1 list prices (free tiers left out; docs/doctor.md, "Costs"):',
    ...costTable(report.costs).map((l) => `  ${l}`),
    '',
    `Recommended source profile: ${report.recommendedProfile}`,
    `  ${deployCommand(cluster, report.recommendedProfile, deployFilter(report, nodeFilter))}`,
    ...(report.promqlRecommendation ? [`Recommended with PromQL: ${report.promqlRecommendation.sourceProfile}: ${displayName(report.promqlRecommendation.reason, 600)}`] : []),
    '',
    ...lastHourLine(report.lastHour),
    report.ready
      ? `Ready: no check failed${report.lastHour?.ok ? ', and a reconcile of the last hour is ok' : ''}${warns > 0 ? ` (${warns} warning${warns === 1 ? '' : 's'} to read)` : ''}.`
      : `Not ready: ${fails} check${fails === 1 ? '' : 's'} failed (✗); fix ${fails === 1 ? 'it' : 'them'} and run netrecon doctor again.`,
  ];
  return `${lines.join('\n')}\n`;
}
