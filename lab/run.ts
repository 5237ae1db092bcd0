/**
 * `npm run lab`: the namespace lab's entry. Wiring only: flags, signals, output. See ./lab.ts for the run,
 * ./capture.ts for the capture and docs/lab.md for what it shows.
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { EXIT, HELP, type LabArgs, parseLabArgs, UsageError } from './args';
import { buildLabCapture } from './capture';
import { cleanStaleNamespaces, runLab } from './lab';
import { makeRunNames, PROBE_ROLE } from './names';
import { renderTable } from '../lambda/report/table';
import type { ReconcileReport } from '../lambda/core/model';
import { writeAndReconcile, writeHtmlReport } from './reconcile-step';
import { LabResources } from './resources';
import { renderSummaryText, summarise } from './summary';
import { namespacesForbiddenReason } from './netns';
import { rulesClasses } from './rules-cli';
import { whyNoNodeExporter } from './node-exporter';
import { whyNoPrometheus } from './prometheus';

/** After a signal, the orderly teardown gets this long before the synchronous one takes over. */
const SIGNAL_GRACE_MS = 20_000;

class LabInterrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'LabInterrupted';
  }
}

const exitCodeFor = (signal: NodeJS.Signals): number => (signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint);

async function labMain(args: LabArgs, resources: LabResources, signal: AbortSignal, progress: (line: string) => void): Promise<number> {
  const wallStartMs = Date.now();
  const names = makeRunNames();
  const forbidden = await namespacesForbiddenReason(`${names.runId}-${PROBE_ROLE}`);
  if (forbidden) {
    process.stderr.write(`netrecon lab: this machine does not allow the lab: ${forbidden}\nRun it as root on Linux (CAP_NET_ADMIN, CAP_SYS_ADMIN).\n`);
    return EXIT.forbidden;
  }

  const nodeExporterMissing = await whyNoNodeExporter();
  if (nodeExporterMissing) progress(`node_exporter check not run: ${nodeExporterMissing}`);
  const prometheusMissing = nodeExporterMissing ?? whyNoPrometheus();
  if (prometheusMissing && !nodeExporterMissing) progress(`Prometheus chain not run: ${prometheusMissing}`);
  const run = await runLab(
    { mib: args.mib, phases: args.phases, keepGoing: args.keepGoing, timeoutSeconds: args.timeoutSeconds, nodeExporter: nodeExporterMissing === null, prometheus: prometheusMissing === null },
    { resources, signal, progress, names },
  );
  if (run.measurements.length === 0) {
    process.stderr.write('netrecon lab: no phase completed, so there is no capture to reconcile.\n');
    for (const f of run.failures) process.stderr.write(`  phase ${f.id}: ${f.error}\n`);
    return EXIT.failed;
  }

  const capturePath = resolve(args.out ?? join(tmpdir(), `netrecon-lab-${run.runId}.capture.json`));
  const captureInput = {
    runId: run.runId,
    startedAtMs: run.startedAtMs,
    capturedAtMs: Date.now(),
    mib: args.mib,
    phases: run.topologies.flatMap((t) =>
      t.measurements.map((measurement) => ({
        measurement,
        nodes: t.topology.nodes.map((n) => ({ ...n, uplinks: (t.groundTruth.get(n.key) ?? []).filter((d) => d.kernelClass === 'physical').map((d) => d.name) })),
      })),
    ),
  };
  const { capture, periods } = buildLabCapture(captureInput);
  const chainRan = run.measurements.some((m) => m.chain);
  await mkdir(dirname(capturePath), { recursive: true });
  const reconcileStartMs = Date.now();
  let report: ReconcileReport | null = null;
  let reconcileError: string | null = null;
  let htmlReportPath: string | null = null;
  let classes = new Map<string, string>();
  try {
    report = await writeAndReconcile(capture, capturePath);
    progress(`capture written to ${capturePath}`);
    htmlReportPath = await writeHtmlReport(report, capturePath);
    progress(`HTML report written to ${htmlReportPath}`);
    const deviceNames = run.topologies.flatMap((t) => [...t.groundTruth.values()].flatMap((devices) => devices.map((d) => d.name)));
    classes = await rulesClasses(deviceNames, signal);
  } catch (error) {
    reconcileError = (error as Error).message;
  }
  // The whole chain: the same capture but for its per-interface series, which are what came through Prometheus.
  const promqlCapturePath = chainRan ? `${capturePath.replace(/(\.capture)?\.json$/, '')}.promql.capture.json` : null;
  let promqlReport: ReconcileReport | null = null;
  if (promqlCapturePath) {
    try {
      promqlReport = await writeAndReconcile(buildLabCapture({ ...captureInput, agentFrom: 'promql' }).capture, promqlCapturePath);
      progress(`PromQL capture written to ${promqlCapturePath}`);
    } catch (error) {
      reconcileError = `${reconcileError ? `${reconcileError}; ` : ''}the PromQL capture: ${(error as Error).message}`;
    }
  }
  const reconcileMs = Date.now() - reconcileStartMs;

  const summary = summarise({ run, mib: args.mib, capturePath, htmlReportPath, periods, report, reconcileError, rulesClasses: classes, nodeExporterMissing, prometheusMissing, promqlReport, promqlCapturePath, reconcileMs, wallMs: Date.now() - wallStartMs });
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(`${renderSummaryText(summary)}\n`);
    if (report) process.stdout.write(`\nThe reconciler's report (the same as: ${summary.replayCommand}):\n\n${renderTable(report)}`);
  }
  // A failed check fails the run as a failed phase does: the lab exists to say whether netrecon agrees with the kernel.
  return summary.ok ? EXIT.ok : EXIT.failed;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: LabArgs;
  try {
    args = parseLabArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`netrecon lab: ${error.message}\n`);
    return EXIT.usage;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const progress = args.quiet ? () => undefined : (line: string) => process.stderr.write(`[lab] ${line}\n`);
  if (args.cleanStale) {
    const { deleted, failed } = await cleanStaleNamespaces(progress);
    process.stdout.write(`deleted ${deleted.length} stale lab namespace(s)${deleted.length ? `: ${deleted.join(', ')}` : ''}\n`);
    for (const f of failed) process.stderr.write(`could not delete ${f}\n`);
    return failed.length > 0 ? EXIT.failed : EXIT.ok;
  }

  const resources = new LabResources();
  const controller = new AbortController();
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      // A second Ctrl-C: stop waiting for the orderly teardown.
      resources.releaseSync();
      process.exit(exitCodeFor(signal));
    }
    interrupted = signal;
    progress(`${signal}: stopping, then tearing down (send it again to force)`);
    controller.abort(new LabInterrupted(signal));
    setTimeout(() => {
      resources.releaseSync();
      process.exit(exitCodeFor(signal));
    }, SIGNAL_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Whatever path ends the process, nothing of the run survives it.
  process.on('exit', () => {
    if (!resources.isEmpty) resources.releaseSync();
  });

  try {
    return await labMain(args, resources, controller.signal, progress);
  } catch (error) {
    if (interrupted) {
      process.stderr.write(`netrecon lab: interrupted by ${interrupted}; everything it created was removed.\n`);
      return exitCodeFor(interrupted);
    }
    process.stderr.write(`netrecon lab: ${(error as Error).message}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main(process.argv.slice(2));
