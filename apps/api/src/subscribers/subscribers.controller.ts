import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { DigestService, SubscribersService } from '#notify';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams, PageQueryDto } from '../http/validation/page-query.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import {
  CreateSubscriberDto,
  DigestPreviewDto,
  DigestSentDto,
  SubscriberDto,
  SubscriberPageDto,
  toDigestPreviewDto,
  toDigestSentDto,
  toSubscriberDto,
  UpdateSubscriberDto,
} from './subscriber.dto.js';

@ApiTags('subscribers')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('subscribers')
export class SubscribersController {
  constructor(
    private readonly subscribers: SubscribersService,
    private readonly digests: DigestService,
  ) {}

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: SubscriberDto })
  async create(@Body() body: CreateSubscriberDto): Promise<SubscriberDto> {
    return toSubscriberDto(await this.subscribers.create(body));
  }

  @Get()
  @ApiOkResponse({ type: SubscriberPageDto })
  async list(@Query() query: PageQueryDto): Promise<SubscriberPageDto> {
    const page = await this.subscribers.list(query);
    return { items: page.items.map(toSubscriberDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: SubscriberDto })
  async get(@Param() params: IdParams): Promise<SubscriberDto> {
    return toSubscriberDto(await this.subscribers.get(params.id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: SubscriberDto })
  async update(@Param() params: IdParams, @Body() body: UpdateSubscriberDto): Promise<SubscriberDto> {
    return toSubscriberDto(await this.subscribers.update(params.id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@Param() params: IdParams): Promise<void> {
    await this.subscribers.delete(params.id);
  }

  @Post(':id/digest/send')
  @Idempotent()
  @ApiOkResponse({
    type: DigestSentDto,
    description:
      'Sends the digest as it stands now (what the preview shows), even when nothing happened yet, marked as a test: ' +
      'the scheduled digests keep their periods. Through SMTP_URL, or an .eml file under DATA_DIR/mail',
  })
  @HttpCode(200)
  async sendDigest(@Param() params: IdParams): Promise<DigestSentDto> {
    return toDigestSentDto(await this.digests.sendNow(params.id));
  }

  @Post(':id/digest/preview')
  @HttpCode(200)
  @ApiOkResponse({ type: DigestPreviewDto, description: 'The next digest as it stands now (since the last send time); nothing is sent' })
  async preview(@Param() params: IdParams): Promise<DigestPreviewDto> {
    return toDigestPreviewDto(await this.digests.preview(params.id));
  }
}
