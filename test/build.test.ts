/**
 * The build's own rules (scripts/build.ts): the compiled CLI loads no AWS SDK for what needs none (`--help`,
 * `reconcile --from`), which is what keeps its start short; and a build is stale as soon as one of its inputs changed.
 * The CLI's metafile is the one test/global-build.ts just made fresh.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { metafilePath } from '../scripts/build';
import { staleReason, writeStamp } from '../scripts/build-stamp';

const meta = JSON.parse(readFileSync(metafilePath('cli'), 'utf8')) as Metafile;

/** The source files in the output of `entry` and everything it imports statically (what loads before any import()). */
function staticallyLoaded(entry: string): string[] {
  const start = Object.keys(meta.outputs).find((path) => meta.outputs[path]!.entryPoint === entry);
  if (start === undefined) throw new Error(`no output for ${entry}`);
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imp of meta.outputs[path]!.imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(start);
  return [...seen].flatMap((path) => Object.keys(meta.outputs[path]!.inputs));
}

const sdk = (inputs: string[]) => inputs.filter((i) => /node_modules\/@(aws-sdk|smithy)\//.test(i));

describe('the compiled CLI, split per command', () => {
  it('loads no AWS SDK for --help, nor for reconcile --from', () => {
    const help = [...staticallyLoaded('lambda/cli/entry.ts'), ...staticallyLoaded('lambda/cli/main.ts')];
    expect(help).toContain('lambda/cli/main.ts');
    expect(sdk(help)).toEqual([]);
    const reconcile = staticallyLoaded('lambda/cli/commands/reconcile.ts');
    expect(reconcile).toContain('lambda/core/reconcile.ts');
    expect(sdk(reconcile)).toEqual([]);
  });

  it('loads the SDK with the commands that call AWS (the guard sees it where it is)', () => {
    expect(sdk(staticallyLoaded('lambda/cli/commands/doctor.ts')).length).toBeGreaterThan(0);
    expect(sdk(staticallyLoaded('lambda/cli/commands/reconcile-live.ts')).length).toBeGreaterThan(0);
  });
});

describe('staleReason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netrecon-stamp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const at = (file: string, seconds: number) => utimesSync(join(dir, file), seconds, seconds);

  it('is fresh while every input is older than the build, stale once one changed or is gone', () => {
    writeFileSync(join(dir, 'a.ts'), 'a');
    writeFileSync(join(dir, 'b.ts'), 'b');
    at('a.ts', 1_000);
    at('b.ts', 1_000);
    writeStamp(join(dir, 'stamp.json'), { startedAtMs: 2_000_000, inputs: ['a.ts', 'b.ts'] });
    expect(staleReason(dir, join(dir, 'stamp.json'))).toBeUndefined();
    at('b.ts', 3_000);
    expect(staleReason(dir, join(dir, 'stamp.json'))).toBe('b.ts changed after the build');
    at('b.ts', 1_000);
    rmSync(join(dir, 'a.ts'));
    expect(staleReason(dir, join(dir, 'stamp.json'))).toBe('a.ts is gone');
    expect(staleReason(dir, join(dir, 'absent.json'))).toMatch(/^no build stamp at /);
  });
});
