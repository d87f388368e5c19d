import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';

/**
 * Writes a handler's JSON answer with JSON.stringify and one `end`, instead of
 * Express's `res.json`, which converts the text to a buffer, hashes it for an
 * ETag and checks request freshness on every answer: about a tenth of the CPU
 * of a small read. The API never offered conditional requests (its reads change
 * with every piece of evidence), so its answers carry no ETag. Anything other
 * than a plain object or array (files, streams, text, HEAD) goes Nest's way.
 */
export class JsonExpressAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!isJsonBody(body) || response.req.method === 'HEAD') return super.reply(response, body, statusCode);
    if (statusCode !== undefined) response.statusCode = statusCode;
    const json = JSON.stringify(body);
    if (!response.hasHeader('Content-Type')) response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(json));
    return response.end(json);
  }
}

function isJsonBody(body: unknown): body is object {
  if (body === null || typeof body !== 'object') return false;
  const prototype = Object.getPrototypeOf(body) as unknown;
  return prototype === Object.prototype || prototype === null || Array.isArray(body);
}
