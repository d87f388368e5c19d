import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'json: the whole record as one document; csv: one table (name it in `table`)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';

  @ApiPropertyOptional({
    description: 'The table of a CSV export',
    enum: [
      'predictions',
      'revisions',
      'indicators',
      'indicatorLinks',
      'readings',
      'evidence',
      'impacts',
      'auditEntries',
      'storyImpacts',
      'chainHeads',
      'auditCheckpoints',
      'auditKeys',
      'auditKeyEndorsements',
      'forecasts',
      'trackScores',
    ],
  })
  @IsOptional()
  @IsString()
  table?: string;
}

export class ImportQueryDto {
  @ApiPropertyOptional({
    type: [String],
    description:
      'A public key you trust (base64 SPKI DER, URL-encoded; repeat for several): every signature must come from it or a key it endorses. Without one the export is checked against its own keys, which proves it consistent but not where it came from',
  })
  @IsOptional()
  // One value or several; a `+` of base64 that arrives unencoded reads as a space.
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? (value as unknown[]) : [value]).map((key: unknown) => (typeof key === 'string' ? key.replaceAll(' ', '+') : key)))
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  @Matches(/^[A-Za-z0-9+/]+={0,2}$/, { each: true, message: 'trustedKey must be a base64 SPKI DER public key' })
  trustedKey?: string[];
}

class ImportKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'base64 SPKI DER' }) publicKey!: string;
  @ApiProperty({ description: 'Vouched for by a key you named (or, without one, listed by the export itself)' }) trusted!: boolean;
}

class ImportSignaturesDto {
  @ApiProperty({
    enum: ['named', 'witness', 'export', 'unsigned'],
    description: 'named: checked against the keys you trusted (origin proven); export: against the export\'s own keys (consistency, not origin); unsigned: an export from before heads were signed',
  })
  trust!: 'named' | 'witness' | 'export' | 'unsigned';
  @ApiProperty() signedHeads!: number;
  @ApiProperty() checkpoints!: number;
  @ApiProperty({ type: [ImportKeyDto] }) keys!: ImportKeyDto[];
  @ApiProperty({ type: [String], description: 'What the verification proved, in plain words' }) proved!: string[];
}

export class ImportSummaryDto {
  @ApiProperty({ description: 'Rows written per table', example: { predictions: 4, auditEntries: 120 } })
  tables!: Record<string, number>;

  @ApiProperty({ description: 'Audit chains re-verified (one per prediction)' })
  chains!: number;

  @ApiProperty({ description: 'Audit entries re-verified' })
  entries!: number;

  @ApiProperty({ type: ImportSignaturesDto })
  signatures!: ImportSignaturesDto;
}
