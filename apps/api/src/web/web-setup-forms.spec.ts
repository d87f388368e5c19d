import { DomainError, NotFoundError } from '#core';

import { checkRuleForm, checkSourceForm, checkSubscriberForm, checkWebhookForm, fieldErrorsOf, RuleFormBody, SourceFormBody, SubscriberFormBody, WebhookFormBody } from './web-setup-forms.js';

const form = <T extends object>(Body: new () => T, fields: Partial<T>): T => Object.assign(new Body(), { _csrf: 't' }, fields);

describe('the setup forms', () => {
  it('reads a source, every field error at once, and drops the indicator fields of a feed', () => {
    expect(checkSourceForm(form(SourceFormBody, { name: ' ', kind: 'rss', url: 'ftp://x', intervalMinutes: '0' }))).toEqual({
      ok: false,
      errors: { name: 'Name is required', kind: 'Kind must be feed, json or csv', url: 'URL must be an absolute http(s) address', intervalMinutes: 'Fetch every (minutes) must be a whole number from 1 to 10080' },
    });
    const checked = checkSourceForm(form(SourceFormBody, { name: 'Wire', kind: 'feed', url: 'https://example.com/feed', intervalMinutes: '15', indicator: 'left-over', enabled: 'on' }));
    expect(checked).toEqual({ ok: true, value: expect.objectContaining({ intervalSeconds: 900, indicator: null, enabled: true }) });
    expect(checkSourceForm(form(SourceFormBody, { name: 'Wire', kind: 'feed', url: 'https://example.com/feed', intervalMinutes: '15', schedule: '* * * * *' }))).toMatchObject({ ok: false, errors: { schedule: expect.stringContaining('not both') } });
  });

  it('reads a rule: rows without a prediction are left out, a row twice for one prediction is named', () => {
    const checked = checkRuleForm(form(RuleFormBody, { name: 'R', query: 'a', impactPrediction: ['p1', '', 'p1'], impactDirection: ['supports', 'supports', 'contradicts'], impactStrength: ['strong', 'weak', 'weak'] }));
    expect(checked).toEqual({ ok: false, errors: { impact2: 'This prediction has an impact already' } });
    expect(checkRuleForm(form(RuleFormBody, { name: 'R', query: 'a', impactPrediction: ['p1', ''], impactDirection: ['contradicts', 'supports'], impactStrength: ['weak', 'moderate'], enabled: 'on' }))).toEqual({
      ok: true,
      value: { name: 'R', query: 'a', indicator: null, impacts: [{ prediction: 'p1', direction: 'contradicts', strength: 'weak' }], autoAccept: false, enabled: true },
    });
  });

  it('reads a webhook: no event ticked is every event; the smallest move in points', () => {
    expect(checkWebhookForm(form(WebhookFormBody, { url: 'https://h.example.com', minChangePoints: '5' }), ['a.b'])).toEqual({ ok: true, value: expect.objectContaining({ events: ['*'], format: 'standard', minProbabilityChange: 0.05 }) });
    expect(checkWebhookForm(form(WebhookFormBody, { url: 'https://h.example.com', events: ['x.y'], format: 'teams' }), ['a.b'])).toMatchObject({ ok: false, errors: { events: 'Unknown event: x.y', format: expect.any(String) } });
  });

  it('reads a subscriber: a time zone and an hour that exist', () => {
    expect(checkSubscriberForm(form(SubscriberFormBody, { email: 'a@b', frequency: 'hourly', timezone: 'Mars/Olympus', sendHour: '24' }))).toMatchObject({
      ok: false,
      errors: { email: expect.any(String), frequency: expect.any(String), timezone: expect.any(String), sendHour: expect.any(String) },
    });
    expect(checkSubscriberForm(form(SubscriberFormBody, { email: 'a@b.example', frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: '7', sendWeekday: '5' }))).toEqual({
      ok: true,
      value: { email: 'a@b.example', frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: 7, sendWeekday: 5, predictions: [] },
    });
  });

  it("names the field of what a service refuses, under the form's name for it, and leaves other errors alone", () => {
    expect(fieldErrorsOf(new DomainError('invalid', 'invalid-interval', 'too short', 'intervalSeconds'), { intervalSeconds: 'intervalMinutes' })).toEqual({ intervalMinutes: 'too short' });
    expect(fieldErrorsOf(new NotFoundError('Indicator', 'x', 'indicator'))).toEqual({ indicator: 'Indicator "x" does not exist' });
    expect(fieldErrorsOf(new NotFoundError('Rule', 'x'))).toBeNull();
    expect(fieldErrorsOf(new Error('database down'))).toBeNull();
  });
});
