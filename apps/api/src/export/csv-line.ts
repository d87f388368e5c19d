import type { ArchiveColumn } from '#db';

/** Characters a spreadsheet takes as the start of a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV record (RFC 4180, CRLF-terminated). Null is an empty field, a time is
 * ISO 8601 in UTC, JSON columns hold their JSON text. A text value a spreadsheet
 * would run as a formula is prefixed with `'`, as OWASP advises.
 */
export function csvLine(values: readonly unknown[], columns?: readonly ArchiveColumn[]): string {
  return `${values.map((value, index) => csvField(value, columns?.[index])).join(',')}\r\n`;
}

function csvField(value: unknown, column: ArchiveColumn | undefined): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (column?.type === 'json') text = JSON.stringify(value);
  else if (typeof value === 'string') text = column?.type === 'text' && FORMULA_START.test(value) ? `'${value}` : value;
  else text = String(value as number | boolean);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}
