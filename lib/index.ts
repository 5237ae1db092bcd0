/**
 * The package's main entry (`import { NetworkReconciler } from 'netrecon'`): the construct, its props and the types
 * they use. The function it deploys is the prebuilt bundle in dist/lambda/reconciler/ (scripts/build.ts), so a
 * consumer's synth needs neither esbuild nor netrecon's sources. The core's replay API is `netrecon/core`.
 */
export { NetworkReconciler } from './network-reconciler';
export type { NetworkReconcilerProps, ReconcilerSettings, SourceNames } from './props';
export type { ClusterAlarms } from './alarms';
export { NetReconPropsError } from './errors';
export { NetReconStack, type NetReconStackProps } from './netrecon-stack';
export { AUTO_CLUSTERS } from '../lambda/plan/cluster-selection';
export { SOURCE_PROFILES, type SourceProfile } from '../lambda/core/source-profile';
export { DEFAULT_THRESHOLDS, type Thresholds } from '../lambda/core/config';
export type { InterfaceClass, InterfaceRule, InterfaceRuleOverrides } from '../lambda/core/interface-rules';
