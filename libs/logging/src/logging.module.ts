import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';

import type { AppConfig } from '#config';

import { colorsWanted, resolveLogFormat } from './log-format.js';
import { requestLogOptions } from './request-log.js';

/**
 * Pino logs: JSON lines for machines, or (`LOG_FORMAT=pretty`, the default on a terminal) coloured
 * one-line records through pino-pretty, with a line per HTTP request (see requestLogOptions).
 */
export function loggingModule(config: AppConfig, options: { http: boolean }): DynamicModule {
  const pretty = resolveLogFormat(config.LOG_FORMAT) === 'pretty';
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      ...requestLogOptions({ autoLogging: options.http }),
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: {
                colorize: colorsWanted(),
                translateTime: 'SYS:HH:MM:ss.l',
                // The request line already says what req and res would; the context leads the message.
                ignore: 'pid,hostname,context,req,res,responseTime',
                messageFormat: '{if context}{context}: {end}{msg}',
                singleLine: true,
              },
            },
          }
        : {}),
    },
  });
}
