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

/**
 * The prebuilt function bundle (scripts/build.ts) is not where the construct looks: a checkout that was not built
 * (`npm run build`; `npm ci` builds), or a package whose `files` left it out.
 */
export class MissingBuildError extends NetReconError {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    const hint = 'In a checkout of netrecon run `npm run build` (npm ci runs it too); in an installed package this is a packaging defect: reinstall, or report it.';
    super(`netrecon: ${problem}: ${path}. ${hint}`, { value: path, hint });
    this.name = 'MissingBuildError';
  }
}
