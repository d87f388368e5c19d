import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { DomainError, legacyTermsToQuery } from '#core';
import { RulesService, SignalRoutingService, SignalSearchService } from '#signals';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from '../http/validation/page-query.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import {
  CreateRuleDto,
  PreviewRuleDto,
  RerunOutcomeDto,
  RerunRuleDto,
  RuleDto,
  RuleListQueryDto,
  RulePageDto,
  RulePreviewDto,
  toRuleDto,
  toRulePreviewDto,
  UpdateRuleDto,
} from './rule.dto.js';

/** The query sent, else one made of the deprecated term lists when any is sent. */
function queryOf(body: UpdateRuleDto): string | undefined {
  if (body.query !== undefined) return body.query;
  if (body.allTerms === undefined && body.anyTerms === undefined && body.noneTerms === undefined) return undefined;
  const query = legacyTermsToQuery({ all: body.allTerms ?? [], any: body.anyTerms ?? [], none: body.noneTerms ?? [] });
  if (query === '' || ((body.allTerms ?? []).length === 0 && (body.anyTerms ?? []).length === 0)) {
    throw new DomainError('invalid', 'rule-without-query', 'A rule needs a query (or terms in allTerms or anyTerms)', 'query');
  }
  return query;
}

@ApiTags('rules')
@ApiBearerAuth()
@RequireRole('analyst')
@Controller('rules')
export class RulesController {
  constructor(
    private readonly rules: RulesService,
    private readonly search: SignalSearchService,
    private readonly routing: SignalRoutingService,
  ) {}

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: RuleDto })
  async create(@Body() body: CreateRuleDto): Promise<RuleDto> {
    return toRuleDto(
      await this.rules.create({
        name: body.name,
        query: queryOf(body) ?? '',
        sourceIds: body.sourceIds ?? [],
        indicator: body.indicator ?? null,
        impacts: body.impacts ?? [],
        autoAccept: body.autoAccept ?? false,
        enabled: body.enabled ?? true,
      }),
    );
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOkResponse({ type: RulePreviewDto, description: 'What the query would match among stored items, with highlights, and how it agrees with past decisions' })
  async preview(@Body() body: PreviewRuleDto): Promise<RulePreviewDto> {
    return toRulePreviewDto(await this.search.preview(body.query, body.since ? new Date(body.since) : null));
  }

  @Post(':id/rerun')
  @Idempotent()
  @HttpCode(200)
  @ApiOkResponse({ type: RerunOutcomeDto, description: 'Unmatched items stored since the time, routed again through the enabled rules' })
  async rerun(@Param() params: IdParams, @Body() body: RerunRuleDto): Promise<RerunOutcomeDto> {
    const rule = await this.rules.get(params.id);
    if (!rule.enabled) throw new DomainError('conflict', 'rule-disabled', `Rule "${rule.name}" is disabled: enable it to rerun it`, 'id');
    return this.routing.rerun(new Date(body.since));
  }

  @Get()
  @ApiOkResponse({ type: RulePageDto })
  async list(@Query() query: RuleListQueryDto): Promise<RulePageDto> {
    const page = await this.rules.list(query);
    return { items: page.items.map(toRuleDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: RuleDto })
  async get(@Param() params: IdParams): Promise<RuleDto> {
    return toRuleDto(await this.rules.get(params.id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: RuleDto })
  async update(@Param() params: IdParams, @Body() body: UpdateRuleDto): Promise<RuleDto> {
    const query = queryOf(body);
    return toRuleDto(
      await this.rules.update(params.id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(query === undefined ? {} : { query }),
        ...(body.sourceIds === undefined ? {} : { sourceIds: body.sourceIds }),
        ...(body.indicator === undefined ? {} : { indicator: body.indicator }),
        ...(body.impacts === undefined ? {} : { impacts: body.impacts }),
        ...(body.autoAccept === undefined ? {} : { autoAccept: body.autoAccept }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
      }),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; items it matched keep their snapshot of it' })
  async delete(@Param() params: IdParams): Promise<void> {
    await this.rules.delete(params.id);
  }
}
