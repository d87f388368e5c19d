import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { SourceIngestionService, WebSubSubscriptionsService } from '#signals';

import { Public } from '../auth/auth.decorators.js';

/** Where hubs call: PUBLIC_URL/websub/<sourceId>, outside /v1 (no key: the hub proves itself by intent and signature). */
export const WEBSUB_ROUTE = 'websub';
/** Pushed feeds are read raw, so their signature is checked over the bytes the hub signed. */
export const MAX_WEBSUB_PUSH_BYTES = 5 * 1024 * 1024;

/**
 * The WebSub callback of each feed source (W3C WebSub 5.3 and 7): a hub verifies the intent of a
 * subscription request with a GET (answered with its challenge only for a request we made), and
 * pushes new content with a POST signed with the subscription's secret, stored and routed like a
 * fetch. Not part of the API document: only hubs call it.
 */
@Public()
@ApiExcludeController()
@Controller(WEBSUB_ROUTE)
export class WebSubController {
  constructor(
    private readonly subscriptions: WebSubSubscriptionsService,
    private readonly ingestion: SourceIngestionService,
  ) {}

  @Get(':sourceId')
  async verify(@Param('sourceId') sourceId: string, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const verification = await this.subscriptions.verifyIntent(sourceId, query);
    if (verification.challenge === null) {
      response.status(404).type('text/plain').send(verification.reason);
      return;
    }
    response.status(200).type('text/plain').send(verification.challenge);
  }

  /** 202 whatever the signature: a push that fails it is ignored, as the recommendation allows, so a forger learns nothing. */
  @Post(':sourceId')
  @HttpCode(202)
  async receive(@Param('sourceId') sourceId: string, @Req() request: Request, @Headers('x-hub-signature') signature: string | undefined): Promise<{ accepted: boolean }> {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const outcome = await this.ingestion.receivePush(sourceId, body, request.headers['content-type'] ?? null, signature);
    return { accepted: outcome.accepted };
  }
}
