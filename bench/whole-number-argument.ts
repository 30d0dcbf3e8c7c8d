// A benchmark's whole-number command-line argument (seconds, rounds, counts), refused with its position when it is not one.

/** process.argv[position] as a whole number >= minimum, `fallback` when absent; anything else ends the process (exit 2) with one line. */
export function wholeNumberArgument(position: number, fallback: number, minimum: number): number {
  const text = process.argv[position];
  const value = text === undefined ? fallback : Number(text);
  if (Number.isInteger(value) && value >= minimum) return value;
  console.error(`argument ${position - 1} must be a whole number >= ${minimum}, got ${text}`);
  return process.exit(2);
}
