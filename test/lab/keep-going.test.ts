/** How a run behaves when one phase fails, with and without --keep-going (real namespaces, one phase made to fail). */
import { describe, expect, it } from 'vitest';
import { runLab } from '../../lab/lab';
import { makeRunNames, PROBE_ROLE } from '../../lab/names';
import { runPhase } from '../../lab/phases';
import { LabResources, listNetns } from '../../lab/resources';
import { namespacesForbiddenReason } from '../../lab/netns';

const forbidden = await namespacesForbiddenReason(`${makeRunNames().runId}-${PROBE_ROLE}`);
const skipNote = `network namespaces are not allowed on this machine: ${forbidden}`;

const failingB: typeof runPhase = (plan, ...rest) => (plan.id === 'b' ? Promise.reject(new Error('phase b made to fail')) : runPhase(plan, ...rest));
const leftovers = async (runId: string): Promise<string[]> => (await listNetns()).filter((n) => n.startsWith(`${runId}-`));

describe('a failing phase', () => {
  it('with --keep-going, is reported and the other phases are still measured, then everything is torn down', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const run = await runLab({ mib: 1, phases: ['a', 'b', 'c'], keepGoing: true, timeoutSeconds: 30 }, { resources: new LabResources(), runPhase: failingB });
    expect(run.measurements.map((m) => m.id)).toEqual(['a', 'c']);
    expect(run.failures).toEqual([{ id: 'b', error: 'phase b made to fail' }]);
    expect(run.teardownFailures).toEqual([]);
    expect(await leftovers(run.runId)).toEqual([]);
  }, 60_000);

  it('without --keep-going, stops the run with that error and still tears everything down', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const resources = new LabResources();
    const names = makeRunNames();
    const phasesRun: string[] = [];
    const recording: typeof runPhase = (plan, ...rest) => {
      phasesRun.push(plan.id);
      return failingB(plan, ...rest);
    };
    const options = { mib: 1, phases: ['a', 'b', 'c'] as const, keepGoing: false, timeoutSeconds: 30 };
    await expect(runLab(options, { resources, names, runPhase: recording })).rejects.toThrow('phase b made to fail');
    expect(phasesRun).toEqual(['a', 'b']);
    expect(resources.isEmpty).toBe(true);
    expect(await leftovers(names.runId)).toEqual([]);
  }, 60_000);
});
