/**
 * Where a run's CPU went: reads a V8 CPU profile (`node --cpu-prof` writes one `.cpuprofile` per process) and prints
 * the functions and the files with the most self time, as a share of the busy time (every sample but `(idle)`: the
 * run spends much of its wall waiting for the simulated API, which is no one's CPU).
 *
 *   node --max-old-space-size=768 --import tsx bench/one-size.ts --nodes=10000 --cpu-profile=/tmp/run.cpuprofile
 *   npx tsx bench/cpu-profile-top.ts /tmp/run.cpuprofile [--top=25]
 *
 * `--cpu-profile` profiles the measured run alone with its lines mapped to the TypeScript (bench/one-size.ts);
 * `node --cpu-prof` profiles the same process from its start, module loading included, at the compiled text's
 * positions (tsx compiles a module to one line, so every line reads 1). With the simulation in its own process
 * (bench/simulated-aws.ts) either profile is netrecon's alone, plus its side of the channel to the simulator.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
/**
 * Inclusive time of the samples whose stack passes through a frame whose function name or file contains the text:
 * by default esbuild's `__name` helper (keepNames, which the Lambda bundle sets too: lib/reconciler-function.ts)
 * and netrecon's side of the channel to the simulator.
 */
const through = args.filter((a) => a.startsWith('--through=')).map((a) => a.slice(10));
if (through.length === 0) through.push('__name', 'child_process/serialization');
if (files.length !== 1) {
  process.stderr.write('usage: npx tsx bench/cpu-profile-top.ts FILE.cpuprofile [--top=25]\n');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const profile = JSON.parse(readFileSync(files[0]!, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const throughMicros = new Map(through.map((t) => [t, 0]));

/** A file's name as a reader of the repository finds it: relative to the repository, node internals as they are. */
const where = (url: string): string => {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(root) ? path.slice(root.length) : path || '(native)';
};

const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
let busyMicros = 0;
let idleMicros = 0;
profile.samples.forEach((id, i) => {
  // timeDeltas[i] is the time since the previous sample: the time this sample stands for. The first one counts from
  // the profiler's start, which is the profiler's own work (the inspector call that started it), no one's run.
  const micros = i === 0 ? 0 : (profile.timeDeltas[i] ?? 0);
  const frame = byId.get(id)!.callFrame;
  if (frame.functionName === '(idle)') {
    idleMicros += micros;
    return;
  }
  busyMicros += micros;
  const file = where(frame.url);
  const name = `${frame.functionName || '(anonymous)'}  ${frame.url ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros);
  selfByFile.set(file, (selfByFile.get(file) ?? 0) + micros);
  const stack: ProfileNode['callFrame'][] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) stack.push(byId.get(at)!.callFrame);
  for (const t of through) if (stack.some((f) => f.functionName.includes(t) || f.url.includes(t))) throughMicros.set(t, throughMicros.get(t)! + micros);
});

const pct = (x: number): string => `${((100 * x) / busyMicros).toFixed(1).padStart(5)} %`;
const sec = (x: number): string => `${(x / 1e6).toFixed(2).padStart(7)} s`;
const rows = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);

console.log(`${files[0]}: busy ${(busyMicros / 1e6).toFixed(2)} s, idle ${(idleMicros / 1e6).toFixed(2)} s; self time as a share of busy.`);
console.log('\nfunctions:');
for (const [name, micros] of rows(selfByFunction)) console.log(`${pct(micros)} ${sec(micros)}  ${name}`);
console.log('\nfiles:');
for (const [file, micros] of rows(selfByFile)) console.log(`${pct(micros)} ${sec(micros)}  ${file}`);
console.log('\ninclusive, through a frame named (or in a file) containing:');
for (const [t, micros] of throughMicros) console.log(`${pct(micros)} ${sec(micros)}  ${t}`);
