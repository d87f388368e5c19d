import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { IsIn, IsOptional } from 'class-validator';
import type { Request, Response } from 'express';

import { DigestService, SubscribersService, type SubscriberView } from '#notify';
import { PredictionsService } from '#predictions';

import { RequireRole } from '../auth/auth.decorators.js';
import type { FieldErrors } from './web-action-forms.js';
import { IdParams, LogoutForm } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';
import { checkSubscriberForm, ConfirmFormBody, DONE, DoneQuery, fieldErrorsOf, SubscriberFormBody, typedValues, type SetupForm } from './web-setup-forms.js';

/**
 * The email itself, shown in a frame on the preview page: its own styles inline (as mail clients get
 * them), so it is served apart, with a policy that allows inline styles and nothing else, in a sandbox
 * (no scripts, no forms). The app's own pages keep their stricter policy.
 */
const EMAIL_PREVIEW_POLICY = ["default-src 'none'", "style-src 'unsafe-inline'", 'img-src data: https:', "frame-ancestors 'self'", "base-uri 'none'", "form-action 'none'", 'sandbox allow-popups allow-popups-to-escape-sandbox'].join('; ');

class DigestPreviewQuery {
  @IsOptional()
  @IsIn(['1'])
  sent?: string;
}

function subscriberValues(subscriber: SubscriberView): Record<string, unknown> {
  return {
    email: subscriber.email,
    frequency: subscriber.frequency,
    timezone: subscriber.timezone,
    sendHour: subscriber.sendHour,
    sendWeekday: subscriber.sendWeekday,
    predictions: subscriber.predictionIds,
  };
}

/** Who gets which digest email and when, with the last one sent and the next one as it stands, for admins as in the API: added, edited, deleted behind a confirmation. */
@WebPages()
@RequireRole('admin')
@Controller('app/admin/digests')
export class WebDigestsController {
  constructor(
    private readonly subscribers: SubscribersService,
    private readonly digests: DigestService,
    private readonly predictions: PredictionsService,
  ) {}

  private async predictionChoices() {
    return (await this.predictions.list({ limit: 200 })).items.map(({ id, slug, title }) => ({ id, slug, title }));
  }

  private async renderDigests(request: Request, response: Response, form: SetupForm, done: string | null = null): Promise<void> {
    const page = await this.subscribers.list({ limit: 100 });
    const [lastSent, followed, predictionChoices] = await Promise.all([
      this.digests.lastSent(page.items.map((subscriber) => subscriber.id)),
      this.predictions.findByIds([...new Set(page.items.flatMap((subscriber) => subscriber.predictionIds))]),
      this.predictionChoices(),
    ]);
    const titles = new Map(followed.map((prediction) => [prediction.id, prediction.title]));
    const subscribers = page.items.map((subscriber) => ({
      ...subscriber,
      follows: subscriber.predictionIds.map((id) => titles.get(id) ?? id),
      lastSent: lastSent.get(subscriber.id) ?? null,
      nextDigestAt: subscriber.unsubscribedAt ? null : this.digests.nextDigestAt(subscriber),
    }));
    response.status(form.errors ? 400 : 200).render('digests', { ...pageContext(request, 'Digests', 'digests'), subscribers, more: page.nextCursor !== null, predictionChoices, form, done });
  }

  private async renderEdit(request: Request, response: Response, subscriber: SubscriberView, form: SetupForm): Promise<void> {
    response.status(form.errors ? 400 : 200).render('setup-edit', {
      ...pageContext(request, `Edit ${subscriber.email}`, 'digests'),
      heading: `Edit ${subscriber.email}`,
      back: { href: '/app/admin/digests', label: 'Digests' },
      formView: 'partials/subscriber-form',
      predictionChoices: await this.predictionChoices(),
      form,
    });
  }

  @Get()
  async digestsPage(@Req() request: Request, @Res() response: Response, @Query() query: DoneQuery): Promise<void> {
    await this.renderDigests(request, response, { action: '/app/admin/digests', mode: 'create', values: {}, errors: null }, query.done ? DONE[query.done] : null);
  }

  @Post()
  async create(@Req() request: Request, @Res() response: Response, @Body() form: SubscriberFormBody): Promise<void> {
    const failed = (errors: FieldErrors) => this.renderDigests(request, response, { action: '/app/admin/digests', mode: 'create', values: typedValues(form), errors });
    const checked = checkSubscriberForm(form);
    if (!checked.ok) return failed(checked.errors);
    try {
      await this.subscribers.create(checked.value);
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, '/app/admin/digests?done=created');
  }

  @Get(':id/edit')
  async editPage(@Req() request: Request, @Res() response: Response, @Param() params: IdParams): Promise<void> {
    const subscriber = await this.subscribers.get(params.id);
    await this.renderEdit(request, response, subscriber, { action: `/app/admin/digests/${subscriber.id}/edit`, mode: 'edit', values: subscriberValues(subscriber), errors: null });
  }

  @Post(':id/edit')
  async edit(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: SubscriberFormBody): Promise<void> {
    const subscriber = await this.subscribers.get(params.id);
    const failed = (errors: FieldErrors) => this.renderEdit(request, response, subscriber, { action: `/app/admin/digests/${subscriber.id}/edit`, mode: 'edit', values: typedValues(form), errors });
    const checked = checkSubscriberForm(form);
    if (!checked.ok) return failed(checked.errors);
    try {
      await this.subscribers.update(subscriber.id, checked.value);
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, '/app/admin/digests?done=saved');
  }

  /** Deleting a subscriber cannot be undone: the first post shows what goes, and only its button (confirm=yes) deletes. */
  @Post(':id/delete')
  async remove(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: ConfirmFormBody): Promise<void> {
    const subscriber = await this.subscribers.get(params.id);
    if (form.confirm !== 'yes') {
      response.status(200).render('delete-confirm', {
        ...pageContext(request, `Delete ${subscriber.email}?`, 'digests'),
        what: `the subscriber ${subscriber.email}`,
        consequence: 'No more digests go to this address, and the record of those sent goes with it.',
        action: `/app/admin/digests/${subscriber.id}/delete`,
        back: { href: '/app/admin/digests', label: 'Digests' },
      });
      return;
    }
    await this.subscribers.delete(subscriber.id);
    response.redirect(303, '/app/admin/digests?done=deleted');
  }

  @Get(':id/preview')
  @Render('digest-preview')
  async previewPage(@Req() request: Request, @Param() params: IdParams, @Query() query: DigestPreviewQuery) {
    const subscriber = await this.subscribers.get(params.id);
    const digest = await this.digests.preview(subscriber.id);
    const nextDigestAt = subscriber.unsubscribedAt ? null : this.digests.nextDigestAt(subscriber);
    return { ...pageContext(request, `Next digest for ${subscriber.email}`, 'digests'), subscriber, digest, nextDigestAt, sent: query.sent === '1' };
  }

  /** The HTML part of the next digest, as the mail goes out, for the preview page's frame. */
  @Get(':id/preview/email')
  async previewEmail(@Param() params: IdParams, @Res() response: Response): Promise<void> {
    const digest = await this.digests.preview(params.id);
    response.setHeader('Content-Security-Policy', EMAIL_PREVIEW_POLICY);
    response.setHeader('X-Frame-Options', 'SAMEORIGIN');
    response.type('html').send(digest.html);
  }

  /** Sends the digest as it stands now, marked as a test; the schedule does not move. */
  @Post(':id/send')
  async send(@Param() params: IdParams, @Body() _form: LogoutForm, @Res() response: Response): Promise<void> {
    await this.digests.sendNow(params.id);
    response.redirect(303, `/app/admin/digests/${params.id}/preview?sent=1`);
  }
}
