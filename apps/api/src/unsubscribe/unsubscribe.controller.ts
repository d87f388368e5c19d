import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

import { SubscribersService } from '#notify';

import { Public } from '../auth/auth.decorators.js';
import { AcceptsContentTypes } from '../http/validation/request-shape.guard.js';

export class UnsubscribeParams {
  @IsString()
  @MaxLength(200)
  token!: string;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">${body}</body></html>`;
}

/**
 * Unsubscribe links from digests (RFC 8058): the signed token in the URL is
 * the whole credential, no API key. A GET only shows a button (mail scanners
 * follow links); the POST, which one-click clients send as
 * `List-Unsubscribe=One-Click`, unsubscribes.
 */
@ApiTags('subscribers')
@Public()
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(private readonly subscribers: SubscribersService) {}

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOkResponse({ description: 'A page with a button that unsubscribes' })
  confirm(@Param() params: UnsubscribeParams): string {
    const action = encodeURIComponent(params.token);
    return page(
      'Unsubscribe',
      `<h1>Unsubscribe from Bellwether digests?</h1><form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  }

  @Post(':token')
  @HttpCode(200)
  // RFC 8058: mail clients post `List-Unsubscribe=One-Click` as a form.
  @AcceptsContentTypes('application/x-www-form-urlencoded', 'multipart/form-data')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOkResponse({ description: 'Unsubscribed (also when already unsubscribed)' })
  async unsubscribe(@Param() params: UnsubscribeParams): Promise<string> {
    const subscriber = await this.subscribers.unsubscribe(params.token);
    return page('Unsubscribed', `<h1>Unsubscribed</h1><p>${subscriber.email.replace(/[<>&"]/g, '')} will get no more digests.</p>`);
  }
}
