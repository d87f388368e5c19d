import { parse as parseCsv } from 'csv-parse/sync';

import { jsonNestingExceeds, JsonPointerError, resolveJsonPointer } from '#core';

export interface ExtractedReading {
  value: number;
  observedAt: Date;
  /** CSV only: the line the reading came from, for reports. */
  line?: number;
}

export interface SkippedRow {
  /** 1-based line of the CSV data row (the header is line 1). */
  line: number;
  reason: string;
}

/** The document does not yield the reading its source promises; the whole fetch fails with this message. */
export class ReadingExtractionError extends Error {
  override name = 'ReadingExtractionError';
}

export const MAX_CSV_ROWS = 100_000;

/** Deeper than any real JSON endpoint nests; checked before parsing. */
export const MAX_JSON_DEPTH = 64;

/**
 * A number from JSON or CSV: a JSON number, or a string such as "1234.5",
 * " -3 ", "1,234,567.8" (thousands separators) or "12%". Anything else is not a reading.
 */
export function toReadingValue(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string') return null;
  let text = raw.trim().replace(/%$/, '');
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replaceAll(',', '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The value at a JSON Pointer of a JSON document, observed at `observedAt` (the fetch's time, or the server's Last-Modified). */
export function readingFromJson(text: string, pointer: string, observedAt: Date): ExtractedReading {
  // A hostile document under the size cap can still nest deep enough to cost hundreds of MB once parsed.
  if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) throw new ReadingExtractionError(`The response nests deeper than ${MAX_JSON_DEPTH} levels, which is refused`);
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ReadingExtractionError(`The response is not valid JSON (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = resolveJsonPointer(document, pointer);
  } catch (error) {
    if (error instanceof JsonPointerError) throw new ReadingExtractionError(`JSON Pointer ${pointer} finds nothing: ${error.message}`);
    throw error;
  }
  const value = toReadingValue(raw);
  if (value === null) {
    throw new ReadingExtractionError(`JSON Pointer ${pointer} designates ${JSON.stringify(raw)?.slice(0, 100)}, not a number`);
  }
  return { value, observedAt };
}

/**
 * One reading per data row of a CSV document with a header line: the value
 * column as a number, the time column as a date. Rows without both are
 * skipped and reported; a missing column fails the whole document.
 */
export function readingsFromCsv(
  text: string,
  columns: { value: string; time: string },
): { readings: ExtractedReading[]; skipped: SkippedRow[] } {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, {
      columns: (header: string[]) => header.map((name) => name.trim()),
      bom: true,
      delimiter: [',', ';', '\t'],
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      to: MAX_CSV_ROWS,
    }) as Record<string, string>[];
  } catch (error) {
    throw new ReadingExtractionError(`The response is not readable CSV (${(error as Error).message})`);
  }
  const first = rows[0];
  if (first) {
    for (const column of [columns.value, columns.time]) {
      if (!Object.hasOwn(first, column)) {
        throw new ReadingExtractionError(`The CSV has no column "${column}" (its columns: ${Object.keys(first).join(', ')})`);
      }
    }
  }
  const readings: ExtractedReading[] = [];
  const skipped: SkippedRow[] = [];
  rows.forEach((row, index) => {
    const line = index + 2;
    const value = toReadingValue(row[columns.value]);
    const time = Date.parse(row[columns.time] ?? '');
    if (value === null) skipped.push({ line, reason: `"${columns.value}" is not a number: ${JSON.stringify(row[columns.value] ?? '')}` });
    else if (Number.isNaN(time)) skipped.push({ line, reason: `"${columns.time}" is not a date: ${JSON.stringify(row[columns.time] ?? '')}` });
    else readings.push({ value, observedAt: new Date(time), line });
  });
  return { readings, skipped };
}
