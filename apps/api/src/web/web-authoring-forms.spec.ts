import { DomainError } from '#core';

import {
  checkIndicatorForm,
  checkIndicatorLinksForm,
  checkPredictionForm,
  checkPredictionTextForm,
  checkUndoResolutionForm,
  IndicatorFormBody,
  IndicatorLinksFormBody,
  PredictionFormBody,
  renamed,
  UndoResolutionFormBody,
} from './web-authoring-forms.js';
import { fieldErrorsOf } from './web-setup-forms.js';

const form = <T extends object>(Body: new () => T, fields: Partial<T>): T => Object.assign(new Body(), { _csrf: 't' }, fields);
const prediction = { slug: 'chip-tariffs', title: 'Tariffs', statement: 'S', resolutionCriteria: 'C', prior: '0.4', deadline: '2030-01-01T09:30' };

describe('the authoring forms, checked by the API\'s DTOs', () => {
  it('reads a prediction: numbers as typed (a decimal comma too), a datetime-local as UTC, the checkbox', () => {
    const checked = checkPredictionForm(form(PredictionFormBody, { ...prediction, prior: ' 0,4 ', eventByDeadline: 'on' }));
    expect(checked).toEqual({ ok: true, value: expect.objectContaining({ slug: 'chip-tariffs', prior: 0.4, deadline: '2030-01-01T09:30Z', eventByDeadline: true }) });
  });

  it('names every bad field at once by its label, a blank one as required', () => {
    const checked = checkPredictionForm(form(PredictionFormBody, { ...prediction, slug: 'Chip Tariffs', title: '  ', prior: '1.5', deadline: 'soon' }));
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.errors).toEqual({
      slug: 'Slug must be lower-case words joined by hyphens',
      title: 'Title is required',
      prior: expect.stringMatching(/^Prior must be a probability within 0.001..0.999/),
      deadline: expect.stringMatching(/^Deadline must be an ISO 8601 date and time/),
    });
    expect(checkPredictionForm(form(PredictionFormBody, { ...prediction, prior: 'forty' }))).toMatchObject({ ok: false, errors: { prior: expect.stringMatching(/^Prior must be/) } });
  });

  it('edits only the text, with the rules of its creation', () => {
    expect(checkPredictionTextForm(form(PredictionFormBody, { title: 'T', statement: '', resolutionCriteria: 'C' }))).toEqual({ ok: false, errors: { statement: 'Statement is required' } });
    expect(checkPredictionTextForm(form(PredictionFormBody, { title: 'T', statement: 'S', resolutionCriteria: 'x'.repeat(5001) }))).toMatchObject({ ok: false, errors: { resolutionCriteria: expect.stringMatching(/^Resolution criteria must be shorter/) } });
  });

  it('reads an indicator, the description optional', () => {
    expect(checkIndicatorForm(form(IndicatorFormBody, { slug: 'fab-load', name: 'Fab load', unit: '%' }))).toEqual({ ok: true, value: expect.objectContaining({ slug: 'fab-load', description: '' }) });
    expect(checkIndicatorForm(form(IndicatorFormBody, { slug: 'fab-load', name: 'Fab load' }))).toEqual({ ok: false, errors: { unit: 'Unit is required' } });
  });

  it('reads the link rows, leaving out those without a prediction and naming an error by its row', () => {
    const rows = form(IndicatorLinksFormBody, {
      linkPrediction: ['a', '', 'b'],
      linkThreshold: ['10', '99', '20'],
      linkUp: ['2', '', '1000'],
      linkDown: ['0.5', '', '0.5'],
      linkNote: ['', '', 'why'],
    });
    const checked = checkIndicatorLinksForm(rows);
    expect(checked).toMatchObject({ ok: false, errors: { 'links[2].likelihoodRatioUp': 'Link 3 LR crossing up must not be greater than 100' } });
    // The service's refusal of the second link sent is the third row's too.
    const refusal = fieldErrorsOf(new DomainError('invalid', 'duplicate-link', 'links[1].threshold: prediction "b" already has a link at this threshold', 'links[1].threshold'))!;
    expect(renamed(refusal, checked.rowOf)).toEqual({ 'links[2].threshold': 'Link 3 threshold: prediction "b" already has a link at this threshold' });
    const fixed = checkIndicatorLinksForm({ ...rows, linkUp: ['2', '', '3'] });
    expect(fixed).toMatchObject({ ok: true, value: [{ prediction: 'a', threshold: 10, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5 }, { prediction: 'b', threshold: 20, likelihoodRatioUp: 3, note: 'why' }] });
  });

  it('wants a reason to undo a resolution', () => {
    expect(checkUndoResolutionForm(form(UndoResolutionFormBody, { reason: ' ' }))).toEqual({ ok: false, errors: { reason: 'Reason is required' } });
    expect(checkUndoResolutionForm(form(UndoResolutionFormBody, { reason: 'Withdrawn' }))).toMatchObject({ ok: true, value: { reason: 'Withdrawn' } });
  });
});
