/**
 * Whether a build in dist/ still matches the sources (docs/testing.md, "The package and its build"). A build writes
 * a stamp next to its output: the repository files esbuild read (its metafile's inputs, node_modules left out) and
 * the time it started. A build is stale when one of those files changed after that time or is gone, or when
 * `npm ci`/`npm install` ran since (node_modules/.package-lock.json, which npm rewrites on every install, stands
 * for every bundled dependency). No dependency of its own: the compiled CLI bundles this file to check itself.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildStamp {
  /** When the build started, in milliseconds since the epoch (a file saved during the build counts as newer). */
  readonly startedAtMs: number;
  /** Files relative to the package root. */
  readonly inputs: readonly string[];
}

/** What every bundle also depends on: the build's own options and the installed dependencies. */
export const ALWAYS_INPUTS = ['scripts/build.ts', 'scripts/build-stamp.ts', 'node_modules/.package-lock.json'] as const;

export function writeStamp(path: string, stamp: BuildStamp): void {
  writeFileSync(path, `${JSON.stringify(stamp, null, 1)}\n`);
}

/** Why the build stamped at `stampPath` no longer matches the files under `root`, or undefined when it does. */
export function staleReason(root: string, stampPath: string): string | undefined {
  let stamp: BuildStamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as BuildStamp;
  } catch {
    return `no build stamp at ${stampPath}`;
  }
  for (const input of stamp.inputs) {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(join(root, input)).mtimeMs;
    } catch {
      return `${input} is gone`;
    }
    if (mtimeMs > stamp.startedAtMs) return `${input} changed after the build`;
  }
  return undefined;
}
