import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';

import type { ApiKeySummary } from '#auth';

import { IsOmittable } from '../http/validation/is-omittable.decorator.js';

const ROLES = ['viewer', 'analyst', 'admin'] as const;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'alice laptop' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: (typeof ROLES)[number];

  @ApiPropertyOptional({ description: "The person the key is for (it holds at most their role); left out, a new person named after the key" })
  @IsOmittable()
  @IsUUID('all')
  userId?: string;
}

export class ApiKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The person the key acts for' }) userId!: string;
  @ApiProperty({ description: 'The public part of the key, bw_<prefix>_...' }) prefix!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself. Shown once: only its hash is stored.' }) key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
}

export function toApiKeyDto(key: ApiKeySummary): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    userId: key.userId,
    prefix: key.prefix,
    role: key.role,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
