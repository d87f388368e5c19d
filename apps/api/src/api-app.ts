import type { IncomingMessage } from 'node:http';

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';

import type { AppConfig } from '#config';
import type { DatabaseConnection } from '#db';
import { BootQuietLogger } from '#logging';

import { ApiKeysService } from '#auth';

import { ApiModule } from './api.module.js';
import { authenticateBeforeBody, shouldParseJson } from './auth/authenticate-before-body.js';
import { setUpWebApp, WEB_APP_ROUTES } from './web/web-app-setup.js';
import { recordHttpMetrics } from './health/http-metrics.js';
import { answerClientErrorsWithProblems } from './http/problems/client-error-problems.js';
import { JsonExpressAdapter } from './http/json-express-adapter.js';
import { createOpenApiDocument } from './http/openapi/openapi-document.js';
import { refuseDeepJson } from './http/validation/request-text.guard.js';
import { MAX_OPML_BYTES, OPML_CONTENT_TYPES } from './sources/opml-request-body.js';
import { MAX_WEBSUB_PUSH_BYTES, WEBSUB_ROUTE } from './websub/websub.controller.js';

/** body-parser's `type` test for WebSub pushes (the callback reads its body raw). */
function isWebSubPush(request: IncomingMessage): boolean {
  return request.method === 'POST' && (request.url ?? '').startsWith(`/${WEBSUB_ROUTE}/`);
}

const UNPREFIXED_ROUTES = ['health/live', 'health/ready', 'metrics'];

/** Builds the HTTP application (not yet listening): used by main.ts, the embedded entry and the e2e tests alike. */
export async function createApiApp(config: AppConfig, database: DatabaseConnection): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, database), new JsonExpressAdapter(), {
    bufferLogs: true,
    rawBody: false,
  });
  app.useLogger(new BootQuietLogger(app.get(Logger)));
  // Naming the framework tells an attacker where to start; it helps no client.
  app.disable('x-powered-by');
  answerClientErrorsWithProblems(app.getHttpServer());
  app.use(recordHttpMetrics());
  app.use(authenticateBeforeBody(app.get(ApiKeysService)));
  // Nest's options type leaves out `verify` (it uses it for rawBody, which is off here); Nest passes it on to body-parser as it is.
  const jsonOptions = { limit: '2mb', verify: refuseDeepJson, type: shouldParseJson } as NestExpressBodyParserOptionsFor<'json'>;
  app.useBodyParser('json', jsonOptions);
  // Raw OPML imports are read before the guards and interceptors run, so idempotency can tell one document from another.
  app.useBodyParser('raw', { type: OPML_CONTENT_TYPES, limit: MAX_OPML_BYTES });
  // A hub's push is read as the bytes it signed, whatever its type (Atom, RSS, JSON Feed).
  app.useBodyParser('raw', { type: isWebSubPush, limit: MAX_WEBSUB_PUSH_BYTES });
  app.setGlobalPrefix('v1', { exclude: [...UNPREFIXED_ROUTES, ...WEB_APP_ROUTES, WEBSUB_ROUTE, `${WEBSUB_ROUTE}/{*path}`] });
  setUpWebApp(app);
  // Built on the first request for it, not at start: walking every route's metadata is time a start need not spend.
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json', useGlobalPrefix: false });
  return app;
}
