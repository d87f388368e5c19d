import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

import { IsUtcTimestamp } from './is-utc-timestamp.decorator.js';

export const MAX_PAGE_SIZE = 200;

/** Cursor pagination shared by every list endpoint: `?limit=` (1..200, default 50) and the `nextCursor` of the previous page. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;
}

/** A page of a time series: `from` and `to` bound the observed time, both inclusive. */
export class TimeWindowPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'observedAt on or after (ISO 8601)' })
  @IsOptional()
  @IsUtcTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'observedAt on or before (ISO 8601)' })
  @IsOptional()
  @IsUtcTimestamp()
  to?: string;
}

export class IdOrSlugParams {
  @IsString()
  @MaxLength(100)
  idOrSlug!: string;
}

export class IdParams {
  @IsUUID('all')
  id!: string;
}
