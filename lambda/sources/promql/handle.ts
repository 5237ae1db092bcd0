/**
 * Builds the PromQL source's handle at an edge (the CLI, the handler): its reader, signed with the credentials of
 * the run when the kind is an AWS one. The only file of the source that reaches for credentials.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { PromqlHttpReader } from './http-reader';
import type { PromqlSourceSettings } from './settings';
import { sigv4Signer } from './sigv4';
import type { PromqlSourceHandle } from './source';

export function promqlHandle(settings: PromqlSourceSettings, options: { profile?: string | undefined; credentials?: AwsCredentialIdentityProvider; abortSignal?: AbortSignal } = {}): PromqlSourceHandle {
  let signer;
  if (settings.kind !== 'prometheus') {
    if (settings.region === undefined) throw new Error(`a ${settings.kind} PromQL API is signed for its region: give the region (--region or AWS_REGION)`);
    signer = sigv4Signer({
      kind: settings.kind,
      region: settings.region,
      credentials: options.credentials ?? defaultProvider(options.profile ? { profile: options.profile } : {}),
    });
  }
  const reader = new PromqlHttpReader({
    baseUrl: settings.url,
    timeoutMs: settings.timeoutMs,
    ...(signer ? { signer } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  return { settings, reader };
}
