import { randomUUID } from 'node:crypto';

import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';

import type { AppConfig } from '#config';

/** Structured JSON logs; every HTTP request gets an id (the caller's X-Request-Id, or a new one) echoed back. */
export function loggingModule(config: AppConfig, options: { http: boolean }): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      autoLogging: options.http,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      genReqId: (request: IncomingMessage, response: ServerResponse) => {
        const incoming = request.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        response.setHeader('X-Request-Id', id);
        return id;
      },
    },
  });
}
