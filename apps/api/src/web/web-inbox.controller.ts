import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { Principal } from '#auth';
import { DomainError } from '#core';
import type { EvidenceImpactInput } from '#predictions';
import { SignalInboxService, type AcceptedSignal } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { AcceptSignalForm, IdParams, RejectSignalForm } from './web-forms.dto.js';
import { isFetchRequest, pageContext } from './web-page-context.js';
import { WebPageModelsService } from './web-page-models.service.js';
import { WebPages } from './web-page.decorator.js';

const INBOX_PAGE = 50;

/** The reviewer's impacts, one per row of the form; none means "as the routes propose". */
function impactsOf(form: AcceptSignalForm): EvidenceImpactInput[] | undefined {
  if (form.prediction.length === 0) return undefined;
  const impacts: EvidenceImpactInput[] = [];
  form.prediction.forEach((prediction, index) => {
    const strength = form.strength[index] ?? 'moderate';
    if (strength === 'skip') return;
    const ratio = (form.likelihoodRatio[index] ?? '').trim();
    if (ratio !== '') {
      const likelihoodRatio = Number(ratio);
      if (!Number.isFinite(likelihoodRatio)) {
        throw new DomainError('invalid', 'invalid-likelihood-ratio', `likelihood ratio "${ratio}" is not a number`, `likelihoodRatio[${index}]`);
      }
      impacts.push({ prediction, likelihoodRatio });
      return;
    }
    impacts.push({
      prediction,
      direction: form.direction[index] === 'contradicts' ? 'contradicts' : 'supports',
      strength: strength as 'weak' | 'moderate' | 'strong',
    });
  });
  if (impacts.length === 0) throw new DomainError('invalid', 'no-impacts', 'Keep at least one prediction, or reject the signal', 'strength');
  return impacts;
}

@WebPages()
@Controller('app/inbox')
export class WebInboxController {
  constructor(
    private readonly inbox: SignalInboxService,
    private readonly pages: WebPageModelsService,
  ) {}

  @Get()
  @Render('inbox')
  async inboxPage(@Req() request: Request) {
    // Review order: pending items by relevance and recency, then the suggested ones.
    const { items, pending } = await this.pages.inboxPage(INBOX_PAGE);
    return { ...pageContext(request, 'Review inbox', 'inbox'), items, pending, liveTopic: 'inbox' };
  }

  @Post(':id/accept')
  @RequireRole('analyst')
  async accept(
    @Req() request: Request,
    @Res() response: Response,
    @Param() params: IdParams,
    @Body() form: AcceptSignalForm,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const impacts = impactsOf(form);
    const accepted: AcceptedSignal = await this.inbox.accept(params.id, impacts ? { impacts } : {}, actorOf(principal));
    // Each move named by its prediction's title, as the card named it, not by its slug.
    const titles = await this.pages.predictionTitles(accepted.evidence.impacts.map((move) => move.predictionId));
    const moves = accepted.evidence.impacts.map((move) => ({ ...move, title: titles.get(move.predictionId) ?? move.slug }));
    this.reply(request, response, { outcome: 'accepted', item: accepted.item, moves, reason: null, story: accepted.story, sameStory: accepted.evidence.sameStory });
  }

  @Post(':id/reject')
  @RequireRole('analyst')
  async reject(
    @Req() request: Request,
    @Res() response: Response,
    @Param() params: IdParams,
    @Body() form: RejectSignalForm,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const item = await this.inbox.reject(params.id, form.reason, actorOf(principal));
    const story = (await this.inbox.storySummaries([item.storyId ?? item.id])).get(item.storyId ?? item.id) ?? null;
    this.reply(request, response, { outcome: 'rejected', item, moves: [], reason: form.reason, story, sameStory: [] });
  }

  /** The page's script swaps the item for the outcome; without it, the outcome is a page of its own. */
  private reply(request: Request, response: Response, result: object): void {
    if (isFetchRequest(request)) {
      response.render('partials/signal-outcome', { ...pageContext(request, ''), result });
      return;
    }
    response.render('inbox-outcome', { ...pageContext(request, 'Review inbox', 'inbox'), result });
  }
}
