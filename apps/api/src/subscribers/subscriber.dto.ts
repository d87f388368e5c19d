import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, IsTimeZone, Length, Max, MaxLength, Min } from 'class-validator';

import type { RenderedDigest, SubscriberView } from '#notify';

const FREQUENCIES = ['daily', 'weekly'] as const;

export class CreateSubscriberDto {
  @ApiProperty({ example: 'analyst@example.org' })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ enum: FREQUENCIES })
  @IsIn(FREQUENCIES)
  frequency!: (typeof FREQUENCIES)[number];

  @ApiPropertyOptional({ description: 'IANA time zone of sendHour and sendWeekday', example: 'Europe/Berlin', default: 'UTC' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  // Checked here as well as in SubscribersService, so a body with several mistakes hears of all of them at once.
  @IsTimeZone({ message: 'timezone must be an IANA time zone such as Europe/Berlin' })
  timezone?: string;

  @ApiPropertyOptional({ description: 'Local hour the digest is sent at', minimum: 0, maximum: 23, default: 8 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(23)
  sendHour?: number;

  @ApiPropertyOptional({ description: 'Weekly digests: local weekday, 0 = Sunday', minimum: 0, maximum: 6, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(6)
  sendWeekday?: number;

  @ApiPropertyOptional({ description: 'Only these predictions (ids or slugs); omitted or empty means all', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  predictions?: string[];
}

export class UpdateSubscriberDto extends CreateSubscriberDto {
  @ApiPropertyOptional({ example: 'analyst@example.org' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  declare email: string;

  @ApiPropertyOptional({ enum: FREQUENCIES })
  @IsOptional()
  @IsIn(FREQUENCIES)
  declare frequency: (typeof FREQUENCIES)[number];

  @ApiPropertyOptional({ description: 'false unsubscribes, true subscribes again' })
  @IsOptional()
  @IsBoolean()
  subscribed?: boolean;
}

export class SubscriberDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: FREQUENCIES }) frequency!: string;
  @ApiProperty() timezone!: string;
  @ApiProperty() sendHour!: number;
  @ApiProperty() sendWeekday!: number;
  @ApiProperty({ type: [String], description: 'Prediction ids; empty means all' }) predictions!: string[];
  @ApiProperty() subscribed!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) unsubscribedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class SubscriberPageDto {
  @ApiProperty({ type: [SubscriberDto] }) items!: SubscriberDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class DigestPreviewDto {
  @ApiProperty() subject!: string;
  @ApiProperty({ description: 'The plain-text part' }) text!: string;
  @ApiProperty({ description: 'The HTML part, CSS inlined' }) html!: string;
}

export function toSubscriberDto(subscriber: SubscriberView): SubscriberDto {
  return {
    id: subscriber.id,
    email: subscriber.email,
    frequency: subscriber.frequency,
    timezone: subscriber.timezone,
    sendHour: subscriber.sendHour,
    sendWeekday: subscriber.sendWeekday,
    predictions: subscriber.predictionIds,
    subscribed: subscriber.unsubscribedAt === null,
    unsubscribedAt: subscriber.unsubscribedAt?.toISOString() ?? null,
    createdAt: subscriber.createdAt.toISOString(),
    updatedAt: subscriber.updatedAt.toISOString(),
  };
}

export function toDigestPreviewDto(rendered: RenderedDigest): DigestPreviewDto {
  return { subject: rendered.subject, text: rendered.text, html: rendered.html };
}
