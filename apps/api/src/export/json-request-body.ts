import type { Request } from 'express';

import { DomainError } from '#core';

import { refuseDeepJson } from '../http/validation/request-text.guard.js';

/** A body-parser style error, which the problem filter turns into its usual problem (`payload-too-large`, `malformed-body`). */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type });
}

/**
 * Reads a JSON body the global parser leaves alone (`/v1/import`, far larger
 * than the 2 MB every other route takes), stopping at `limit` bytes. Called
 * from the handler, so only an authorised key ever makes the server read it.
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  if (!request.is('application/json')) {
    throw new DomainError('invalid', 'unsupported-media-type', 'The body must be application/json (an export document)', 'body');
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw bodyError(413, 'entity.too.large', `The body may hold at most ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.unpipe();
      throw bodyError(413, 'entity.too.large', `The body may hold at most ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  refuseDeepJson(request, null, body);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw bodyError(400, 'entity.parse.failed', (error as Error).message);
  }
}
