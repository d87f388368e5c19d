import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsString, IsTimeZone, Length, Max, MaxLength, Min } from 'class-validator';

import { nextSendTime, type RenderedDigest, type SubscriberView, type TestDigestSent } from '#notify';

import { IsOmittable } from '../http/validation/is-omittable.decorator.js';

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
  @IsOmittable()
  @IsString()
  @MaxLength(100)
  // Checked here as well as in SubscribersService, so a body with several mistakes hears of all of them at once.
  @IsTimeZone({ message: 'timezone must be an IANA time zone such as Europe/Berlin' })
  timezone?: string;

  @ApiPropertyOptional({ description: 'Local hour the digest is sent at', minimum: 0, maximum: 23, default: 8 })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(23)
  sendHour?: number;

  @ApiPropertyOptional({ description: 'Weekly digests: local weekday, 0 = Sunday', minimum: 0, maximum: 6, default: 1 })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(6)
  sendWeekday?: number;

  @ApiPropertyOptional({ description: 'Only these predictions (ids or slugs); omitted or empty means all', type: [String] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  predictions?: string[];
}

export class UpdateSubscriberDto extends CreateSubscriberDto {
  @ApiPropertyOptional({ example: 'analyst@example.org' })
  @IsOmittable()
  @IsEmail()
  @MaxLength(320)
  declare email: string;

  @ApiPropertyOptional({ enum: FREQUENCIES })
  @IsOmittable()
  @IsIn(FREQUENCIES)
  declare frequency: (typeof FREQUENCIES)[number];

  @ApiPropertyOptional({ description: 'false unsubscribes, true subscribes again' })
  @IsOmittable()
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
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'When the next scheduled digest goes out (within 5 minutes of it), if anything happened by then; null once unsubscribed. ' +
      'POST /v1/subscribers/{id}/digest/send sends one now.',
  })
  nextDigestAt!: string | null;
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
    nextDigestAt: subscriber.unsubscribedAt === null ? nextSendTime(subscriber, new Date()).toISOString() : null,
  };
}

export class DigestSentDto {
  @ApiProperty({ description: 'The DigestRun kept for it, marked test: the schedule does not move' }) runId!: string;
  @ApiProperty() to!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ description: 'Entries in it; a digest sent on request goes out even with none' }) entryCount!: number;
  @ApiProperty() sentAt!: string;
  @ApiProperty({ description: 'The Message-ID of the mail' }) messageId!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Where the .eml file was written, when there is no SMTP_URL' }) file!: string | null;
  @ApiProperty({ description: 'When the next scheduled digest goes out, unchanged by this one' }) nextDigestAt!: string;
}

export function toDigestSentDto(sent: TestDigestSent): DigestSentDto {
  return {
    runId: sent.runId,
    to: sent.to,
    subject: sent.subject,
    entryCount: sent.entryCount,
    sentAt: sent.sentAt.toISOString(),
    messageId: sent.messageId,
    file: sent.file,
    nextDigestAt: sent.nextDigestAt.toISOString(),
  };
}

export function toDigestPreviewDto(rendered: RenderedDigest): DigestPreviewDto {
  return { subject: rendered.subject, text: rendered.text, html: rendered.html };
}
