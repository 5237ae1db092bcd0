// SIMULATED clock skew, harness only: loaded with `node --require` (through NODE_OPTIONS) into a deployed
// handler's process by the fault suite's clock scenario (e2e/steps/trust-fault-steps.ts). When
// NETRECON_E2E_CLOCK_SKEW_MS is set, `Date.now()` and `new Date()` read that many ms ahead of the machine's
// clock, as on a host whose clock drifted; timers, `performance.now()` and every other process are unaffected.
// The emulator answers with the machine's real time in its `Date` header, which is what the product must trust.
// Plain CommonJS with no dependencies, so it loads before any module of the process under test.
'use strict';

const skewMs = Number(process.env.NETRECON_E2E_CLOCK_SKEW_MS ?? '0');
if (Number.isFinite(skewMs) && skewMs !== 0) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skewMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() + skewMs;
    }
  }
  globalThis.Date = SkewedDate;
}
