import type { LoggerService } from '@nestjs/common';

import { renderJson, renderPretty, type Announcement } from './announcement.js';
import { BootQuietLogger } from './boot-quiet.logger.js';
import { resolveLogFormat } from './log-format.js';

const announcement: Announcement = {
  title: 'Bellwether embedded listening on http://localhost:3000',
  fields: { url: 'http://localhost:3000' },
  lines: [
    { label: 'database', text: 'embedded PGlite in ./data/pglite', fields: { database: 'pglite' } },
    { label: 'admin key', text: '(shown once):', value: 'bw_abcd1234_secret', message: 'admin key (shown once): bw_abcd1234_secret' },
  ],
};

describe('start-up output and log format', () => {
  it('chooses pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes one pino-shaped JSON record a line for machines', () => {
    const records = renderJson(announcement, 1_000).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ level: 30, time: 1_000, msg: 'Bellwether embedded listening on http://localhost:3000', url: 'http://localhost:3000' }),
      expect.objectContaining({ msg: 'database: embedded PGlite in ./data/pglite', database: 'pglite' }),
      expect.objectContaining({ msg: 'admin key (shown once): bw_abcd1234_secret' }),
    ]);
  });

  it('aligns the labels for people, colours only when asked', () => {
    const plain = renderPretty(announcement, false);
    expect(plain).toBe(
      'Bellwether embedded listening on http://localhost:3000\n' +
        '  database   embedded PGlite in ./data/pglite\n' +
        '  admin key  (shown once):\n' +
        '             bw_abcd1234_secret\n',
    );
    expect(renderPretty(announcement, true)).toContain('\u001b[');
  });

  it("moves Nest's per-module and per-route boot lines to debug and keeps the application's at info", () => {
    const seen: [string, unknown, unknown][] = [];
    const sink: LoggerService = {
      log: (message: unknown, context: unknown) => seen.push(['info', message, context]),
      debug: (message: unknown, context: unknown) => seen.push(['debug', message, context]),
      error: () => undefined,
      warn: () => undefined,
    };
    const logger = new BootQuietLogger(sink);
    logger.log('ApiModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/v1/predictions, GET} route', 'RouterExplorer');
    logger.log('Seeded the analysis', 'AnalysisSeedService');
    expect(seen).toEqual([
      ['debug', 'ApiModule dependencies initialized', 'InstanceLoader'],
      ['debug', 'Mapped {/v1/predictions, GET} route', 'RouterExplorer'],
      ['info', 'Seeded the analysis', 'AnalysisSeedService'],
    ]);
  });
});
