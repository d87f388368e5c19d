import { PickType } from '@nestjs/swagger';
import { plainToInstance, Transform, type ClassConstructor } from 'class-transformer';
import { IsOptional, IsString, MaxLength, validateSync } from 'class-validator';

import { RequestValidationError } from '../http/validation/request-validation.error.js';
import { CreateIndicatorDto, IndicatorLinkInputDto, ReplaceIndicatorLinksDto } from '../indicators/indicator.dto.js';
import { CreatePredictionDto, UndoResolutionDto } from '../predictions/prediction.dto.js';
import type { Checked, FieldErrors } from './web-action-forms.js';
import { asList, SetupFormBody } from './web-setup-forms.js';

/**
 * The authoring forms: predictions, indicators and an indicator's links, and undoing a resolution.
 * Their rules are the API's: each form is turned into the request the API would take (a blank field
 * left out, numbers read, a datetime-local read as UTC) and checked against the API's own DTO, so a
 * prior of 1.5 or an empty title is refused here in the words the API uses, with every field's error
 * at once and the field named as the page labels it.
 */

const TEXT = 5000;

export class PredictionFormBody extends SetupFormBody {
  @IsOptional() @IsString() @MaxLength(200) slug?: string;
  @IsOptional() @IsString() @MaxLength(TEXT) title?: string;
  @IsOptional() @IsString() @MaxLength(TEXT * 2) statement?: string;
  @IsOptional() @IsString() @MaxLength(TEXT * 2) resolutionCriteria?: string;
  @IsOptional() @IsString() @MaxLength(40) prior?: string;
  @IsOptional() @IsString() @MaxLength(40) deadline?: string;
  @IsOptional() @IsString() @MaxLength(10) eventByDeadline?: string;
}

export class IndicatorFormBody extends SetupFormBody {
  @IsOptional() @IsString() @MaxLength(200) slug?: string;
  @IsOptional() @IsString() @MaxLength(TEXT) name?: string;
  @IsOptional() @IsString() @MaxLength(TEXT * 2) description?: string;
  @IsOptional() @IsString() @MaxLength(200) unit?: string;
}

/** One row per link, in the order shown; a row without a prediction is left out. */
export class IndicatorLinksFormBody extends SetupFormBody {
  @Transform(asList) @IsString({ each: true }) @MaxLength(200, { each: true }) linkPrediction: string[] = [];
  @Transform(asList) @IsString({ each: true }) @MaxLength(40, { each: true }) linkThreshold: string[] = [];
  @Transform(asList) @IsString({ each: true }) @MaxLength(40, { each: true }) linkUp: string[] = [];
  @Transform(asList) @IsString({ each: true }) @MaxLength(40, { each: true }) linkDown: string[] = [];
  @Transform(asList) @IsString({ each: true }) @MaxLength(TEXT, { each: true }) linkNote: string[] = [];
}

export class UndoResolutionFormBody extends SetupFormBody {
  @IsOptional() @IsString() @MaxLength(TEXT) reason?: string;
}

/** What an edit of a prediction may change: its text, with the rules of its creation. */
export class PredictionTextDto extends PickType(CreatePredictionDto, ['title', 'statement', 'resolutionCriteria'] as const) {}

/** What an edit of an indicator may change: all but the slug. */
export class IndicatorTextDto extends PickType(CreateIndicatorDto, ['name', 'description', 'unit'] as const) {}

/** Each field's label on the pages. */
const LABELS: Record<string, string> = {
  slug: 'Slug',
  title: 'Title',
  statement: 'Statement',
  resolutionCriteria: 'Resolution criteria',
  prior: 'Prior',
  deadline: 'Deadline',
  eventByDeadline: 'Happens by the deadline',
  name: 'Name',
  description: 'Description',
  unit: 'Unit',
  reason: 'Reason',
};
const LINK_LABELS: Record<string, string> = {
  prediction: 'prediction',
  threshold: 'threshold',
  likelihoodRatioUp: 'LR crossing up',
  likelihoodRatioDown: 'LR crossing down',
  note: 'note',
};

/** A field's label for the page: `prior` is "Prior", `links[2].threshold` "Link 3 threshold". */
function labelOf(field: string): string {
  const link = /^links\[(\d+)\]\.(\w+)$/.exec(field);
  if (link) return `Link ${Number(link[1]) + 1} ${LINK_LABELS[link[2]!] ?? link[2]}`;
  return LABELS[field] ?? field;
}

/** The API's messages begin with the field's name; the page says its label instead. */
function inWords(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, message.startsWith(field) ? labelOf(field) + message.slice(field.length) : message]));
}

/**
 * The request checked as the API checks it (the same DTO and rules), with one error per field;
 * `rename` names a field as the form knows it.
 */
function checkAgainst<T extends object>(dto: ClassConstructor<T>, request: object, rename: (field: string) => string = (field) => field): Checked<T> {
  const value = plainToInstance(dto, request);
  const failures = validateSync(value, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: true } });
  if (failures.length === 0) return { ok: true, value };
  const errors: FieldErrors = {};
  for (const { field, message } of new RequestValidationError(failures).fields) errors[field] ??= message;
  return { ok: false, errors: renamed(errors, rename) };
}

/** Errors under the form's names for their fields, each message beginning with the field's label. */
export function renamed(errors: FieldErrors, rename: (field: string) => string = (field) => field): FieldErrors {
  return inWords(Object.fromEntries(Object.entries(errors).map(([field, message]) => [rename(field), message.startsWith(field) ? rename(field) + message.slice(field.length) : message])));
}

/** A blank field is one not given: a required one is then "required", as in the API. */
const given = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
/** A number as people type it (a decimal comma too); what is not one stays NaN for the DTO to refuse. */
const givenNumber = (value: string | undefined): number | undefined => (given(value) === undefined ? undefined : Number(given(value)!.replace(',', '.')));
/** A datetime-local input has no zone: the pages speak UTC. */
const givenUtcTime = (value: string | undefined): string | undefined => {
  const time = given(value);
  return time !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(time) ? `${time}Z` : time;
};

export function checkPredictionForm(form: PredictionFormBody): Checked<CreatePredictionDto> {
  return checkAgainst(CreatePredictionDto, {
    slug: given(form.slug),
    title: given(form.title),
    statement: given(form.statement),
    resolutionCriteria: given(form.resolutionCriteria),
    prior: givenNumber(form.prior),
    deadline: givenUtcTime(form.deadline),
    eventByDeadline: form.eventByDeadline === 'on',
  });
}

export function checkPredictionTextForm(form: PredictionFormBody): Checked<PredictionTextDto> {
  return checkAgainst(PredictionTextDto, { title: given(form.title), statement: given(form.statement), resolutionCriteria: given(form.resolutionCriteria) });
}

export function checkIndicatorForm(form: IndicatorFormBody): Checked<CreateIndicatorDto> {
  return checkAgainst(CreateIndicatorDto, { slug: given(form.slug), name: given(form.name), description: form.description?.trim() ?? '', unit: given(form.unit) });
}

export function checkIndicatorTextForm(form: IndicatorFormBody): Checked<IndicatorTextDto> {
  return checkAgainst(IndicatorTextDto, { name: given(form.name), description: form.description?.trim() ?? '', unit: given(form.unit) });
}

/**
 * The links the rows describe, as PUT /v1/indicators/:idOrSlug/links takes them. Errors are named
 * by the row they are in (`links[<row>].<field>`), whichever rows were left out before it; `rowOf`
 * does the same for what the service refuses about the n-th link sent.
 */
export function checkIndicatorLinksForm(form: IndicatorLinksFormBody): Checked<IndicatorLinkInputDto[]> & { rowOf: (field: string) => string } {
  const rows = form.linkPrediction.flatMap((prediction, row) => (given(prediction) === undefined ? [] : [row]));
  const rowOf = (field: string) => field.replace(/^links\[(\d+)\]/, (_whole, index: string) => `links[${rows[Number(index)] ?? index}]`);
  const links = rows.map((row) => ({
    prediction: given(form.linkPrediction[row]),
    threshold: givenNumber(form.linkThreshold[row]),
    likelihoodRatioUp: givenNumber(form.linkUp[row]),
    likelihoodRatioDown: givenNumber(form.linkDown[row]),
    note: given(form.linkNote[row]),
  }));
  const checked = checkAgainst(ReplaceIndicatorLinksDto, { links }, rowOf);
  return checked.ok ? { ok: true, value: checked.value.links, rowOf } : { ...checked, rowOf };
}

export function checkUndoResolutionForm(form: UndoResolutionFormBody): Checked<UndoResolutionDto> {
  return checkAgainst(UndoResolutionDto, { reason: given(form.reason) });
}
