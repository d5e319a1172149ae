'use strict';
// Preloaded into a service (NODE_OPTIONS=--require …/clock-skew.js) by the chaos suite: its wall clock
// runs CHAOS_CLOCK_SKEW_MS ahead (or behind, negative) of the machine's. Monotonic timers are untouched.
const skew = Number(process.env.CHAOS_CLOCK_SKEW_MS || 0);
if (skew) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...args);
    }
    static now() {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}
