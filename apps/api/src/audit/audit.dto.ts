import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';

import type { AuditCheckpointView } from '#predictions';

import { IsUtcTimestamp } from '../http/is-utc-timestamp.decorator.js';

/** A checkpoint as GET /v1/audit/checkpoints published it, brought back to be checked. */
export class SavedCheckpointDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() predictionId!: string;
  @ApiProperty() @IsInt() @Min(1) sequence!: number;
  @ApiProperty() @IsString() @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be 64 lowercase hex characters' }) hash!: string;
  @ApiProperty({ format: 'date-time' }) @IsUtcTimestamp() signedAt!: string;
  @ApiProperty({ description: 'base64 Ed25519 signature' }) @IsString() @Matches(/^[A-Za-z0-9+/]+={0,2}$/, { message: 'signature must be base64' }) signature!: string;
}

export class VerifyAuditDto {
  @ApiPropertyOptional({ type: [SavedCheckpointDto], description: 'Checkpoints saved earlier (from GET /v1/audit/checkpoints or the audit.checkpoints_signed event)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => SavedCheckpointDto)
  checkpoints?: SavedCheckpointDto[];
}

export class AuditCheckpointDto implements AuditCheckpointView {
  @ApiProperty() id!: string;
  @ApiProperty() predictionId!: string;
  @ApiProperty() sequence!: number;
  @ApiProperty() hash!: string;
  @ApiProperty() signedAt!: string;
  @ApiProperty({ description: 'base64 SPKI DER of the signing key' }) publicKey!: string;
  @ApiProperty() signature!: string;
}

export class AuditCheckpointPageDto {
  @ApiProperty({ description: 'base64 SPKI DER of the Ed25519 key this deployment signs with' }) publicKey!: string;
  @ApiProperty({ type: [AuditCheckpointDto] }) items!: AuditCheckpointDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
