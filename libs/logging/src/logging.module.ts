import { randomUUID } from 'node:crypto';

import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';

import type { AppConfig } from '#config';

import { colorsWanted, resolveLogFormat } from './log-format.js';

/**
 * Pino logs: JSON lines for machines, or (`LOG_FORMAT=pretty`, the default on a terminal) coloured
 * one-line records through pino-pretty. Every HTTP request gets an id (the caller's X-Request-Id,
 * or a new one) echoed back, and its line says method, path, status and time.
 */
export function loggingModule(config: AppConfig, options: { http: boolean }): DynamicModule {
  const pretty = resolveLogFormat(config.LOG_FORMAT) === 'pretty';
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      autoLogging: options.http,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      customSuccessMessage: (request, response, responseTime) =>
        `${request.method} ${request.url} ${response.statusCode} ${Math.round(responseTime)} ms`,
      customErrorMessage: (request, response) => `${request.method} ${request.url} ${response.statusCode} failed`,
      genReqId: (request: IncomingMessage, response: ServerResponse) => {
        const incoming = request.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        response.setHeader('X-Request-Id', id);
        return id;
      },
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
