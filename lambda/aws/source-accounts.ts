/**
 * The central reconciler's way into a source account (docs/central.md): its nodes are listed with
 * ec2:DescribeInstances through a role in that account (contract C: `netrecon-source-reader`, one action), assumed
 * with STS AssumeRole; its metrics are read from the monitoring account through OAM (the query's AccountId), so
 * only EC2 needs the role.
 *
 * One AssumeRole per account per run: the accounts' EC2 senders are cached for the run (a run is at most the
 * function's 15 minutes, the session's minimum length), and the credentials renew themselves before they expire
 * should a run (the CLI's) outlast them. A failed AssumeRole is cached too, so every cluster of that account fails
 * with the same typed error without asking STS again.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { NetReconError } from '../core/errors';
import type { Ec2Sender } from './api';

export type StsSender = Pick<STSClient, 'send'>;

export interface SourceRoleSettings {
  /** The role's name, the same in every source account (setting sourceRoleName). */
  readonly roleName: string;
  /** The external id its trust policy requires (setting sourceExternalId), if any. */
  readonly externalId?: string;
}

/** What an EC2 client needs of an assumed role: the SDK's credential identity, with its expiry. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

export type CredentialProvider = () => Promise<TemporaryCredentials>;

/** The session name CloudTrail shows in the source account for every call made through the role. */
export const SOURCE_SESSION_NAME = 'netrecon-central';
/** AssumeRole's minimum: a run needs no more, and a leaked session is worth less the shorter it lives. */
export const SOURCE_SESSION_SECONDS = 900;
/** Renew this long before the expiry, so a request is never signed with credentials about to lapse. */
const RENEW_BEFORE_MS = 60_000;

/** The partition of a Region (`cn-north-1` -> aws-cn), for the role's ARN. */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function sourceRoleArn(accountId: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The source role of an account could not be assumed: that account's clusters fail, the others run. */
export class SourceRoleError extends NetReconError {
  constructor(
    readonly accountId: string,
    readonly roleArn: string,
    reason: string,
    externalId: boolean,
    options?: { cause?: unknown },
  ) {
    const trust = externalId ? 'with the condition sts:ExternalId equal to the setting sourceExternalId' : 'under the condition aws:PrincipalOrgID of your organization';
    super(
      `cannot assume ${roleArn} to list the nodes of account ${accountId} (${reason}); nothing was read or published for its clusters. ` +
        `Fix: deploy the source-account role in account ${accountId} (the organization stack set deploys it; docs/central.md), ` +
        `trusting the reconciler's role ${trust}; or correct the account id of the cluster target or the setting sourceRoleName.`,
      { value: roleArn, ...(options?.cause === undefined ? {} : { cause: options.cause }) },
    );
    this.name = 'SourceRoleError';
  }
}

export interface SourceAccountsDeps {
  readonly sts: StsSender;
  readonly role: SourceRoleSettings;
  readonly partition?: string;
  /** An EC2 sender signing with these credentials (the handler and the CLI build an EC2Client; tests a mock). */
  readonly ec2With: (credentials: CredentialProvider) => Ec2Sender;
  readonly nowMs?: () => number;
  readonly signal?: AbortSignal;
}

/** The source accounts of one run: one assumed role, one EC2 sender per account. */
export class SourceAccounts {
  private readonly byAccount = new Map<string, Promise<Ec2Sender>>();
  /** AssumeRole calls made, for the run's log. */
  assumeRoleCalls = 0;

  constructor(private readonly deps: SourceAccountsDeps) {}

  roleArn(accountId: string): string {
    return sourceRoleArn(accountId, this.deps.role.roleName, this.deps.partition);
  }

  /** The EC2 sender of an account, its role assumed on first use; rejects with SourceRoleError. */
  ec2For(accountId: string): Promise<Ec2Sender> {
    let sender = this.byAccount.get(accountId);
    if (!sender) {
      sender = this.open(accountId);
      sender.catch(() => undefined); // awaited by every caller; this only keeps a cached failure from being unhandled
      this.byAccount.set(accountId, sender);
    }
    return sender;
  }

  private async open(accountId: string): Promise<Ec2Sender> {
    const now = this.deps.nowMs ?? Date.now;
    let current = await this.assume(accountId);
    const provider: CredentialProvider = async () => {
      if (current.expiration !== undefined && current.expiration.getTime() - RENEW_BEFORE_MS <= now()) current = await this.assume(accountId);
      return current;
    };
    return this.deps.ec2With(provider);
  }

  private async assume(accountId: string): Promise<TemporaryCredentials> {
    const roleArn = this.roleArn(accountId);
    const { externalId } = this.deps.role;
    this.assumeRoleCalls++;
    let answer;
    try {
      answer = await this.deps.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: SOURCE_SESSION_NAME,
          DurationSeconds: SOURCE_SESSION_SECONDS,
          ...(externalId === undefined ? {} : { ExternalId: externalId }),
        }),
        this.deps.signal ? { abortSignal: this.deps.signal } : {},
      );
    } catch (error) {
      if (this.deps.signal?.aborted) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SourceRoleError(accountId, roleArn, `STS AssumeRole failed: ${reason}`, externalId !== undefined, { cause: error });
    }
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new SourceRoleError(accountId, roleArn, 'STS AssumeRole answered without credentials', externalId !== undefined);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: new Date(c.Expiration) } : {}),
    };
  }
}
