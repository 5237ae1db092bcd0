/**
 * What the e2e steps share, and what the seed and deploy steps leave in it. Its own module so that the step
 * files and e2e/run.ts depend on it, not on each other.
 */
import type { StackResourceSummary } from '@aws-sdk/client-cloudformation';
import type { DeployedFunction } from './artifact';
import type { DeployOptions } from './cdk';
import type { Clients } from './clients';
import type { ClusterModel } from './cluster-model';
import type { Emulator } from './emulator';
import type { ExpectedPeriod } from './expected';
import type { SpecSeedResult, Timeline } from './profile-seeds';
import type { ResourceRow, TemplateResources } from './resources';
import type { Sandbox } from './sandbox';
import type { SeedResult } from './seed';

export interface SeedState {
  readonly model: ClusterModel;
  readonly result: SeedResult;
  readonly expected: readonly ExpectedPeriod[];
  readonly window: { readonly startEpochSeconds: number; readonly endEpochSeconds: number };
}

/** What `cdk deploy` made: bin/app.ts makes one stack. */
export interface DeployState {
  readonly options: DeployOptions;
  readonly stackName: string;
  /** The deployed template's resources by logical id, fetched once after the deploy. */
  readonly template: TemplateResources;
  /** Resource types in the deployed template, with counts (alarms included, which moto does not create). */
  readonly templateTypes: Readonly<Record<string, number>>;
  /** The stack's resources as CloudFormation listed them, and each one's state asked through its own service. */
  resources: StackResourceSummary[];
  rows: ResourceRow[];
  fn?: DeployedFunction;
}

/** The profile and misconfiguration clusters (seed-clusters.ts), seeded in one batch. */
export interface SpecSeedState {
  readonly result: SpecSeedResult;
  readonly timeline: Timeline;
}

/** Everything the steps share. */
export interface SuiteContext {
  readonly workDir: string;
  emulator?: Emulator;
  sandbox?: Sandbox;
  clients?: Clients;
  seed?: SeedState;
  specSeed?: SpecSeedState;
  deployed?: DeployState;
}
