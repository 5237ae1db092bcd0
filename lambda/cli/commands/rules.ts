/** `netrecon rules`: show the interface classification rules, or classify names with them. */
import { buildRules, classifyInterface, containerInsightsCounts } from '../../core/interface-rules';
import { readRuleOverrides } from '../config-files';
import { EXIT, parseOptions, type Command } from '../usage';

const HELP = `Usage: netrecon rules [--rules FILE] [NAME ...]

Without names, lists the interface classification rules in the order they are tried (first match wins).
With names, classifies each one and says whether Container Insights (cAdvisor) counts it.

Options:
  --rules FILE   rule overrides, as for "netrecon reconcile --rules":
                 {"prepend": [{"pattern": "^myif\\\\d+$", "interfaceClass": "physical", "note": "why"}],
                  "vpcCniVethPrefix": "eni"}
                 classes: physical, podVeth, overlay, bridge, loopback
  -h, --help     this help`;

export const rulesCommand: Command = {
  name: 'rules',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseOptions('rules', argv, { rules: { type: 'string' } }, true);
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return EXIT.ok;
    }
    const rules = buildRules(values.rules ? await readRuleOverrides(values.rules) : {});
    if (positionals.length === 0) {
      rules.forEach((r, i) => io.stdout(`${String(i + 1).padStart(2)}  ${r.interfaceClass.padEnd(9)} ${r.pattern.padEnd(34)} ${r.note}\n`));
      return EXIT.ok;
    }
    for (const name of positionals) {
      const { interfaceClass, rule } = classifyInterface(name, rules);
      const counted = containerInsightsCounts(name) ? 'counted by Container Insights' : 'ignored by Container Insights';
      io.stdout(`${name.padEnd(16)} ${interfaceClass.padEnd(9)} ${counted.padEnd(30)} ${rule ? `${rule.pattern} (${rule.note})` : 'no rule matched'}\n`);
    }
    return EXIT.ok;
  },
};
