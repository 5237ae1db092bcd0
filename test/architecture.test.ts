/**
 * The layout's rules a reader relies on: lambda/core/ and lambda/plan/ are pure (they never talk to the network,
 * the file system or a clock of their own), lambda/aws/ holds the files that send requests and the machinery
 * they share, and no module of the repository imports itself through others (a cycle makes the order modules
 * load in matter, and two files that need each other are one concept split badly). Checked on the import
 * statements, so a new file cannot quietly break them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PURE_DIRS = ['lambda/core', 'lambda/plan', 'lambda/agent-config', 'lambda/doctor'];
/** Every directory of the repository's own TypeScript, for the import-cycle check. */
const SOURCE_DIRS = ['lambda', 'lib', 'bin', 'e2e', 'bench', 'lab', 'scripts', 'test'];
const AWS_DIR = 'lambda/aws';
/** Files of lambda/aws/ that send nothing themselves: the runtime every request goes through, the clients, pacing, the clients' measured clock. */
const AWS_MACHINERY = ['api.ts', 'clients.ts', 'throttle.ts', 'server-clock.ts'];
/** Modules that reach outside the process (or read its clock of their own accord); pure code imports none. */
const IO_MODULES = /^(node:)?(fs|fs\/promises|http|https|http2|net|tls|dgram|dns|child_process|worker_threads|timers|timers\/promises)$|^@middy\/|^@aws-lambda-powertools\//;

interface ImportStatement {
  readonly from: string;
  /** `import type ...`, or every named binding marked `type`: erased at compile time. */
  readonly typeOnly: boolean;
  readonly text: string;
}

/** The static imports and re-exports of a TypeScript source, and its dynamic imports (never type-only). */
function importsOf(source: string): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+([^;]*?)\s+from\s+['"]([^'"]+)['"]/gms)) {
    const clause = m[2]!;
    const named = /^\{([^}]*)\}$/.exec(clause.trim());
    const allTypeNamed = named !== null && named[1]!.split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '));
    out.push({ from: m[3]!, typeOnly: clause.startsWith('type ') || allTypeNamed, text: m[0].trim() });
  }
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ from: m[1]!, typeOnly: false, text: m[0].trim() });
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ from: m[1]!, typeOnly: false, text: m[0] });
  return out;
}

/** Why a pure file's import is not allowed, or null. `file` is relative to the repository. */
function pureViolation(file: string, imp: ImportStatement): string | null {
  if (imp.from.startsWith('.')) {
    const target = relative(REPO, resolve(REPO, dirname(file), imp.from));
    if (target === AWS_DIR || target.startsWith(`${AWS_DIR}/`)) return `imports ${target}, the code that calls AWS`;
    return null;
  }
  if (imp.from.startsWith('@aws-sdk/') && !imp.typeOnly) return `imports values from ${imp.from} (only its types may be used)`;
  if (IO_MODULES.test(imp.from)) return `imports ${imp.from}`;
  return null;
}

const tsFiles = (dir: string): string[] =>
  readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );

/** The repository file a relative import names (`./a` is ./a.ts or ./a/index.ts), or null for a package. */
function resolveImport(file: string, from: string, exists: (file: string) => boolean): string | null {
  if (!from.startsWith('.')) return null;
  const base = relative(REPO, resolve(REPO, dirname(file), from)).replace(/\.js$/, '');
  return [`${base}.ts`, `${base}/index.ts`, base].find(exists) ?? null;
}

/**
 * One import cycle per group of modules that import each other (type-only imports count: they tie the files
 * together for a reader as much as value imports), each as the path `a -> b -> a`; none when the graph is acyclic.
 */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('importsOf and pureViolation (the guard itself)', () => {
  it('tells type-only imports from value imports', () => {
    const found = importsOf(
      "import type { MetricDatum } from '@aws-sdk/client-cloudwatch';\n" +
        "import { type A, type B } from './a';\n" +
        "import { PutMetricDataCommand, type MetricDatum as M } from '@aws-sdk/client-cloudwatch';\n" +
        "export { x } from '../y';\n" +
        "const m = await import('node:fs');\n",
    );
    expect(found.map((i) => [i.from, i.typeOnly])).toEqual([
      ['@aws-sdk/client-cloudwatch', true],
      ['./a', true],
      ['@aws-sdk/client-cloudwatch', false],
      ['../y', false],
      ['node:fs', false],
    ]);
  });

  it('rejects an SDK command, anything from lambda/aws/ (types included) and file or network modules', () => {
    const check = (file: string, line: string) => importsOf(line).map((i) => pureViolation(file, i))[0];
    expect(check('lambda/plan/x.ts', "import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';")).toMatch(/values from @aws-sdk/);
    expect(check('lambda/plan/x.ts', "import { callAws } from '../aws/api';")).toMatch(/lambda\/aws\/api/);
    expect(check('lambda/core/x.ts', "import type { AwsRuntime } from '../aws/api';")).toMatch(/lambda\/aws\/api/);
    expect(check('lambda/plan/x.ts', "import { readFileSync } from 'node:fs';")).toMatch(/node:fs/);
    expect(check('lambda/plan/x.ts', "import type { MetricDatum } from '@aws-sdk/client-cloudwatch';")).toBeNull();
    expect(check('lambda/plan/x.ts', "import { isoOf } from '../core/units';")).toBeNull();
  });
});

describe('importCycles (the guard itself)', () => {
  it('names the files of a cycle in import order, and finds none in a tree', () => {
    expect(importCycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts', 'd.ts']], ['d.ts', []]]))).toEqual(['a.ts -> b.ts -> c.ts -> a.ts']);
    expect(importCycles(new Map([['a.ts', ['b.ts', 'c.ts']], ['b.ts', ['c.ts']], ['c.ts', []]]))).toEqual([]);
  });

  it('resolves a relative import to its file, and a package to nothing', () => {
    const exists = (f: string) => ['lambda/core/units.ts', 'lambda/plan/index.ts'].includes(f);
    expect(resolveImport('lambda/core/x.ts', './units', exists)).toBe('lambda/core/units.ts');
    expect(resolveImport('lambda/aws/x.ts', '../plan', exists)).toBe('lambda/plan/index.ts');
    expect(resolveImport('lambda/core/x.ts', 'vitest', exists)).toBeNull();
  });
});

describe('the layout', () => {
  it('no module imports itself through others', () => {
    const files = SOURCE_DIRS.flatMap(tsFiles);
    expect(files.length).toBeGreaterThan(100);
    const exists = (file: string) => existsSync(join(REPO, file)) && file.endsWith('.ts');
    const graph = new Map(
      files.map((file) => [
        file,
        importsOf(readFileSync(join(REPO, file), 'utf8')).flatMap((imp) => resolveImport(file, imp.from, exists) ?? []),
      ]),
    );
    // Break a cycle by moving what both files need (a type, an error class) into a small file both import.
    expect(importCycles(graph), 'import cycles').toEqual([]);
  });

  it.each(PURE_DIRS)('%s never calls AWS, the file system or the network', (dir) => {
    const files = tsFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    const violations = files.flatMap((file) => {
      const source = readFileSync(join(REPO, file), 'utf8');
      const found = importsOf(source).flatMap((imp) => {
        const why = pureViolation(file, imp);
        return why ? [`${file}: ${why}`] : [];
      });
      if (/\bcallAws\b|\.send\(/.test(source)) found.push(`${file}: sends a request`);
      return found;
    });
    expect(violations).toEqual([]);
  });

  it('every file of lambda/aws/ sends requests, or is the machinery they go through', () => {
    const idle = tsFiles(AWS_DIR).filter((file) => {
      if (AWS_MACHINERY.includes(file.slice(AWS_DIR.length + 1))) return false;
      const source = readFileSync(join(REPO, file), 'utf8');
      // STS AssumeRole (source-accounts.ts) is sent directly: it is no quota-paced CloudWatch or EC2 call.
      return !/\bcallAws\b|\bgetMetricDataPages\b|\.send\(/.test(source);
    });
    // A file here that sends nothing is pure planning: it belongs in lambda/plan/ (or the core).
    expect(idle).toEqual([]);
  });
});
