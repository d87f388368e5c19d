import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { ApiKeysService } from '#auth';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from '../http/validation/page-query.dto.js';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto, toApiKeyDto } from './api-key.dto.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { token, key } = await this.apiKeys.create(body);
    return { ...toApiKeyDto(key), key: token };
  }

  @Get()
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { items: (await this.apiKeys.list()).map(toApiKeyDto) };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyDto })
  async revoke(@Param() params: IdParams): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.apiKeys.revoke(params.id));
  }
}
