// Preloaded into a gateway process (NODE_OPTIONS=--require) to move its clock by CLOCK_SKEW_MS, as a host whose
// NTP stopped: Date.now() and new Date() are off by that much; timers and performance.now() are not.
const skew = Number(process.env.CLOCK_SKEW_MS || 0);
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
