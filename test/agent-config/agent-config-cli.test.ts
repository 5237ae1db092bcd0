/** `netrecon agent-config` on the command line: its options, its refusals, and stdout holding the JSON alone. */
import { describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';

async function netrecon(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('netrecon agent-config', () => {
  it('is listed by netrecon --help and has its own --help', async () => {
    expect((await netrecon('--help')).stdout).toMatch(/^ {2}agent-config {2}/m);
    const help = await netrecon('agent-config', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: netrecon agent-config --source-profile enis\|full \[--for ec2\|addon\]/);
  });

  it('prints the instance form by default, and only JSON on stdout', async () => {
    const r = await netrecon('agent-config', '--source-profile', 'enis');
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout) as { agent: Record<string, unknown> };
    expect(config.agent.omit_hostname).toBe(true);
    expect(r.stderr).toMatch(/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2/);
  });

  it('says how to apply the add-on form without replacing the add-on\'s other values', async () => {
    const r = await netrecon('agent-config', '--source-profile', 'full', '--for', 'addon');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('agent.config.metrics');
    expect(r.stderr).toMatch(/merge it into the add-on's current values/);
  });

  it('answers --profile with the AWS CLI meaning and the flag to use instead', async () => {
    const r = await netrecon('agent-config', '--profile', 'full');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'netrecon agent-config: --profile is the AWS credentials profile (as in the AWS CLI), and agent-config makes no AWS call\n' +
        'For the source profile write --source-profile full.\n',
    );
  });

  it.each([
    [[], /--source-profile enis\|full is required/],
    [['--source-profile', 'agentless'], /must be enis or full; got "agentless" \(agentless runs no agent\)/],
    [['--source-profile', 'mixed'], /got "mixed" \(under mixed, pick the agent of the nodes that run one\)/],
    [['--source-profile', 'enis', '--for', 'eks'], /--for must be ec2 or addon; got "eks"/],
    [['--source-profile', 'enis', '--cluster', 'x'], /Unknown option '--cluster'/],
  ])('refuses %j with exit 1 and one line saying why', async (args, message) => {
    const r = await netrecon('agent-config', ...args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});
