import { NetReconError } from '../lambda/core/errors';

/** A prop the NetworkReconciler cannot deploy: names the prop, the value and what is allowed. Thrown at synth time. */
export class NetReconPropsError extends NetReconError {
  constructor(
    readonly prop: string,
    value: unknown,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(`NetworkReconciler prop ${prop} is invalid: ${JSON.stringify(value)}. ${hint}`, { value, hint, cause: options?.cause });
    this.name = 'NetReconPropsError';
  }
}
