import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { Eta } from 'eta';
import type { NextFunction, Request, Response } from 'express';

import { ActorDirectory } from '#auth';

import { actorsIn, showActorsAsPeople } from '../http/actors/actor-names.js';

/** Where the web app's templates and assets are: beside this file, in the sources (Jest) and in dist/ (nest-cli.json copies them). */
export const WEB_VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));
export const WEB_ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
export const WEB_ASSETS_PREFIX = '/app/assets/';

/** The routes of the web app live outside the API's /v1 prefix. */
export const WEB_APP_ROUTES = ['app', 'app/{*path}'];

/** Scripts and styles from this origin only: no inline script, no inline style, no framing. */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** A content hash per asset, so its URL changes when it does and browsers may keep it for a year. */
function assetVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of ['app.css', 'app.js']) {
    versions[name] = createHash('sha256').update(readFileSync(join(WEB_ASSETS_DIR, name))).digest('hex').slice(0, 12);
  }
  return versions;
}

function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'same-origin');
  next();
}

/** Nest MVC for the web app under /app: Eta templates from files, cookies, static assets and security headers. */
export function setUpWebApp(app: NestExpressApplication): void {
  const eta = new Eta({ views: WEB_VIEWS_DIR, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });
  const versions = assetVersions();
  const directory = app.get(ActorDirectory);
  app.engine('eta', (filePath: string, data: object, done: (error: unknown, html?: string) => void) => {
    // Pages show people, not actor ids: every actor in the page's model is read as its person's name.
    const actors = actorsIn(data);
    const named = actors.size > 0 ? directory.describe(actors).then((names) => showActorsAsPeople(data, names)) : Promise.resolve();
    named.then(
      () => done(null, eta.render(relative(WEB_VIEWS_DIR, filePath), { ...data, assetVersions: versions })),
      (error: unknown) => done(error),
    ).catch((error: unknown) => done(error));
  });
  app.setBaseViewsDir(WEB_VIEWS_DIR);
  app.setViewEngine('eta');
  app.use('/app', securityHeaders);
  // Only the web app's sign-in and session read cookies; the API authenticates by key.
  app.use('/app', cookieParser());
  app.useStaticAssets(WEB_ASSETS_DIR, { prefix: WEB_ASSETS_PREFIX, maxAge: '365d', immutable: true, index: false, fallthrough: false });
}
