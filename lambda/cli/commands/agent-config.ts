/** `netrecon agent-config`: print the CloudWatch agent configuration a source profile needs (docs/agent-config.md). */
import {
  AGENT_CONFIG_PROFILES,
  AGENT_CONFIG_TARGETS,
  agentConfig,
  ENI_INTERFACE_GLOBS,
  isAgentConfigProfile,
  isAgentConfigTarget,
  type AgentConfigTarget,
} from '../../agent-config/agent-config';
import { EXIT, UsageError, parseOptions, type Command } from '../usage';

const HELP = `Usage: netrecon agent-config --source-profile enis|full [--for ec2|addon]

Prints, as JSON on stdout, the CloudWatch agent configuration that publishes the per-interface counters
netrecon reads: net_bytes_recv and net_bytes_sent in the CWAgent namespace, every 60 s, one series per
interface with the dimensions InstanceId and interface only. Makes no AWS call.

Options:
  --source-profile P   enis: the ENIs only (${ENI_INTERFACE_GLOBS.join(', ')}), two series per ENI;
                       full: every interface (pod veths too), two series per interface. agentless needs
                       no agent; under mixed, pick enis or full for the nodes that run it.
  --for T              ec2 (default): the agent's JSON file on the instance, e.g.
                         amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:FILE -s
                       addon: the configuration values of the Amazon CloudWatch Observability EKS add-on
                       (aws eks update-addon --configuration-values file://FILE): the agent's JSON under
                       agent.config, with the add-on's default Container Insights and Application Signals
                       sections, which agent.config would otherwise replace. Merge it into the add-on's
                       current values: --configuration-values replaces them all.
  -h, --help           this help

The source profile is --source-profile, not --profile: --profile is the AWS credentials profile, as in the
AWS CLI, and this command uses none. What each profile costs and computes: docs/profiles.md.`;

/** One line on stderr, so that stdout stays the JSON alone (`> FILE`). */
const NEXT_STEP: Readonly<Record<AgentConfigTarget, string>> = {
  ec2: 'netrecon: load it on the instance with: amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:FILE -s\n',
  addon:
    'netrecon: merge it into the add-on\'s current values (aws eks describe-addon --cluster-name C --addon-name amazon-cloudwatch-observability ' +
    '--query addon.configurationValues --output text), then: aws eks update-addon --cluster-name C --addon-name amazon-cloudwatch-observability ' +
    '--configuration-values file://FILE\n',
};

export const agentConfigCommand: Command = {
  name: 'agent-config',
  help: HELP,
  async run(argv, io) {
    const { values } = parseOptions('agent-config', argv, {
      'source-profile': { type: 'string' },
      for: { type: 'string' },
      // Taken only to answer it: someone following the wording would otherwise get "unknown option".
      profile: { type: 'string' },
    });
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return EXIT.ok;
    }
    if (values.profile !== undefined) {
      throw new UsageError(
        '--profile is the AWS credentials profile (as in the AWS CLI), and agent-config makes no AWS call',
        `For the source profile write --source-profile ${values.profile === 'full' ? 'full' : 'enis'}.`,
      );
    }
    const profile = values['source-profile'];
    if (profile === undefined) {
      throw new UsageError('--source-profile enis|full is required', 'enis: the ENIs only (cheapest); full: every interface. See docs/profiles.md.');
    }
    if (!isAgentConfigProfile(profile)) {
      const why = profile === 'agentless' ? ' (agentless runs no agent)' : profile === 'mixed' ? ' (under mixed, pick the agent of the nodes that run one)' : '';
      throw new UsageError(`--source-profile must be ${AGENT_CONFIG_PROFILES.join(' or ')}; got ${JSON.stringify(profile)}${why}`);
    }
    const target = values.for ?? 'ec2';
    if (!isAgentConfigTarget(target)) {
      throw new UsageError(`--for must be ${AGENT_CONFIG_TARGETS.join(' or ')}; got ${JSON.stringify(target)}`, 'ec2: the agent on the instance; addon: the Amazon CloudWatch Observability EKS add-on.');
    }
    io.stdout(`${JSON.stringify(agentConfig(profile, target), null, 2)}\n`);
    io.stderr(NEXT_STEP[target]);
    return EXIT.ok;
  },
};
