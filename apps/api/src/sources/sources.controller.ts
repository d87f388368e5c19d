import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { SourceIngestionService, SourcesService } from '#signals';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams, PageQueryDto } from '../http/validation/page-query.dto.js';
import { AcceptsContentTypes } from '../http/validation/request-shape.guard.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import { ImportOpmlQueryDto, OPML_CONTENT_TYPES, OpmlRequestBodyInterceptor } from './opml-request-body.js';
import {
  CreateSourceDto,
  FetchOutcomeDto,
  ImportOpmlDto,
  OpmlImportDto,
  SourceDto,
  SourcePageDto,
  toFetchOutcomeDto,
  toOpmlImportDto,
  toSourceDto,
  UpdateSourceDto,
} from './source.dto.js';

@ApiTags('sources')
@ApiBearerAuth()
@RequireRole('analyst')
@Controller('sources')
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    private readonly ingestion: SourceIngestionService,
  ) {}

  @Get()
  @ApiOkResponse({ type: SourcePageDto })
  async list(@Query() query: PageQueryDto): Promise<SourcePageDto> {
    const page = await this.sources.list(query);
    return { items: page.items.map(toSourceDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: SourceDto })
  async create(@Body() body: CreateSourceDto): Promise<SourceDto> {
    return toSourceDto(await this.sources.create(body));
  }

  @Post('import')
  @Idempotent()
  @AcceptsContentTypes(...OPML_CONTENT_TYPES)
  @UseInterceptors(OpmlRequestBodyInterceptor)
  @ApiConsumes('application/json', ...OPML_CONTENT_TYPES)
  @ApiCreatedResponse({
    type: OpmlImportDto,
    description: 'Feed sources created from the OPML outlines; duplicates and unusable URLs listed as skipped. The body is JSON {"opml", ...} or the OPML document itself (text/x-opml, application/xml, text/xml; options then in the query)',
  })
  async importOpml(@Body() body: ImportOpmlDto, @Query() query: ImportOpmlQueryDto): Promise<OpmlImportDto> {
    const intervalSeconds = body.intervalSeconds ?? query.intervalSeconds;
    const schedule = body.schedule ?? query.schedule;
    return toOpmlImportDto(await this.sources.importOpml(body.opml, { intervalSeconds, schedule }));
  }

  @Get(':id')
  @ApiOkResponse({ type: SourceDto })
  async get(@Param() params: IdParams): Promise<SourceDto> {
    return toSourceDto(await this.sources.get(params.id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: SourceDto })
  async update(@Param() params: IdParams, @Body() body: UpdateSourceDto): Promise<SourceDto> {
    return toSourceDto(await this.sources.update(params.id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async remove(@Param() params: IdParams): Promise<void> {
    await this.sources.remove(params.id);
  }

  /** Runs one fetch now, in this request, and returns what it did; a failed fetch is a 200 with status "failed". */
  @Post(':id/fetch')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: FetchOutcomeDto })
  async fetchNow(@Param() params: IdParams): Promise<FetchOutcomeDto> {
    const source = await this.sources.get(params.id);
    return toFetchOutcomeDto(await this.ingestion.fetchSource(source.id));
  }
}
