import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

import { isAcceptedProbability, MAX_LIKELIHOOD_RATIO, MAX_PROBABILITY, MIN_LIKELIHOOD_RATIO, MIN_PROBABILITY } from '#core';

/**
 * The prediction page's action forms. The bodies take every field as the browser sends it (text,
 * possibly empty), so that a wrong value comes back as the page with the field named rather than an
 * error page; the checks below are pure and return every field's error at once.
 */

/** A field's name and what is wrong with it, in words for the person who filled it in. */
export type FieldErrors = Record<string, string>;

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const TEXT_LIMIT = 2000;

export class RetractParams {
  @IsString()
  @MaxLength(200)
  slug!: string;

  @IsUUID()
  id!: string;
}

export class IndicatorPageQuery {
  @IsOptional()
  @IsIn(['recorded', 'crossed', 'duplicate'])
  reading?: string;

  @IsOptional()
  @IsIn(['saved', 'links'])
  done?: string;
}

export class LiveQuery {
  @IsString()
  @MaxLength(220)
  topic!: string;
}

export class WebhooksPageQuery {
  @IsOptional()
  @IsIn(['ok', 'failed'])
  redelivered?: string;

  @IsOptional()
  @IsIn(['created', 'saved', 'deleted'])
  done?: string;
}

export class DeliveryParams {
  @IsUUID()
  id!: string;

  @IsUUID()
  deliveryId!: string;
}

export class ForecasterParams {
  @IsString()
  @MaxLength(200)
  forecaster!: string;
}

/** A failed form of a page with one form: each field's error and what was typed. */
export interface FormFailureOf {
  errors: FieldErrors;
  values: Record<string, string | undefined>;
}

class ActionForm {
  @IsString()
  _csrf!: string;
}

export class ForecastFormBody extends ActionForm {
  @IsOptional() @IsString() @MaxLength(100) probability?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 2) note?: string;
}

export class ResolveFormBody extends ActionForm {
  @IsOptional() @IsString() @MaxLength(20) outcome?: string;
  @IsOptional() @IsString() @MaxLength(40) occurredAt?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 2) sourceUrl?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 4) note?: string;
  /** Present once the analyst has seen the confirmation step. */
  @IsOptional() @IsIn(['yes']) confirm?: string;
}

export class EvidenceFormBody extends ActionForm {
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 2) summary?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 2) sourceUrl?: string;
  @IsOptional() @IsString() @MaxLength(40) observedAt?: string;
  /** `words` (direction and strength) or `ratio` (likelihood ratio). */
  @IsOptional() @IsString() @MaxLength(10) weighing?: string;
  @IsOptional() @IsString() @MaxLength(20) direction?: string;
  @IsOptional() @IsString() @MaxLength(20) strength?: string;
  @IsOptional() @IsString() @MaxLength(40) likelihoodRatio?: string;
  @IsOptional() @IsString() @MaxLength(40) reliability?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 2) independentReason?: string;
}

export class RetractFormBody extends ActionForm {
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 2) reason?: string;
  /** Present once the analyst has seen the confirmation step. */
  @IsOptional() @IsIn(['yes']) confirm?: string;
}

export class ReadingFormBody extends ActionForm {
  @IsOptional() @IsString() @MaxLength(40) value?: string;
  @IsOptional() @IsString() @MaxLength(40) observedAt?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_LIMIT * 2) sourceUrl?: string;
}

const blank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

function text(errors: FieldErrors, field: string, value: string | undefined, label: string, required: boolean): string | null {
  if (blank(value)) {
    if (required) errors[field] = `${label} is required`;
    return null;
  }
  if (value!.length > TEXT_LIMIT) errors[field] = `${label} is longer than ${TEXT_LIMIT} characters`;
  return value!.trim();
}

function number(value: string): number | null {
  const parsed = Number(value.trim().replace(',', '.'));
  return value.trim() === '' || !Number.isFinite(parsed) ? null : parsed;
}

/** An <input type="datetime-local"> (no zone: the pages speak UTC) or an ISO time with its zone. */
export function parseFormTime(value: string | undefined): Date | null {
  if (blank(value)) return null;
  const trimmed = value!.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(trimmed)) return null;
  const parsed = new Date(/(Z|[+-]\d{2}:\d{2})$/.test(trimmed) ? trimmed : `${trimmed}Z`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

function time(errors: FieldErrors, field: string, value: string | undefined, label: string, now: Date): Date | null {
  if (blank(value)) return null;
  const parsed = parseFormTime(value);
  if (!parsed) errors[field] = `${label} must be a date and time such as 2026-11-29T10:00 (UTC)`;
  else if (parsed.getTime() > now.getTime() + 60_000) errors[field] = `${label} cannot be in the future`;
  return parsed;
}

function url(errors: FieldErrors, field: string, value: string | undefined): string | null {
  if (blank(value)) return null;
  const trimmed = value!.trim();
  try {
    const parsed = new URL(trimmed);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return trimmed.length > TEXT_LIMIT ? ((errors[field] = 'Source URL is too long'), null) : trimmed;
  } catch {
    // reported below
  }
  errors[field] = 'Source URL must be an http(s) address';
  return null;
}

const done = <T>(errors: FieldErrors, value: T): Checked<T> => (Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value });

/** Your forecast: a probability strictly between 0 and 1 as the engine takes it; 60 is read as a percentage someone meant to write as 0.6. */
export function checkForecastForm(form: ForecastFormBody): Checked<{ probability: number; note: string | null }> {
  const errors: FieldErrors = {};
  const range = `Probability must be a number from ${MIN_PROBABILITY} to ${MAX_PROBABILITY}`;
  let probability = NaN;
  if (blank(form.probability)) errors.probability = 'Probability is required';
  else {
    probability = number(form.probability!.replace(/%$/, '')) ?? NaN;
    if (Number.isNaN(probability)) errors.probability = `${range}, such as 0.35`;
    else if (probability > 1 && probability < 100) errors.probability = `${range}; ${probability} looks like a percentage: enter ${probability / 100}`;
    else if (!isAcceptedProbability(probability)) errors.probability = range;
  }
  const note = text(errors, 'note', form.note, 'Rationale', false);
  return done(errors, { probability, note });
}

export interface ResolveFormValue {
  outcome: 'true' | 'false' | 'annulled';
  occurredAt: Date | null;
  sourceUrl: string | null;
  note: string;
}

export function checkResolveForm(form: ResolveFormBody, now = new Date()): Checked<ResolveFormValue> {
  const errors: FieldErrors = {};
  const outcome = form.outcome;
  if (outcome !== 'true' && outcome !== 'false' && outcome !== 'annulled') errors.outcome = 'Outcome is required: true, false or annulled';
  const occurredAt = time(errors, 'occurredAt', form.occurredAt, 'When it happened', now);
  const sourceUrl = url(errors, 'sourceUrl', form.sourceUrl);
  const note = text(errors, 'note', form.note, 'How it resolved', true);
  return done(errors, { outcome: outcome as ResolveFormValue['outcome'], occurredAt, sourceUrl, note: note ?? '' });
}

export interface EvidenceFormValue {
  summary: string;
  sourceUrl: string | null;
  observedAt: Date | null;
  weight: { likelihoodRatio: number } | { direction: 'supports' | 'contradicts'; strength: 'weak' | 'moderate' | 'strong' };
  reliability: number | null;
  independentReason: string | null;
}

export function checkEvidenceForm(form: EvidenceFormBody, now = new Date()): Checked<EvidenceFormValue> {
  const errors: FieldErrors = {};
  const summary = text(errors, 'summary', form.summary, 'What was observed', true);
  const sourceUrl = url(errors, 'sourceUrl', form.sourceUrl);
  const observedAt = time(errors, 'observedAt', form.observedAt, 'Observed at', now);
  let weight: EvidenceFormValue['weight'] = { direction: 'supports', strength: 'moderate' };
  if (form.weighing === 'ratio') {
    const ratio = blank(form.likelihoodRatio) ? null : number(form.likelihoodRatio!);
    if (ratio === null || ratio < MIN_LIKELIHOOD_RATIO || ratio > MAX_LIKELIHOOD_RATIO || ratio === 1) {
      errors.likelihoodRatio = `Likelihood ratio must be a number from ${MIN_LIKELIHOOD_RATIO} to ${MAX_LIKELIHOOD_RATIO}, not 1 (above 1 supports, below 1 contradicts)`;
    } else weight = { likelihoodRatio: ratio };
  } else {
    const direction = form.direction;
    const strength = form.strength;
    if (direction !== 'supports' && direction !== 'contradicts') errors.direction = 'Direction must be supports or contradicts';
    if (strength !== 'weak' && strength !== 'moderate' && strength !== 'strong') errors.strength = 'Strength must be weak, moderate or strong';
    if (!errors.direction && !errors.strength) weight = { direction: direction as 'supports' | 'contradicts', strength: strength as 'weak' | 'moderate' | 'strong' };
  }
  let reliability: number | null = null;
  if (!blank(form.reliability)) {
    reliability = number(form.reliability!);
    if (reliability === null || reliability < 0 || reliability > 1) errors.reliability = 'Reliability must be a number from 0 to 1';
  }
  const independentReason = text(errors, 'independentReason', form.independentReason, 'The reason', false);
  return done(errors, { summary: summary ?? '', sourceUrl, observedAt, weight, reliability, independentReason });
}

export function checkRetractForm(form: RetractFormBody): Checked<{ reason: string }> {
  const errors: FieldErrors = {};
  const reason = text(errors, 'reason', form.reason, 'Reason', true);
  return done(errors, { reason: reason ?? '' });
}

export function checkReadingForm(form: ReadingFormBody, now = new Date()): Checked<{ value: number; observedAt: Date | null; sourceUrl: string | null }> {
  const errors: FieldErrors = {};
  const value = blank(form.value) ? null : number(form.value!);
  if (value === null) errors.value = 'Value must be a number';
  const observedAt = time(errors, 'observedAt', form.observedAt, 'Observed at', now);
  const sourceUrl = url(errors, 'sourceUrl', form.sourceUrl);
  return done(errors, { value: value ?? 0, observedAt, sourceUrl });
}
