/**
 * The SIMULATED AWS's own process (forked by bench/simulated-aws.ts): FakeAws (test/helpers/fake-aws.ts) answering
 * the benchmark's calls over the IPC channel, with its latency, per-call limits and quotas, so that none of its CPU
 * or memory lands in the process that measures netrecon.
 */
import { FakeAws } from '../test/helpers/fake-aws';
import { buildNodes, type FromSimulator, type ToSimulator } from './simulated-aws';

let fake: FakeAws | undefined;

const reply = (m: FromSimulator): void => {
  process.send!(m);
};

process.on('message', (m: ToSimulator) => {
  if (m.t === 'init') {
    fake = new FakeAws(buildNodes(m.nodes), m.options);
    reply({ t: 'ready' });
    return;
  }
  if (!fake) throw new Error(`the simulated AWS got ${m.t} before init`);
  if (m.t === 'stats') {
    const cpu = process.cpuUsage();
    reply({ t: 'stats', id: m.id, stats: { counters: fake.counters, cpuMicros: cpu.user + cpu.system, peakRssMiB: process.resourceUsage().maxRSS / 1024 } });
    return;
  }
  fake.handle(m.op, m.input).then(
    (value) => reply({ t: 'result', id: m.id, value }),
    (error: unknown) => {
      const e = error as { name?: string; message?: string; $fault?: unknown; $metadata?: unknown };
      reply({ t: 'error', id: m.id, error: { name: e.name ?? 'Error', message: e.message ?? String(error), $fault: e.$fault, $metadata: e.$metadata } });
    },
  );
});

// The benchmark closes the channel when it is done (or dies): nothing is left to answer.
process.on('disconnect', () => process.exit(0));
