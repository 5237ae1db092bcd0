// E2E_ONLY's section selection: a filtered run must bring the sections a selected one reads from, and never
// silently run nothing or drop the teardown of a deploy it made.
import { describe, expect, it } from 'vitest';
import { selectSections, type Section } from '../../e2e/lib/sections';
import type { StepDefinition } from '../../e2e/lib/steps';

const step = (title: string): StepDefinition => ({ title, run: async () => {} });
const SECTIONS: Section[] = [
  { name: 'emulator', needs: [], steps: [step('start')] },
  { name: 'seed', needs: ['emulator'], steps: [step('seed')] },
  { name: 'deploy', needs: ['seed'], steps: [step('deploy')] },
  { name: 'netrecon', needs: ['deploy'], steps: [step('run'), step('read back')] },
  { name: 'profile-seed', needs: ['emulator'], steps: [step('profile seed')] },
  { name: 'profiles', needs: ['profile-seed'], steps: [step('agentless')] },
  { name: 'teardown', needs: ['deploy'], auto: true, steps: [step('destroy')] },
  { name: 'final', needs: ['emulator'], auto: true, steps: [step('network')] },
];
const titles = (only: string | undefined) => selectSections(SECTIONS, only).steps.map((s) => s.title);

describe('selectSections', () => {
  it('runs every step, in order, without E2E_ONLY', () => {
    expect(titles(undefined)).toEqual(['start', 'seed', 'deploy', 'run', 'read back', 'profile seed', 'agentless', 'destroy', 'network']);
    expect(selectSections(SECTIONS, '').leftOut).toEqual([]);
  });

  it('pulls in what a selected section needs, and the automatic sections whose needs all run', () => {
    expect(titles('^profiles$')).toEqual(['start', 'profile seed', 'agentless', 'network']);
    // A deploy pulled in by netrecon brings its teardown.
    expect(titles('netrecon')).toEqual(['start', 'seed', 'deploy', 'run', 'read back', 'destroy', 'network']);
    expect(selectSections(SECTIONS, 'profiles').leftOut).toEqual(['seed', 'deploy', 'netrecon', 'teardown']);
  });

  it('refuses a pattern that matches nothing, or is no regular expression, instead of running nothing', () => {
    expect(() => selectSections(SECTIONS, 'doctr')).toThrow(/matches no section; the sections are: emulator, seed/);
    expect(() => selectSections(SECTIONS, '(')).toThrow(/is not a regular expression/);
  });
});
