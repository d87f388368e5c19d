import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Max, MaxLength, Min, ValidateIf } from 'class-validator';

import { sourceHealth, type FetchOutcome, type OpmlImport, type SourceView } from '#signals';

import { IsOmittable } from '../http/validation/is-omittable.decorator.js';

const KINDS = ['feed', 'json', 'csv'] as const;
const MIN_INTERVAL = 60;
const MAX_INTERVAL = 7 * 24 * 3600;
/** Hosts without a TLD (an intranet name, an address) are valid URLs; whether they may be fetched is the outbound guard's call. */
const URL_OPTIONS: NonNullable<Parameters<typeof IsUrl>[0]> = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

export class CreateSourceDto {
  @ApiProperty({ example: 'Reuters technology' }) @IsString() @Length(1, 200) name!: string;

  @ApiProperty({ enum: KINDS, description: 'feed: RSS 2.0, RSS 1.0 (RDF), Atom 1.0 or JSON Feed 1.1, detected; json/csv: readings for an indicator' })
  @IsIn(KINDS)
  kind!: (typeof KINDS)[number];

  @ApiProperty({ example: 'https://example.com/feed.xml' })
  @IsUrl(URL_OPTIONS, { message: 'url must be an absolute http(s) URL' })
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ description: 'Cron expression in UTC (5 or 6 fields); give this or intervalSeconds', example: '*/30 * * * *' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  schedule?: string;

  @ApiPropertyOptional({ minimum: MIN_INTERVAL, maximum: MAX_INTERVAL, description: 'Seconds between fetches; default 1800' })
  @IsOptional()
  @IsInt()
  @Min(MIN_INTERVAL)
  @Max(MAX_INTERVAL)
  intervalSeconds?: number;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ description: 'json and csv sources: the indicator (id or slug) their readings feed' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  indicator?: string;

  @ApiPropertyOptional({ description: 'json sources: RFC 6901 JSON Pointer to the number', example: '/data/0/value' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  jsonPointer?: string;

  @ApiPropertyOptional({ description: 'csv sources: header of the column holding the value' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  csvValueColumn?: string;

  @ApiPropertyOptional({ description: 'csv sources: header of the column holding the observation time' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  csvTimeColumn?: string;
}

/** Every field optional; `null` clears schedule, intervalSeconds and the kind-specific fields, and is refused for the rest. */
export class UpdateSourceDto {
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ enum: KINDS }) @IsOmittable() @IsIn(KINDS) kind?: (typeof KINDS)[number];

  @ApiPropertyOptional()
  @IsOmittable()
  @IsUrl(URL_OPTIONS, { message: 'url must be an absolute http(s) URL' })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ nullable: true }) @ValidateIf((_, value) => value !== null) @IsOptional() @IsString() @MaxLength(100) schedule?: string | null;

  @ApiPropertyOptional({ nullable: true, minimum: MIN_INTERVAL, maximum: MAX_INTERVAL })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsInt()
  @Min(MIN_INTERVAL)
  @Max(MAX_INTERVAL)
  intervalSeconds?: number | null;

  @ApiPropertyOptional() @IsOmittable() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ nullable: true, description: 'id or slug' }) @ValidateIf((_, value) => value !== null) @IsOptional() @IsString() @MaxLength(100) indicator?: string | null;
  @ApiPropertyOptional({ nullable: true }) @ValidateIf((_, value) => value !== null) @IsOptional() @IsString() @MaxLength(500) jsonPointer?: string | null;
  @ApiPropertyOptional({ nullable: true }) @ValidateIf((_, value) => value !== null) @IsOptional() @IsString() @Length(1, 200) csvValueColumn?: string | null;
  @ApiPropertyOptional({ nullable: true }) @ValidateIf((_, value) => value !== null) @IsOptional() @IsString() @Length(1, 200) csvTimeColumn?: string | null;
}

export class ImportOpmlDto {
  @ApiProperty({ description: 'The OPML document (subscription list); every outline with an xmlUrl becomes a feed source' })
  @IsString()
  @MaxLength(1_000_000)
  opml!: string;

  @ApiPropertyOptional({ minimum: MIN_INTERVAL, maximum: MAX_INTERVAL, description: 'Interval for the new sources; default 1800' })
  @IsOptional()
  @IsInt()
  @Min(MIN_INTERVAL)
  @Max(MAX_INTERVAL)
  intervalSeconds?: number;

  @ApiPropertyOptional({ description: 'Cron schedule (UTC) for the new sources, instead of intervalSeconds' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  schedule?: string;
}

export class SourceIndicatorDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
}

export class SourceHealthDto {
  @ApiProperty({ enum: ['healthy', 'erroring', 'failing', 'never-fetched', 'disabled'], description: 'failing: no successful fetch for two days (announced once as source.failing)' })
  state!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The cause of the last failure: HTTP status, refused address, not well-formed at line N, external entity refused...' })
  lastError!: string | null;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ nullable: true, type: String, description: 'While failing: the last success, else when the source was created' }) failingSince!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Items (or readings) the last successful fetch read, new and known' }) itemsPerFetch!: number | null;
  @ApiProperty() nextFetchDue!: string;
}

export class SourceWebSubDto {
  @ApiProperty({ enum: ['pending', 'active', 'failed'], description: 'pending: asked, waiting for the hub to verify; active: the hub pushes new items; failed: refused or never verified (asked again later)' })
  state!: string;
  @ApiProperty() hubUrl!: string;
  @ApiProperty() topicUrl!: string;
  @ApiProperty({ nullable: true, type: String }) verifiedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the lease runs out (renewed a day before)' }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastPushAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
}

export class SourceDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: KINDS }) kind!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ nullable: true, type: String }) schedule!: string | null;
  @ApiProperty({ nullable: true, type: Number }) intervalSeconds!: number | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ nullable: true, type: SourceIndicatorDto, description: 'json and csv sources: the indicator their readings feed' })
  indicator!: SourceIndicatorDto | null;
  @ApiProperty({ nullable: true, type: String }) jsonPointer!: string | null;
  @ApiProperty({ nullable: true, type: String }) csvValueColumn!: string | null;
  @ApiProperty({ nullable: true, type: String }) csvTimeColumn!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The longest interval the feed asked for (<ttl>, Cache-Control max-age)' })
  feedMinIntervalSeconds!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastFetchedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastSuccessAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() failureStreak!: number;
  @ApiProperty() nextFetchAt!: string;
  @ApiProperty({ nullable: true, type: Object, description: 'What the last fetch did (the same shape as POST /sources/:id/fetch returns)' })
  lastFetchSummary!: unknown;
  @ApiProperty({ type: SourceHealthDto }) health!: SourceHealthDto;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Adaptive polling: the interval in force (shorter while fetches bring new items, longer while they do not, within a quarter and four times intervalSeconds); null: the configured one',
  })
  pollIntervalSeconds!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the interval is what it is' }) pollIntervalReason!: string | null;
  @ApiProperty({ nullable: true, type: SourceWebSubDto, description: 'The WebSub subscription at the hub the feed names (<link rel="hub">); null when it names none' })
  webSub!: SourceWebSubDto | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class SourcePageDto {
  @ApiProperty({ type: [SourceDto] }) items!: SourceDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

class SkippedInputDto {
  @ApiPropertyOptional({ description: 'Position of the feed item, from 0' }) item?: number;
  @ApiPropertyOptional({ description: 'Line of the CSV row' }) line?: number;
  @ApiProperty() reason!: string;
}

export class FetchOutcomeDto {
  @ApiProperty() sourceId!: string;
  @ApiProperty({ enum: ['fetched', 'not-modified', 'failed', 'skipped'] }) status!: string;
  @ApiProperty() fetchedAt!: string;
  @ApiProperty() newItems!: number;
  @ApiProperty() duplicateItems!: number;
  @ApiProperty() matchedItems!: number;
  @ApiProperty() readingsRecorded!: number;
  @ApiProperty() skippedCount!: number;
  @ApiProperty({ type: [SkippedInputDto], description: 'The first 50 items or rows skipped, with the reason' }) skipped!: SkippedInputDto[];
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() failureStreak!: number;
  @ApiProperty() nextFetchAt!: string;
}

class SkippedFeedDto {
  @ApiProperty({ nullable: true, type: String }) url!: string | null;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty() reason!: string;
}

export class OpmlImportDto {
  @ApiProperty({ type: [SourceDto] }) created!: SourceDto[];
  @ApiProperty({ type: [SkippedFeedDto] }) skipped!: SkippedFeedDto[];
}

export function toSourceDto(source: SourceView): SourceDto {
  return {
    id: source.id,
    name: source.name,
    kind: source.kind,
    url: source.url,
    schedule: source.schedule,
    intervalSeconds: source.intervalSeconds,
    enabled: source.enabled,
    indicator: source.indicator,
    jsonPointer: source.jsonPointer,
    csvValueColumn: source.csvValueColumn,
    csvTimeColumn: source.csvTimeColumn,
    feedMinIntervalSeconds: source.minIntervalSeconds,
    lastFetchedAt: source.lastFetchedAt?.toISOString() ?? null,
    lastSuccessAt: source.lastSuccessAt?.toISOString() ?? null,
    lastError: source.lastError,
    failureStreak: source.failureStreak,
    nextFetchAt: source.nextFetchAt.toISOString(),
    lastFetchSummary: source.lastFetchSummary ?? null,
    health: sourceHealth(source),
    pollIntervalSeconds: source.pollIntervalSeconds,
    pollIntervalReason: source.pollIntervalReason,
    webSub: source.webSub
      ? {
          state: source.webSub.state,
          hubUrl: source.webSub.hubUrl,
          topicUrl: source.webSub.topicUrl,
          verifiedAt: source.webSub.verifiedAt?.toISOString() ?? null,
          expiresAt: source.webSub.expiresAt?.toISOString() ?? null,
          lastPushAt: source.webSub.lastPushAt?.toISOString() ?? null,
          lastError: source.webSub.lastError,
        }
      : null,
    createdAt: source.createdAt.toISOString(),
    updatedAt: source.updatedAt.toISOString(),
  };
}

export function toFetchOutcomeDto(outcome: FetchOutcome): FetchOutcomeDto {
  return { ...outcome };
}

export function toOpmlImportDto(result: OpmlImport): OpmlImportDto {
  return { created: result.created.map(toSourceDto), skipped: result.skipped };
}
