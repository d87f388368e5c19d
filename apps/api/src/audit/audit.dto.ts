import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

import type { AuditCheckpointView, AuditKeyView, SignedHeadView } from '#predictions';

import { IsUtcTimestamp } from '../http/validation/is-utc-timestamp.decorator.js';
import { PageQueryDto } from '../http/validation/page-query.dto.js';

/** The largest audit sequence: the column is a PostgreSQL integer. */
export const MAX_AUDIT_SEQUENCE = 2_147_483_647;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A signed head or checkpoint kept outside the database (GET /v1/audit/checkpoints, GET /v1/audit/heads, a witness file, the audit.checkpoints_signed event), brought back to be checked. */
export class SavedCheckpointDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() predictionId!: string;
  @ApiProperty({ minimum: 1, maximum: MAX_AUDIT_SEQUENCE }) @IsInt() @Min(1) @Max(MAX_AUDIT_SEQUENCE) sequence!: number;
  @ApiProperty() @IsString() @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be 64 lowercase hex characters' }) hash!: string;
  @ApiProperty({ format: 'date-time' }) @IsUtcTimestamp() signedAt!: string;
  @ApiProperty({ description: 'base64 Ed25519 signature' }) @IsString() @MaxLength(200) @Matches(BASE64, { message: 'signature must be base64' }) signature!: string;
  @ApiPropertyOptional({ description: 'The signing key\'s id (32 hex characters); without it every trusted key is tried' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{32}$/, { message: 'keyId must be 32 lowercase hex characters' })
  keyId?: string;
}

export class VerifyAuditDto {
  @ApiPropertyOptional({
    type: [SavedCheckpointDto],
    description: 'Copies kept outside the database: checkpoints (GET /v1/audit/checkpoints, the audit.checkpoints_signed event) or a witness file\'s heads',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => SavedCheckpointDto)
  checkpoints?: SavedCheckpointDto[];

  @ApiPropertyOptional({ type: [String], description: 'Public keys (base64 SPKI DER) you trust besides the deployment\'s own, e.g. a key whose file was lost' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  @Matches(BASE64, { each: true, message: 'trustedKeys must be base64 SPKI DER public keys' })
  trustedKeys?: string[];
}

export class SignedHeadsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Only heads signed at or after this time (a witness asks from a little before the last head it holds)' })
  @IsOptional()
  @IsUtcTimestamp()
  since?: string;
}

export class SignedHeadDto implements SignedHeadView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) predictionId!: string;
  @ApiProperty() sequence!: number;
  @ApiProperty() hash!: string;
  @ApiProperty({ format: 'date-time', description: 'The time the head moved (its entry\'s time); the signature binds it' }) signedAt!: string;
  @ApiProperty({ description: 'The id of the key that signed it (GET /v1/audit/keys)' }) keyId!: string;
  @ApiProperty({ description: 'base64 Ed25519 signature over the checkpoint statement of this head' }) signature!: string;
}

export class SignedHeadPageDto {
  @ApiProperty({ type: [SignedHeadDto] }) items!: SignedHeadDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class KeyEndorsementRefDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({ enum: ['successor', 'predecessor', 'imported'] }) relation!: 'successor' | 'predecessor' | 'imported';
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class AuditKeyDto implements AuditKeyView {
  @ApiProperty({ description: '32 hex characters: the first 16 bytes of SHA-256 over the SPKI DER' }) keyId!: string;
  @ApiProperty({ description: 'base64 SPKI DER of the Ed25519 public key' }) publicKey!: string;
  @ApiProperty({ enum: ['local', 'imported'] }) origin!: 'local' | 'imported';
  @ApiProperty({ format: 'date-time' }) activatedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the next local key took over; null while in use, and for imported keys' }) retiredAt!: string | null;
  @ApiProperty({ description: 'The key this server signs with now' }) current!: boolean;
  @ApiProperty({ description: 'Vouched for, through signed endorsements, by the key this server holds' }) trusted!: boolean;
  @ApiProperty({ type: [KeyEndorsementRefDto] }) endorsedBy!: KeyEndorsementRefDto[];
}

export class KeyEndorsementDto {
  @ApiProperty() endorserKeyId!: string;
  @ApiProperty() subjectKeyId!: string;
  @ApiProperty() subjectPublicKey!: string;
  @ApiProperty({ enum: ['successor', 'predecessor', 'imported'] }) relation!: 'successor' | 'predecessor' | 'imported';
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'base64 Ed25519 signature by the endorser' }) signature!: string;
}

export class AuditKeysDto {
  @ApiProperty({ description: 'The id of the key this server signs with now' }) currentKeyId!: string;
  @ApiProperty({ type: [AuditKeyDto] }) items!: AuditKeyDto[];
  @ApiProperty({ type: [KeyEndorsementDto], description: 'Every endorsement, signed, for a witness or verifier to check trust itself' }) endorsements!: KeyEndorsementDto[];
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

export class BrokenAuditEntryDto {
  @ApiProperty({ format: 'uuid' }) predictionId!: string;
  @ApiProperty({ description: 'The entry (sequence) where it breaks' }) sequence!: number;
  @ApiProperty({
    description:
      'hash_mismatch, prev_hash_mismatch, sequence_gap, replay_mismatch, head_mismatch (the chain); head_unsigned, head_signature_invalid, head_signature_untrusted, head_signature_mismatch, head_signature_entry_missing (the signatures made as heads moved); checkpoint_mismatch, checkpoint_entry_missing, checkpoint_signature_invalid (checkpoints and copies kept outside)',
  })
  reason!: string;
  @ApiPropertyOptional({ description: 'For a copy that no longer matches: the first entry that may have been rewritten' }) changedFrom?: number;
}

export class WitnessProofDto {
  @ApiProperty({ format: 'uuid' }) predictionId!: string;
  @ApiProperty({ description: 'Entries 1 to this one are proven by a copy kept outside the database' }) provenThrough!: number;
  @ApiProperty({ format: 'date-time', description: 'When that head was signed' }) provenAt!: string;
  @ApiProperty() headSequence!: number;
  @ApiProperty({ description: 'Entries after the last witnessed one: covered by the signatures in the database only' }) after!: number;
}

export class WitnessReportDto {
  @ApiProperty() checked!: number;
  @ApiProperty({ type: [WitnessProofDto] }) proofs!: WitnessProofDto[];
  @ApiProperty({ type: [BrokenAuditEntryDto] }) broken!: BrokenAuditEntryDto[];
}

export class AuditVerificationDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() chains!: number;
  @ApiProperty() entries!: number;
  @ApiProperty({ description: 'Chain heads whose signature (made as they moved) was checked' }) signedHeads!: number;
  @ApiProperty({ description: 'Stored checkpoints and copies brought, checked' }) checkpoints!: number;
  @ApiProperty({ type: BrokenAuditEntryDto, nullable: true }) firstBroken!: BrokenAuditEntryDto | null;
  @ApiProperty({ type: [BrokenAuditEntryDto], description: 'Every break (up to 1,000)' }) broken!: BrokenAuditEntryDto[];
  @ApiProperty() brokenCount!: number;
  @ApiProperty({ type: WitnessReportDto, nullable: true, description: 'What the copies brought prove; null without any' }) witness!: WitnessReportDto | null;
}
