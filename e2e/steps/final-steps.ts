/** The last step: no process of the run tried to reach anything but loopback. */
import { existsSync, readFileSync } from 'node:fs';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

export function finalSteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: 'No real endpoint was contacted (network guard log of every Node process of the run)',
      always: true,
      skipBecause: () => (context.sandbox ? undefined : 'the emulator never started'),
      run: async (figures) => {
        const log = context.sandbox!.netLogPath;
        const refused = existsSync(log) ? readFileSync(log, 'utf8').trim() : '';
        figures.notes.push(refused ? `refused connections:\n${refused}` : `no connection outside loopback was attempted (${log} empty)`);
        if (refused) throw new Error('a process of the run tried to reach a non-loopback address (listed above)');
      },
    },
  ];
}
