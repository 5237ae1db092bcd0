/**
 * The suite's steps come in named sections, so a developer can run a few of them: `E2E_ONLY=REGEX npm run e2e`
 * runs the sections whose name matches, the sections they need (transitively), and every `auto` section whose
 * needs are all running (teardown after a deploy, the network check). CI runs every section: run.ts refuses E2E_ONLY when CI is set.
 */
import type { StepDefinition } from './steps';

export interface Section {
  readonly name: string;
  /** Sections whose results these steps read (a filtered run pulls them in). */
  readonly needs: readonly string[];
  /** Runs whenever all its needs run, whether selected or not (teardown, final checks). */
  readonly auto?: boolean;
  readonly steps: readonly StepDefinition[];
}

export interface Selection {
  readonly steps: StepDefinition[];
  readonly ran: string[];
  readonly leftOut: string[];
}

export function selectSections(sections: readonly Section[], only: string | undefined): Selection {
  if (only === undefined || only === '') return { steps: sections.flatMap((s) => s.steps), ran: sections.map((s) => s.name), leftOut: [] };
  let pattern: RegExp;
  try {
    pattern = new RegExp(only);
  } catch (error) {
    throw new Error(`E2E_ONLY=${only} is not a regular expression: ${(error as Error).message}`);
  }
  const byName = new Map(sections.map((s) => [s.name, s]));
  const chosen = new Set<string>();
  const pull = (name: string) => {
    if (chosen.has(name)) return;
    const section = byName.get(name);
    if (!section) throw new Error(`section ${name} is needed but not defined`);
    chosen.add(name);
    section.needs.forEach(pull);
  };
  const matched = sections.filter((s) => pattern.test(s.name));
  if (matched.length === 0) throw new Error(`E2E_ONLY=${only} matches no section; the sections are: ${sections.map((s) => s.name).join(', ')}`);
  matched.forEach((s) => pull(s.name));
  for (const s of sections) if (s.auto && s.needs.every((n) => chosen.has(n))) pull(s.name);
  const ran = sections.filter((s) => chosen.has(s.name));
  return { steps: ran.flatMap((s) => s.steps), ran: ran.map((s) => s.name), leftOut: sections.filter((s) => !chosen.has(s.name)).map((s) => s.name) };
}
