import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'json: the whole record as one document; csv: one table (name it in `table`)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';

  @ApiPropertyOptional({
    description: 'The table of a CSV export',
    enum: ['predictions', 'revisions', 'indicators', 'indicatorLinks', 'readings', 'evidence', 'impacts', 'auditEntries', 'forecasts', 'trackScores'],
  })
  @IsOptional()
  @IsString()
  table?: string;
}

export class ImportSummaryDto {
  @ApiProperty({ description: 'Rows written per table', example: { predictions: 4, auditEntries: 120 } })
  tables!: Record<string, number>;

  @ApiProperty({ description: 'Audit chains re-verified (one per prediction)' })
  chains!: number;

  @ApiProperty({ description: 'Audit entries re-verified' })
  entries!: number;
}
