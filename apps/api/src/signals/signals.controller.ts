import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import { ManualSignalsService, SignalInboxService, SignalSearchService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from '../http/validation/page-query.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import { toEvidenceImpactInput } from '../evidence/evidence.dto.js';
import {
  AcceptedSignalDto,
  AcceptSignalDto,
  InboxPageDto,
  RejectSignalDto,
  SignalDto,
  SignalInboxQueryDto,
  SignalListQueryDto,
  SignalPageDto,
  SignalSubmissionDto,
  SubmitSignalsDto,
  toAcceptedSignalDto,
  toInboxItemDto,
  toSignalDto,
  toSignalSearchResultDto,
  toSignalSubmissionDto,
} from './signal.dto.js';

@ApiTags('signals')
@ApiBearerAuth()
@Controller('signals')
export class SignalsController {
  constructor(
    private readonly inbox: SignalInboxService,
    private readonly manual: ManualSignalsService,
    private readonly search: SignalSearchService,
  ) {}

  @Post()
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: SignalSubmissionDto, description: 'Up to 1,000 items, deduped and routed through the rules like fetched ones' })
  async submit(@Body() body: SubmitSignalsDto): Promise<SignalSubmissionDto> {
    const submission = await this.manual.submit(
      body.items.map((item) => ({ ...item, publishedAt: item.publishedAt ? new Date(item.publishedAt) : null })),
    );
    return toSignalSubmissionDto(submission);
  }

  @Get()
  @ApiOkResponse({ type: SignalPageDto, description: 'In id order; with q, the items the query matches, best first, with rank and highlight (a query that does not parse is a 400 naming q and the position)' })
  async list(@Query() query: SignalListQueryDto): Promise<SignalPageDto> {
    if (query.q !== undefined) {
      const found = await this.search.find(query.q, query);
      return { items: found.items.map(toSignalSearchResultDto), nextCursor: found.nextCursor };
    }
    const page = await this.inbox.list(query);
    return { items: page.items.map(toSignalDto), nextCursor: page.nextCursor };
  }

  @Get('inbox')
  @ApiOkResponse({ type: InboxPageDto, description: 'The review inbox: pending items, then suggested ones, each ranked by relevance and recency, with the matched terms' })
  async review(@Query() query: SignalInboxQueryDto): Promise<InboxPageDto> {
    const page = await this.inbox.review(query);
    return { items: page.items.map(toInboxItemDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: SignalDto })
  async get(@Param() params: IdParams): Promise<SignalDto> {
    return toSignalDto(await this.inbox.get(params.id));
  }

  @Post(':id/accept')
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: AcceptedSignalDto, description: 'The evidence recorded; 409 if the item was already accepted' })
  async accept(@Param() params: IdParams, @Body() body: AcceptSignalDto, @CurrentPrincipal() principal: Principal): Promise<AcceptedSignalDto> {
    const acceptance = { ...body, impacts: body.impacts?.map(toEvidenceImpactInput) };
    return toAcceptedSignalDto(await this.inbox.accept(params.id, acceptance, actorOf(principal)));
  }

  @Post(':id/reject')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ type: SignalDto, description: 'The item, kept with the reason' })
  async reject(@Param() params: IdParams, @Body() body: RejectSignalDto, @CurrentPrincipal() principal: Principal): Promise<SignalDto> {
    return toSignalDto(await this.inbox.reject(params.id, body.reason, actorOf(principal)));
  }
}
