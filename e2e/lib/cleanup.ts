/**
 * Whatever the suite starts (the emulator, child processes, temporary directories) registers how to undo
 * it here; the registry runs on normal completion, on failure, and on Ctrl-C / SIGTERM, newest first.
 */
import type { ChildProcess } from 'node:child_process';

type Undo = { readonly label: string; readonly run: () => Promise<void> | void; readonly sync?: (() => void) | undefined };

const undos: Undo[] = [];
let installed = false;
let running: Promise<void> | null = null;

export function onCleanup(label: string, run: () => Promise<void> | void, sync?: () => void): () => void {
  const undo: Undo = { label, run, sync };
  undos.push(undo);
  installSignalHandlers();
  return () => {
    const at = undos.indexOf(undo);
    if (at >= 0) undos.splice(at, 1);
  };
}

/** Runs every registered undo once, newest first; errors are reported, never thrown. */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const undo = undos.pop()!;
      try {
        await undo.run();
      } catch (error) {
        process.stderr.write(`e2e cleanup: ${undo.label} failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return running;
}

/** Kills a child we started (by its own pid, never by name) and waits up to `graceMs` before SIGKILL. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\ne2e: ${signal} received, stopping the emulator and cleaning up...\n`);
      void cleanupAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  // Last resort if the process exits without awaiting cleanupAll (an uncaught error): synchronous kills only.
  process.once('exit', () => {
    for (const undo of undos.splice(0).reverse()) {
      try {
        undo.sync?.();
      } catch {
        // Nothing more can be done during exit.
      }
    }
  });
}
