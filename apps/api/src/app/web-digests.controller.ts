import { Controller, Get, Param, Render, Req } from '@nestjs/common';
import type { Request } from 'express';

import { DigestService, SubscribersService } from '#notify';
import { PredictionsService } from '#predictions';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';

/** Who gets which digest email and when, with the last one sent and the next one as it stands, for admins as in the API. Adding and editing stays in the API. */
@WebPages()
@RequireRole('admin')
@Controller('app/admin/digests')
export class WebDigestsController {
  constructor(
    private readonly subscribers: SubscribersService,
    private readonly digests: DigestService,
    private readonly predictions: PredictionsService,
  ) {}

  @Get()
  @Render('digests')
  async digestsPage(@Req() request: Request) {
    const page = await this.subscribers.list({ limit: 100 });
    const [lastSent, followed] = await Promise.all([
      this.digests.lastSent(page.items.map((subscriber) => subscriber.id)),
      this.predictions.findByIds([...new Set(page.items.flatMap((subscriber) => subscriber.predictionIds))]),
    ]);
    const titles = new Map(followed.map((prediction) => [prediction.id, prediction.title]));
    const subscribers = page.items.map((subscriber) => ({
      ...subscriber,
      follows: subscriber.predictionIds.map((id) => titles.get(id) ?? id),
      lastSent: lastSent.get(subscriber.id) ?? null,
    }));
    return { ...pageContext(request, 'Digests', 'digests'), subscribers, more: page.nextCursor !== null };
  }

  @Get(':id/preview')
  @Render('digest-preview')
  async previewPage(@Req() request: Request, @Param() params: IdParams) {
    const subscriber = await this.subscribers.get(params.id);
    const digest = await this.digests.preview(subscriber.id);
    return { ...pageContext(request, `Next digest for ${subscriber.email}`, 'digests'), subscriber, digest };
  }
}
