import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import { TermSetsService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import { PageQueryDto } from '../http/validation/page-query.dto.js';
import {
  CreateTermSetDto,
  PreviewTermSetDto,
  TermSetDto,
  TermSetNameParams,
  TermSetPageDto,
  TermSetPreviewDto,
  TermSetRevisionListDto,
  toTermSetDto,
  toTermSetPreviewDto,
  toTermSetRevisionDto,
  UpdateTermSetDto,
} from './term-set.dto.js';

/** Term sets: named lists of terms any rule's query uses as `@name`. Anyone reads them; admins write them. */
@ApiTags('term-sets')
@ApiBearerAuth()
@Controller('term-sets')
export class TermSetsController {
  constructor(private readonly termSets: TermSetsService) {}

  @Get()
  @ApiOkResponse({ type: TermSetPageDto })
  async list(@Query() query: PageQueryDto): Promise<TermSetPageDto> {
    const page = await this.termSets.list(query);
    return { items: page.items.map(toTermSetDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Idempotent()
  @RequireRole('admin')
  @ApiCreatedResponse({ type: TermSetDto })
  async create(@Body() body: CreateTermSetDto, @CurrentPrincipal() principal: Principal): Promise<TermSetDto> {
    return toTermSetDto(await this.termSets.create({ name: body.name, description: body.description ?? '', terms: body.terms }, actorOf(principal)));
  }

  @Get(':name')
  @ApiOkResponse({ type: TermSetDto })
  async get(@Param() params: TermSetNameParams): Promise<TermSetDto> {
    return toTermSetDto(await this.termSets.get(params.name));
  }

  @Patch(':name')
  @RequireRole('admin')
  @ApiOkResponse({ type: TermSetDto, description: 'A new version when something changed; every earlier one is kept (see /revisions). Rules use it from their next routing.' })
  async update(@Param() params: TermSetNameParams, @Body() body: UpdateTermSetDto, @CurrentPrincipal() principal: Principal): Promise<TermSetDto> {
    return toTermSetDto(await this.termSets.update(params.name, body, actorOf(principal)));
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiNoContentResponse({ description: 'Deleted with its revisions; refused (409) while an enabled rule uses it' })
  async delete(@Param() params: TermSetNameParams): Promise<void> {
    await this.termSets.delete(params.name);
  }

  @Get(':name/revisions')
  @ApiOkResponse({ type: TermSetRevisionListDto })
  async revisions(@Param() params: TermSetNameParams): Promise<TermSetRevisionListDto> {
    return { items: (await this.termSets.revisions(params.name)).map(toTermSetRevisionDto) };
  }

  @Post(':name/preview')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({
    type: TermSetPreviewDto,
    description: 'What saving these terms would change, nothing saved: for each rule using the set, the stored items it matches now and would match, what it adds and drops, and how analysts decided those',
  })
  async preview(@Param() params: TermSetNameParams, @Body() body: PreviewTermSetDto): Promise<TermSetPreviewDto> {
    return toTermSetPreviewDto(await this.termSets.preview(params.name, body.terms, body.since ? new Date(body.since) : null));
  }
}
