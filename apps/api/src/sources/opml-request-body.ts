import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

import { DomainError } from '#core';
import { decodeResponseText } from '#signals';

/** Content types `POST /v1/sources/import` takes as a raw OPML document, besides JSON `{"opml": ...}`. */
export const OPML_CONTENT_TYPES = ['text/x-opml', 'application/xml', 'text/xml'];

/** The largest raw OPML document read, in bytes (the JSON form takes 1,000,000 characters). */
export const MAX_OPML_BYTES = 2 * 1024 * 1024;

/** A body-parser style error, which the problem filter turns into its usual `payload-too-large` problem. */
function tooLarge(): Error {
  return Object.assign(new Error(`The OPML document may hold at most ${MAX_OPML_BYTES} bytes`), { status: 413, type: 'entity.too.large' });
}

/** Options of a raw OPML import, which has no JSON body to carry them. */
export class ImportOpmlQueryDto {
  @ApiPropertyOptional({ minimum: 60, maximum: 7 * 24 * 3600, description: 'With a raw OPML body: interval for the new sources; default 1800' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  intervalSeconds?: number;

  @ApiPropertyOptional({ description: 'With a raw OPML body: cron schedule (UTC) for the new sources, instead of intervalSeconds' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  schedule?: string;
}

/**
 * Lets the import take a raw OPML document (`text/x-opml`, `application/xml`,
 * `text/xml`), as feed readers export it: the JSON parser leaves such a body
 * unread, so it is read here, after the guards (only a key holder makes the
 * server read it) and before validation, which then sees `{"opml": ...}` as
 * if it had been sent as JSON. The bytes are decoded by the charset the
 * Content-Type or the XML declaration names, as fetched feeds are.
 */
@Injectable()
export class OpmlRequestBodyInterceptor implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.is(OPML_CONTENT_TYPES)) request.body = { opml: await readOpml(request) };
    return next.handle();
  }
}

async function readOpml(request: Request): Promise<string> {
  // Normally read by the raw body parser the API app sets up for these types, before the idempotency check needs it.
  if (Buffer.isBuffer(request.body)) return decodeOpml(request.body, request);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_OPML_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_OPML_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return decodeOpml(Buffer.concat(chunks), request);
}

function decodeOpml(bytes: Buffer, request: Request): string {
  const text = decodeResponseText(bytes, request.headers['content-type'] ?? 'application/xml');
  if (text.trim() === '') throw new DomainError('invalid', 'invalid-opml', 'The body is empty: send the OPML document', 'opml');
  if (text.includes('\0')) throw new DomainError('invalid', 'invalid-opml', 'The document holds a NUL character, which no OPML document may', 'opml');
  return text;
}
