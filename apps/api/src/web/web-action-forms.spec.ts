import { checkEvidenceForm, checkForecastForm, checkReadingForm, checkResolveForm, checkRetractForm, parseFormTime } from './web-action-forms.js';

const now = new Date('2026-12-07T12:00:00Z');

describe('the web action forms', () => {
  it('takes a forecast strictly inside the engine range, and reads 60 as a percentage meant as 0.6', () => {
    expect(checkForecastForm({ _csrf: 't', probability: ' 0.35 ', note: 'Base rates' })).toEqual({ ok: true, value: { probability: 0.35, note: 'Base rates' } });
    expect(checkForecastForm({ _csrf: 't', probability: '0' })).toMatchObject({ ok: false, errors: { probability: 'Probability must be a number from 0.001 to 0.999' } });
    expect(checkForecastForm({ _csrf: 't', probability: '1.5' })).toMatchObject({ ok: false, errors: { probability: expect.stringContaining('from 0.001 to 0.999') } });
    expect(checkForecastForm({ _csrf: 't', probability: '60' })).toMatchObject({ ok: false, errors: { probability: expect.stringContaining('60 looks like a percentage: enter 0.6') } });
    expect(checkForecastForm({ _csrf: 't', probability: 'soon' })).toMatchObject({ ok: false, errors: { probability: expect.stringContaining('such as 0.35') } });
    expect(checkForecastForm({ _csrf: 't' })).toMatchObject({ ok: false, errors: { probability: 'Probability is required' } });
  });

  it('names every wrong field of a resolution at once', () => {
    const checked = checkResolveForm({ _csrf: 't', outcome: '', occurredAt: '2027-01-01T00:00', sourceUrl: 'ftp://x', note: ' ' }, now);
    expect(checked).toEqual({
      ok: false,
      errors: {
        outcome: 'Outcome is required: true, false or annulled',
        occurredAt: 'When it happened cannot be in the future',
        sourceUrl: 'Source URL must be an http(s) address',
        note: 'How it resolved is required',
      },
    });
    expect(checkResolveForm({ _csrf: 't', outcome: 'true', occurredAt: '2026-12-01T08:30', note: 'Listed' }, now)).toEqual({
      ok: true,
      value: { outcome: 'true', occurredAt: new Date('2026-12-01T08:30:00Z'), sourceUrl: null, note: 'Listed' },
    });
  });

  it('weighs evidence in words or by a likelihood ratio within the library limits', () => {
    expect(checkEvidenceForm({ _csrf: 't', summary: 'Seen', weighing: 'ratio', likelihoodRatio: '2.5' }, now)).toMatchObject({ ok: true, value: { weight: { likelihoodRatio: 2.5 } } });
    expect(checkEvidenceForm({ _csrf: 't', summary: 'Seen', weighing: 'ratio', likelihoodRatio: '500' }, now)).toMatchObject({ ok: false, errors: { likelihoodRatio: expect.stringContaining('0.01 to 100') } });
    expect(checkEvidenceForm({ _csrf: 't', summary: 'Seen', weighing: 'ratio', likelihoodRatio: '1' }, now)).toMatchObject({ ok: false });
    expect(checkEvidenceForm({ _csrf: 't', summary: 'Seen', direction: 'contradicts', strength: 'strong', reliability: '0.8' }, now)).toMatchObject({
      ok: true,
      value: { weight: { direction: 'contradicts', strength: 'strong' }, reliability: 0.8, observedAt: null },
    });
    expect(checkEvidenceForm({ _csrf: 't', summary: '', direction: 'sideways', strength: 'moderate', reliability: '2' }, now)).toMatchObject({
      ok: false,
      errors: { summary: expect.any(String), direction: expect.any(String), reliability: expect.any(String) },
    });
  });

  it('wants a reason to retract and a number for a reading', () => {
    expect(checkRetractForm({ _csrf: 't', reason: '  ' })).toMatchObject({ ok: false, errors: { reason: 'Reason is required' } });
    expect(checkReadingForm({ _csrf: 't', value: '4,5' }, now)).toMatchObject({ ok: true, value: { value: 4.5, observedAt: null } });
    expect(checkReadingForm({ _csrf: 't', value: 'lots' }, now)).toMatchObject({ ok: false, errors: { value: 'Value must be a number' } });
  });

  it('reads a datetime-local value as UTC and an ISO time with its zone', () => {
    expect(parseFormTime('2026-12-01T08:30')).toEqual(new Date('2026-12-01T08:30:00Z'));
    expect(parseFormTime('2026-12-01T08:30:00+02:00')).toEqual(new Date('2026-12-01T06:30:00Z'));
    expect(parseFormTime('yesterday')).toBeNull();
  });
});
