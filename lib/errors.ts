/** A prop the NetworkReconciler cannot deploy: names the prop, the value and what is allowed. Thrown at synth time. */
export class NetReconPropsError extends Error {
  constructor(
    readonly prop: string,
    readonly value: unknown,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(`NetworkReconciler prop ${prop} is invalid: ${JSON.stringify(value)}. ${hint}`, options);
    this.name = 'NetReconPropsError';
  }
}
