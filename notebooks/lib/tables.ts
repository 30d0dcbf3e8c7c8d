// Tables for notebooks: rows (or a danfojs DataFrame) → an HTML table output.
import * as tslab from 'tslab';

export type Row = Record<string, string | number | boolean | null>;

const escapeHtml = (v: unknown) => String(v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
const format = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v === null || v === undefined ? '' : String(v));

/** Displays rows as an HTML table (at most `limit` rows, with a caption). */
export function showTable(rows: readonly Row[], caption = '', limit = 25): void {
  const columns = rows.length > 0 ? Object.keys(rows[0] as Row) : [];
  const head = `<tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows
    .slice(0, limit)
    .map((r) => `<tr>${columns.map((c) => `<td>${escapeHtml(format(r[c]))}</td>`).join('')}</tr>`)
    .join('');
  const more = rows.length > limit ? `<p>${rows.length - limit} more rows not shown</p>` : '';
  tslab.display.html(`<table><caption>${escapeHtml(caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table>${more}`);
}

/** A danfojs DataFrame's rows (dfd.toJSON) as plain objects for showTable and charts. */
export function frameRows(json: unknown): Row[] {
  return json as Row[];
}
