/**
 * The PutMetricData request body as the SDK itself serializes it, measured without sending anything: a real
 * CloudWatchClient whose request handler keeps the HttpRequest and answers nothing. The command runs through the
 * client's own middleware stack (`resolveMiddleware`, what `client.send` does), so aws-sdk-client-mock, which
 * replaces `send`, does not stand in for the serializer. What CloudWatch's 1 MB counts: docs/aws.md, "How big a
 * PutMetricData request is".
 */
import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';

/** The part of the SDK's HttpRequest read here (typed locally: @smithy/types is no dependency of ours). */
interface HttpRequest {
  readonly body?: unknown;
}

class Captured extends Error {
  constructor(readonly request: HttpRequest) {
    super('captured, not sent');
  }
}

/** Request compression off: the SDK would gzip a body from 10,240 bytes, and the limit is kept on the JSON. */
const client = new CloudWatchClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  maxAttempts: 1,
  disableRequestCompression: true,
  requestHandler: {
    handle: async (request: HttpRequest) => {
      throw new Captured(request);
    },
  },
});

/** Bytes of the body the SDK would send for `input`, uncompressed. */
export async function putMetricDataBodyBytes(input: PutMetricDataCommandInput): Promise<number> {
  const handler = new PutMetricDataCommand(input).resolveMiddleware(client.middlewareStack, client.config, {});
  try {
    await handler({ input });
  } catch (error) {
    if (!(error instanceof Captured)) throw error;
    const body: unknown = error.request.body;
    if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
    if (body instanceof Uint8Array) return body.byteLength;
    throw new TypeError(`unexpected request body type ${Object.prototype.toString.call(body)}`);
  }
  throw new Error('the request handler was not reached');
}
