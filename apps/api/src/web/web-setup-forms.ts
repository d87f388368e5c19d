import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

import { DomainError } from '#core';

import type { Checked, FieldErrors } from './web-action-forms.js';

/**
 * The setup pages' forms (sources, rules, webhooks, subscribers). As the action forms, the bodies
 * take every field as the browser sends it, and the checks are pure and return every field's error
 * at once; what only the services can tell (a cron that does not parse, an unknown indicator, a
 * query naming a missing term set) comes back from them as a DomainError naming its field, before
 * anything is written, and is shown beside that field too.
 */

const TEXT = 2000;

/** A setup form as a page shows it: where it posts, what is in it, and each field's error. */
export interface SetupForm {
  action: string;
  mode: 'create' | 'edit';
  values: Record<string, unknown>;
  errors: FieldErrors | null;
}

export class DoneQuery {
  @IsOptional()
  @IsIn(['created', 'saved', 'deleted'])
  done?: string;
}

export const DONE: Record<string, string> = { created: 'Added.', saved: 'Saved.', deleted: 'Deleted.' };

/** Checkboxes arrive as one string or many. */
export const asList = ({ value }: { value: unknown }): unknown => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]);

export class SetupFormBody {
  @IsString() _csrf!: string;
  /** Present once the person has seen the confirmation step of a delete. */
  @IsOptional() @IsIn(['yes']) confirm?: string;
}

export class ConfirmFormBody extends SetupFormBody {}

export class SourceFormBody extends SetupFormBody {
  @IsOptional() @IsString() @MaxLength(TEXT) name?: string;
  @IsOptional() @IsString() @MaxLength(20) kind?: string;
  @IsOptional() @IsString() @MaxLength(TEXT * 2) url?: string;
  @IsOptional() @IsString() @MaxLength(40) intervalMinutes?: string;
  @IsOptional() @IsString() @MaxLength(200) schedule?: string;
  @IsOptional() @IsString() @MaxLength(200) indicator?: string;
  @IsOptional() @IsString() @MaxLength(TEXT) jsonPointer?: string;
  @IsOptional() @IsString() @MaxLength(400) csvValueColumn?: string;
  @IsOptional() @IsString() @MaxLength(400) csvTimeColumn?: string;
  @IsOptional() @IsString() @MaxLength(10) enabled?: string;
}

export class RuleFormBody extends SetupFormBody {
  @IsOptional() @IsString() @MaxLength(TEXT) name?: string;
  @IsOptional() @IsString() @MaxLength(TEXT * 4) query?: string;
  @IsOptional() @IsString() @MaxLength(200) indicator?: string;
  @Transform(asList) @IsString({ each: true }) @MaxLength(200, { each: true }) impactPrediction: string[] = [];
  @Transform(asList) @IsString({ each: true }) @MaxLength(20, { each: true }) impactDirection: string[] = [];
  @Transform(asList) @IsString({ each: true }) @MaxLength(20, { each: true }) impactStrength: string[] = [];
  @IsOptional() @IsString() @MaxLength(10) autoAccept?: string;
  @IsOptional() @IsString() @MaxLength(10) enabled?: string;
  /** The rule being edited, for a preview asked from its edit page. */
  @IsOptional() @IsUUID() ruleId?: string;
}

export class WebhookFormBody extends SetupFormBody {
  @IsOptional() @IsString() @MaxLength(TEXT * 2) url?: string;
  @Transform(asList) @IsString({ each: true }) @MaxLength(100, { each: true }) events: string[] = [];
  @IsOptional() @IsString() @MaxLength(20) format?: string;
  @IsOptional() @IsString() @MaxLength(TEXT) description?: string;
  @IsOptional() @IsString() @MaxLength(40) minChangePoints?: string;
  @IsOptional() @IsString() @MaxLength(10) enabled?: string;
}

export class SubscriberFormBody extends SetupFormBody {
  @IsOptional() @IsString() @MaxLength(TEXT) email?: string;
  @IsOptional() @IsString() @MaxLength(20) frequency?: string;
  @IsOptional() @IsString() @MaxLength(200) timezone?: string;
  @IsOptional() @IsString() @MaxLength(10) sendHour?: string;
  @IsOptional() @IsString() @MaxLength(10) sendWeekday?: string;
  @Transform(asList) @IsString({ each: true }) @MaxLength(200, { each: true }) predictions: string[] = [];
}


const blank = (value: string | undefined): boolean => value === undefined || value.trim() === '';
const done = <T>(errors: FieldErrors, value: T): Checked<T> => (Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value });
const checked = (value: string | undefined): boolean => value === 'on' || value === 'true' || value === 'yes';

function required(errors: FieldErrors, field: string, value: string | undefined, label: string, limit = 200): string {
  if (blank(value)) errors[field] = `${label} is required`;
  else if (value!.trim().length > limit) errors[field] = `${label} is longer than ${limit} characters`;
  return value?.trim() ?? '';
}

function optional(value: string | undefined): string | null {
  return blank(value) ? null : value!.trim();
}

function httpUrl(errors: FieldErrors, field: string, value: string | undefined, label: string): string {
  if (blank(value)) {
    errors[field] = `${label} is required`;
    return '';
  }
  const trimmed = value!.trim();
  try {
    const parsed = new URL(trimmed);
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && trimmed.length <= TEXT) return trimmed;
  } catch {
    // reported below
  }
  errors[field] = `${label} must be an absolute http(s) address`;
  return trimmed;
}

function wholeNumber(errors: FieldErrors, field: string, value: string | undefined, label: string, min: number, max: number): number | null {
  if (blank(value)) return null;
  const parsed = Number(value!.trim());
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    errors[field] = `${label} must be a whole number from ${min} to ${max}`;
    return null;
  }
  return parsed;
}

export interface SourceFormValue {
  name: string;
  kind: 'feed' | 'json' | 'csv';
  url: string;
  schedule: string | null;
  intervalSeconds: number | null;
  indicator: string | null;
  jsonPointer: string | null;
  csvValueColumn: string | null;
  csvTimeColumn: string | null;
  enabled: boolean;
}

/** A source: a feed, or a JSON/CSV endpoint feeding an indicator; fetched every N minutes or on a cron schedule. */
export function checkSourceForm(form: SourceFormBody): Checked<SourceFormValue> {
  const errors: FieldErrors = {};
  const name = required(errors, 'name', form.name, 'Name');
  const kind = form.kind;
  if (kind !== 'feed' && kind !== 'json' && kind !== 'csv') errors.kind = 'Kind must be feed, json or csv';
  const url = httpUrl(errors, 'url', form.url, 'URL');
  const schedule = optional(form.schedule);
  const minutes = wholeNumber(errors, 'intervalMinutes', form.intervalMinutes, 'Fetch every (minutes)', 1, 7 * 24 * 60);
  if (schedule !== null && minutes !== null) errors.schedule = 'Give either a schedule (cron) or an interval, not both';
  const isFeed = kind === 'feed';
  return done(errors, {
    name,
    kind: kind as SourceFormValue['kind'],
    url,
    schedule,
    intervalSeconds: minutes === null ? null : minutes * 60,
    // A feed has none of the indicator fields: left over in the form when the kind changed, they are dropped.
    indicator: isFeed ? null : optional(form.indicator),
    jsonPointer: kind === 'json' ? (form.jsonPointer?.trim() ?? null) || null : null,
    csvValueColumn: kind === 'csv' ? optional(form.csvValueColumn) : null,
    csvTimeColumn: kind === 'csv' ? optional(form.csvTimeColumn) : null,
    enabled: checked(form.enabled),
  });
}

export interface RuleFormValue {
  name: string;
  query: string;
  indicator: string | null;
  impacts: { prediction: string; direction: 'supports' | 'contradicts'; strength: 'weak' | 'moderate' | 'strong' }[];
  autoAccept: boolean;
  enabled: boolean;
}

/** A rule: its query, the indicator it routes to, and one impact per row whose prediction is chosen. */
export function checkRuleForm(form: RuleFormBody): Checked<RuleFormValue> {
  const errors: FieldErrors = {};
  const name = required(errors, 'name', form.name, 'Name');
  const query = required(errors, 'query', form.query, 'Query', 4000);
  const impacts: RuleFormValue['impacts'] = [];
  form.impactPrediction.forEach((prediction, index) => {
    if (blank(prediction)) return;
    const direction = form.impactDirection[index];
    const strength = form.impactStrength[index];
    if (direction !== 'supports' && direction !== 'contradicts') errors[`impact${index}`] = 'Direction must be supports or contradicts';
    else if (strength !== 'weak' && strength !== 'moderate' && strength !== 'strong') errors[`impact${index}`] = 'Strength must be weak, moderate or strong';
    else if (impacts.some((impact) => impact.prediction === prediction.trim())) errors[`impact${index}`] = 'This prediction has an impact already';
    else impacts.push({ prediction: prediction.trim(), direction, strength });
  });
  return done(errors, { name, query, indicator: optional(form.indicator), impacts, autoAccept: checked(form.autoAccept), enabled: checked(form.enabled) });
}

export interface WebhookFormValue {
  url: string;
  events: string[];
  format: 'standard' | 'slack';
  description: string | null;
  minProbabilityChange: number | null;
  enabled: boolean;
}

/** A webhook endpoint: where, which events (all when none is ticked), in which format. */
export function checkWebhookForm(form: WebhookFormBody, eventChoices: readonly string[]): Checked<WebhookFormValue> {
  const errors: FieldErrors = {};
  const url = httpUrl(errors, 'url', form.url, 'URL');
  const unknown = form.events.filter((event) => event !== '*' && !eventChoices.includes(event));
  if (unknown.length > 0) errors.events = `Unknown event: ${unknown.join(', ')}`;
  const events = form.events.length === 0 || form.events.includes('*') ? ['*'] : form.events;
  const format = form.format ?? 'standard';
  if (format !== 'standard' && format !== 'slack') errors.format = 'Format must be standard or slack';
  const description = optional(form.description);
  if (description && description.length > 500) errors.description = 'Description is longer than 500 characters';
  let minProbabilityChange: number | null = null;
  if (!blank(form.minChangePoints)) {
    const points = Number(form.minChangePoints!.trim().replace(',', '.'));
    if (!Number.isFinite(points) || points < 0 || points > 100) errors.minChangePoints = 'Smallest move must be a number of percentage points from 0 to 100';
    else minProbabilityChange = points / 100;
  }
  return done(errors, { url, events, format: format as WebhookFormValue['format'], description, minProbabilityChange, enabled: checked(form.enabled) });
}

export interface SubscriberFormValue {
  email: string;
  frequency: 'daily' | 'weekly';
  timezone: string;
  sendHour: number;
  sendWeekday: number;
  predictions: string[];
}

/** Who gets a digest, how often, at which hour of their time zone, about which predictions (all when none is ticked). */
export function checkSubscriberForm(form: SubscriberFormBody): Checked<SubscriberFormValue> {
  const errors: FieldErrors = {};
  const email = required(errors, 'email', form.email, 'Email', 320);
  if (!errors.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = 'Email must be an address such as ana@example.com';
  const frequency = form.frequency;
  if (frequency !== 'daily' && frequency !== 'weekly') errors.frequency = 'Frequency must be daily or weekly';
  const timezone = blank(form.timezone) ? 'UTC' : form.timezone!.trim();
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    errors.timezone = 'Time zone must be an IANA time zone such as Europe/Berlin';
  }
  const sendHour = wholeNumber(errors, 'sendHour', form.sendHour, 'Hour', 0, 23) ?? 8;
  const sendWeekday = wholeNumber(errors, 'sendWeekday', form.sendWeekday, 'Weekday', 0, 6) ?? 1;
  return done(errors, { email, frequency: frequency as SubscriberFormValue['frequency'], timezone, sendHour, sendWeekday, predictions: form.predictions.filter((id) => !blank(id)) });
}

/**
 * What the services refuse about the input (kind invalid, or a named thing not found), as a field
 * error, under the form's own name for the field; null for anything else, which is not the form's fault.
 */
export function fieldErrorsOf(error: unknown, rename: Record<string, string> = {}, fallbackField = 'form'): FieldErrors | null {
  if (!(error instanceof DomainError) || (error.kind !== 'invalid' && error.kind !== 'not_found' && error.kind !== 'conflict' && error.kind !== 'forbidden')) return null;
  if (error.kind === 'not_found' && !error.field) return null;
  const field = error.field ? (rename[error.field.replace(/\[\d+\].*$/, '')] ?? error.field) : fallbackField;
  return { [field]: error.message };
}

/** What was typed, without the form token, to fill the form in again. */
export function typedValues(form: object): Record<string, unknown> {
  const { _csrf: _token, confirm: _confirm, ...values } = form as Record<string, unknown>;
  return values;
}
