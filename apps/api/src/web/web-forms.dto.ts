import { Transform, Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

import { MAX_PROBABILITY, MIN_PROBABILITY } from '#core';

/** Every form of the web app carries the session's form token. */
class CsrfForm {
  @IsString()
  _csrf!: string;
}

/** Checkboxes and repeated query fields arrive as one string or many. */
const asList = ({ value }: { value: unknown }): unknown => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]);
/** An empty optional form field means "not given". */
const emptyAsUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

export class LoginForm {
  @IsString()
  _csrf!: string;

  @IsString()
  @MaxLength(200)
  key!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  next?: string;
}

export class LogoutForm extends CsrfForm {}

export class SlugParams {
  @IsString()
  @MaxLength(200)
  slug!: string;
}

export class IdParams {
  @IsUUID()
  id!: string;
}

export class StoryItemParams {
  @IsUUID()
  id!: string;

  @IsUUID()
  itemId!: string;
}

/** Put a signal item into this story. */
export class LinkStoryItemForm extends CsrfForm {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsUUID('all', { message: 'itemId must be the id of a signal item' })
  itemId!: string;
}

/** Split an item off its story. */
export class SplitStoryItemForm extends CsrfForm {}

export class PredictionPageQuery {
  /** Explain the probability at this time (ISO 8601 or the value of a datetime-local input, UTC). */
  @IsOptional()
  @Transform(emptyAsUndefined)
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/, { message: 'at must be a date and time such as 2026-11-29T10:00Z' })
  at?: string;

  /** Evidence to leave out of the what-if line. */
  @Transform(asList)
  @IsUUID('all', { each: true })
  exclude: string[] = [];

  @IsOptional()
  @IsIn(['evidence', 'override', 'resolve', 'forecast', 'retract', 'created', 'saved', 'unchanged', 'undo'])
  done?: string;

  /** Evidence the evidence just recorded looked like the same story as (the warning after recording). */
  @Transform(asList)
  @IsUUID('all', { each: true })
  same: string[] = [];
}

export class OverviewQuery {
  @IsOptional()
  @IsIn(['title', 'probability', 'change7', 'change30', 'deadline', 'status'])
  sort?: string;

  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: string;
}

export class OverrideForm extends CsrfForm {
  /** In percent, as people write it. */
  @Type(() => Number)
  @IsNumber()
  @Min(MIN_PROBABILITY * 100)
  @Max(MAX_PROBABILITY * 100)
  percent!: number;

  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(/\S/, { message: '$property must not be blank' })
  reason!: string;
}

export class AcceptSignalForm extends CsrfForm {
  /** One strength per suggested impact, in the order shown; "skip" leaves that prediction out. */
  @Transform(asList)
  @IsIn(['weak', 'moderate', 'strong', 'skip'], { each: true })
  strength: string[] = [];

  @Transform(asList)
  @IsIn(['supports', 'contradicts'], { each: true })
  direction: string[] = [];

  @Transform(asList)
  @IsString({ each: true })
  prediction: string[] = [];

  /** A likelihood ratio instead of the strength, for the impact in the same position. */
  @Transform(asList)
  @IsString({ each: true })
  likelihoodRatio: string[] = [];
}

export class RejectSignalForm extends CsrfForm {
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(/\S/, { message: '$property must not be blank' })
  reason!: string;
}

export class ToggleForm extends CsrfForm {
  @IsIn(['true', 'false'])
  enabled!: 'true' | 'false';
}

