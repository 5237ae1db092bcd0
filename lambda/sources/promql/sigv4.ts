/**
 * SigV4 for the two AWS kinds of PromQL API: CloudWatch's Prometheus-compatible query API (service `monitoring`)
 * and Amazon Managed Service for Prometheus (service `aps`). Signed with @smithy/signature-v4, the AWS SDK's own
 * signer (an explicit dependency for that reason: the query API is plain HTTP, no SDK client sends it), over the
 * exact bytes the reader sends: method, path, host, content type and the form body.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import type { HttpRequest, RequestSigner } from './http-reader';
import type { PromqlKind } from './settings';

export const SIGV4_SERVICE: Readonly<Record<Exclude<PromqlKind, 'prometheus'>, string>> = { cloudwatch: 'monitoring', amp: 'aps' };

const bytesOf = (data: SourceData): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data as Uint8Array));

/** SHA-256 (or HMAC-SHA-256 with a secret) from node:crypto, in the shape the signer takes. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export function sigv4Signer(input: {
  kind: Exclude<PromqlKind, 'prometheus'>;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** For tests: the signing time. */
  now?: () => Date;
}): RequestSigner {
  const signer = new SignatureV4({ service: SIGV4_SERVICE[input.kind], region: input.region, credentials: input.credentials, sha256: NodeSha256 });
  return async (request: HttpRequest) => {
    const query: Record<string, string> = {};
    request.url.searchParams.forEach((v, k) => (query[k] = v));
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        ...(request.url.port ? { port: Number(request.url.port) } : {}),
        path: request.url.pathname,
        query,
        headers: { ...request.headers },
        body: request.body,
      },
      input.now ? { signingDate: input.now() } : {},
    );
    return signed.headers as Record<string, string>;
  };
}
