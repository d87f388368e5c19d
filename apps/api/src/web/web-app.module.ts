import { Module } from '@nestjs/common';

import { AuthModule } from '#auth';
import { NotifyModule } from '#notify';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { RateLimitStorage } from '../http/rate-limit/rate-limit-storage.js';

import { WebAdminController } from './web-admin.controller.js';
import { WebAuthoringController } from './web-authoring.controller.js';
import { WebDigestsController } from './web-digests.controller.js';
import { WebInboxController } from './web-inbox.controller.js';
import { WebLiveController } from './web-live.controller.js';
import { WebLiveService } from './web-live.service.js';
import { WebNotFoundController } from './web-not-found.controller.js';
import { WebPageModelsService } from './web-page-models.service.js';
import { WebPeopleController } from './web-people.controller.js';
import { WebPredictionsController } from './web-predictions.controller.js';
import { WebSessionGuard } from './web-session.guard.js';
import { WebSignInController, WebSignOutController } from './web-sign-in.controller.js';
import { WebStoriesController } from './web-stories.controller.js';
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
    WebLiveController,
    WebStoriesController,
    WebWatchController,
    WebAuthoringController,
    WebAdminController,
    WebWebhooksController,
    WebDigestsController,
    WebPeopleController,
    // Last: its catch-all route must not shadow the others.
    WebNotFoundController,
  ],
  providers: [WebPageModelsService, WebSessionGuard, RateLimitStorage, WebLiveService],
})
export class WebAppModule {}
