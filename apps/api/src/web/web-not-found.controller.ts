import { Controller, Get, NotFoundException } from '@nestjs/common';

import { WebPages } from './web-page.decorator.js';

/** Anything else under /app is a page that does not exist: an HTML 404 for people, not problem+json. Registered last. */
@WebPages()
@Controller('app')
export class WebNotFoundController {
  @Get('{*path}')
  notFound(): never {
    throw new NotFoundException('There is no such page.');
  }
}
