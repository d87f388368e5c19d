import pc from 'picocolors';

export type LogFormat = 'pretty' | 'json';

/** `LOG_FORMAT` when set; otherwise coloured lines for a person at a terminal and JSON lines for everything else. */
export function resolveLogFormat(configured: string | undefined, stdoutIsTty: boolean = process.stdout.isTTY === true): LogFormat {
  if (configured === 'pretty' || configured === 'json') return configured;
  return stdoutIsTty ? 'pretty' : 'json';
}

/** Colours only where they can be seen (a terminal, no NO_COLOR); FORCE_COLOR turns them on anywhere. */
export function colorsWanted(): boolean {
  return pc.isColorSupported;
}
