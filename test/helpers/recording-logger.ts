/** A runner logger that keeps every info, warn and error line, for tests that assert what a run logged. */
export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly data?: unknown;
}

export function recordingLogger(): { logs: LogLine[]; logger: { info(m: string, d?: unknown): void; warn(m: string, d?: unknown): void; error(m: string, d?: unknown): void; debug(): void } } {
  const logs: LogLine[] = [];
  const line = (level: string) => (message: string, data?: unknown): void => void logs.push({ level, message, data });
  return { logs, logger: { info: line('info'), warn: line('warn'), error: line('error'), debug: () => undefined } };
}
