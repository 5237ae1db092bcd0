/** Reading and writing capture files. */
import { readFile, writeFile } from 'node:fs/promises';
import type { Capture } from './capture';
import { CaptureFormatError, validateCapture, type ValidatedCapture } from './validate';
import { NetReconError } from '../core/errors';

export class CaptureFileError extends NetReconError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, { cause: options?.cause });
    this.name = 'CaptureFileError';
  }
}

export async function readCaptureFile(path: string): Promise<ValidatedCapture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a capture file' : String(cause);
    throw new CaptureFileError(path, `cannot read the capture: ${why}. Pass the path of a *.capture.json file.`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CaptureFormatError(path, '$', text.slice(0, 40), `not valid JSON (${(cause as Error).message})`, 'A capture is one JSON object; see docs/capture-format.md.');
  }
  return validateCapture(parsed, path);
}

/** Pretty JSON with each list of timestamps or values on one line, so a capture stays readable and diffable. */
export function formatCaptureJson(capture: Capture): string {
  const text = JSON.stringify(capture, null, 2);
  return `${text.replace(/\[\n\s*((?:(?:"[^"\n]*"|-?[\d.eE+-]+),\n\s*)*(?:"[^"\n]*"|-?[\d.eE+-]+))\n\s*\]/g, (_m, items: string) =>
    `[${items.split(/,\n\s*/).join(', ')}]`,
  )}\n`;
}

export async function writeCaptureFile(path: string, capture: Capture): Promise<void> {
  await writeFile(path, formatCaptureJson(capture), 'utf8');
}
