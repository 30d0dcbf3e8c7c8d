// Rounding for the numbers an assessment reports: Number(value.toFixed(digits)), several times cheaper.
//
// toFixed formats the exact binary value as a string, which costs about half a microsecond; an assessment rounds some
// 25 numbers (issue 21). toFixed picks the integer n nearest to |value| x 10^digits (the larger on a tie). Below 1e9 the
// product is rounded to a double, but k + 0.5 is a double too, and rounding is monotonic: a product computed on one side
// of a halfway point is exactly on that side, so only a product of exactly k + 0.5 is ambiguous, and it goes to toFixed.
// n divided by the exact power of ten is the correctly rounded double of the decimal toFixed writes: the same number.
// Large values, NaN and infinities go to toFixed as well.

const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
const LARGEST_SCALED = 1e9;

/** Number(value.toFixed(digits)), for digits 0-6 on the fast path and any digits toFixed takes otherwise. */
export function roundToDecimals(value: number, digits: number): number {
  const scale = POWERS_OF_TEN[digits];
  if (scale !== undefined) {
    const scaled = Math.abs(value) * scale;
    if (scaled < LARGEST_SCALED) {
      const whole = Math.floor(scaled);
      const fraction = scaled - whole;
      if (fraction !== 0.5) {
        const n = fraction > 0.5 ? whole + 1 : whole;
        // toFixed writes a minus sign for every negative value (-0.0001 -> "-0.00" -> -0), none for -0 itself
        return (value < 0 ? -n : n) / scale;
      }
    }
  }
  return Number(value.toFixed(digits));
}
