import { ApiProperty } from '@nestjs/swagger';

import type { Indicator } from '#db';

export class IndicatorDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() unit!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class IndicatorPageDto {
  @ApiProperty({ type: [IndicatorDto] }) items!: IndicatorDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toIndicatorDto(indicator: Indicator): IndicatorDto {
  return {
    id: indicator.id,
    slug: indicator.slug,
    name: indicator.name,
    description: indicator.description,
    unit: indicator.unit,
    createdAt: indicator.createdAt.toISOString(),
    updatedAt: indicator.updatedAt.toISOString(),
  };
}
