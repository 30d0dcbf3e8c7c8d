// Plain-text tables for the terminal: right-aligned numbers, left-aligned text.

export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  // one number of decimals per column, so 78 and 70.68 in the same column read as 78.00 and 70.68
  const decimals = headers.map((_, i) => Math.max(0, ...rows.map((r) => (typeof r[i] === 'number' ? decimalsNeeded(r[i]) : 0))));
  const cells = rows.map((row) => row.map((v, i) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(decimals[i]) : String(v)) : v)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const isNumeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (isNumeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

/** Decimals that show a number exactly, at most 3 (1 from 100 up, where more is noise). */
function decimalsNeeded(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return 0;
  const most = Math.abs(v) >= 100 ? 1 : 3;
  for (let d = 1; d < most; d++) if (Math.abs(v * 10 ** d - Math.round(v * 10 ** d)) < 1e-6) return d;
  return most;
}
