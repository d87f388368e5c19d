import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { RulesService } from '#signals';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from '../http/page-query.dto.js';
import { CreateRuleDto, RuleDto, RuleListQueryDto, RulePageDto, toRuleDto, UpdateRuleDto } from './rule.dto.js';

@ApiTags('rules')
@ApiBearerAuth()
@RequireRole('analyst')
@Controller('rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Post()
  @ApiCreatedResponse({ type: RuleDto })
  async create(@Body() body: CreateRuleDto): Promise<RuleDto> {
    return toRuleDto(
      await this.rules.create({
        name: body.name,
        allTerms: body.allTerms ?? [],
        anyTerms: body.anyTerms ?? [],
        noneTerms: body.noneTerms ?? [],
        sourceIds: body.sourceIds ?? [],
        indicator: body.indicator ?? null,
        impacts: body.impacts ?? [],
        autoAccept: body.autoAccept ?? false,
        enabled: body.enabled ?? true,
      }),
    );
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
    return toRuleDto(await this.rules.update(params.id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; items it matched keep their snapshot of it' })
  async delete(@Param() params: IdParams): Promise<void> {
    await this.rules.delete(params.id);
  }
}
