import pc from 'picocolors';

import { colorsWanted, type LogFormat } from './log-format.js';

/** One fact of a start-up announcement: a label and its text for people, fields for machines. */
export interface AnnouncementLine {
  label: string;
  text: string;
  /** The JSON record's message when `label: text` does not read well. */
  message?: string;
  /** Set apart on a line of its own (the admin key shown once). */
  value?: string;
  fields?: Record<string, unknown>;
  /** Something to set before people rely on it: a warning (yellow; level 40 in JSON). */
  warning?: boolean;
}

export interface Announcement {
  title: string;
  fields?: Record<string, unknown>;
  lines: AnnouncementLine[];
}

/**
 * Writes the few lines that matter at start-up straight to stdout, whatever `LOG_LEVEL` says: an
 * aligned, coloured block for a terminal, or one JSON record a line (pino's shape, level 30) for a
 * log collector.
 */
export function writeAnnouncement(announcement: Announcement, format: LogFormat, out: NodeJS.WritableStream = process.stdout): void {
  out.write(format === 'json' ? renderJson(announcement) : renderPretty(announcement, colorsWanted()));
}

export function renderJson(announcement: Announcement, now = Date.now()): string {
  const record = (msg: string, fields: Record<string, unknown> | undefined, level = 30): string =>
    `${JSON.stringify({ level, time: now, pid: process.pid, context: 'Startup', ...fields, msg })}\n`;
  return [
    record(announcement.title, announcement.fields),
    ...announcement.lines.map((line) =>
      record(line.message ?? `${line.label}: ${line.text}${line.value ? ` ${line.value}` : ''}`, line.fields, line.warning ? 40 : 30),
    ),
  ].join('');
}

export function renderPretty(announcement: Announcement, colors: boolean): string {
  const c = pc.createColors(colors);
  const width = Math.max(...announcement.lines.map((line) => line.label.length)) + 2;
  const lines = [c.bold(c.green(announcement.title))];
  for (const line of announcement.lines) {
    lines.push(`  ${c.dim(line.label.padEnd(width))}${line.warning ? c.yellow(line.text) : line.text}`);
    if (line.value) lines.push(`  ${' '.repeat(width)}${c.bold(c.yellow(line.value))}`);
  }
  return `${lines.join('\n')}\n`;
}
