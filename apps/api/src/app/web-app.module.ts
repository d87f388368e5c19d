import { Module } from '@nestjs/common';

import { AuthModule } from '#auth';
import { NotifyModule } from '#notify';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { WebAdminController } from './web-admin.controller.js';
import { WebDigestsController } from './web-digests.controller.js';
import { WebInboxController } from './web-inbox.controller.js';
import { WebNotFoundController } from './web-not-found.controller.js';
import { WebPageModelsService } from './web-page-models.service.js';
import { WebPredictionsController } from './web-predictions.controller.js';
import { WebSessionGuard } from './web-session.guard.js';
import { WebSignInController, WebSignOutController } from './web-sign-in.controller.js';
import { WebWatchController } from './web-watch.controller.js';
import { WebWebhooksController } from './web-webhooks.controller.js';

/** The analyst web app under /app: server-rendered pages over the same services as the API. */
@Module({
  imports: [AuthModule, PredictionsModule, SignalsModule, NotifyModule],
  controllers: [
    WebSignInController,
    WebSignOutController,
    WebPredictionsController,
    WebInboxController,
    WebWatchController,
    WebAdminController,
    WebWebhooksController,
    WebDigestsController,
    // Last: its catch-all route must not shadow the others.
    WebNotFoundController,
  ],
  providers: [WebPageModelsService, WebSessionGuard],
})
export class WebAppModule {}
