/** The classes of a node's agent interfaces, as the reconciler resolves a `mixed` node (core/source-profile.ts). Pure. */
import { classifyInterface, type CompiledRule, type InterfaceClass } from '../core/interface-rules';

export function interfaceClassesOf(names: Iterable<string>, rules: readonly CompiledRule[]): Set<InterfaceClass> {
  const classes = new Set<InterfaceClass>();
  for (const name of names) classes.add(classifyInterface(name, rules).interfaceClass);
  return classes;
}
