import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';

import { LiveQuery } from './web-action-forms.js';
import { isLiveTopic, WebLiveService } from './web-live.service.js';
import { WebPages } from './web-page.decorator.js';

/** The event stream a live page listens to (GET /app/live?topic=overview|inbox|prediction:<slug>). */
@WebPages()
@Controller('app/live')
export class WebLiveController {
  constructor(private readonly live: WebLiveService) {}

  @Get()
  stream(@Query() query: LiveQuery, @Res() response: Response): void {
    if (!isLiveTopic(query.topic)) {
      response.status(400).type('text/plain').send('topic must be overview, inbox or prediction:<slug>');
      return;
    }
    this.live.listen(query.topic, response);
  }
}
