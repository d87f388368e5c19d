import { pageFormat } from './page-format.js';

describe('pageFormat', () => {
  const now = new Date('2026-12-07T12:00:00Z');

  it('says how and when a resolved prediction resolved, not the time left', () => {
    const resolved = { status: 'resolved_true', deadline: new Date('2027-06-01T00:00:00Z'), resolvedAt: new Date('2026-12-05T10:00:00Z'), outcomeOccurredAt: new Date('2026-12-01T00:00:00Z') };
    expect(pageFormat.standing(resolved, now)).toBe('Resolved true on 2026-12-01, recorded 2026-12-05');
    expect(pageFormat.standing({ ...resolved, status: 'annulled', outcomeOccurredAt: null }, now)).toBe('Annulled on 2026-12-05');
  });

  it('gives the time left of an open prediction', () => {
    const open = { status: 'open', deadline: new Date('2027-06-07T12:00:00Z'), resolvedAt: null, outcomeOccurredAt: null };
    expect(pageFormat.standing(open, now)).toBe('6 months left');
    expect(pageFormat.standing({ ...open, status: 'due', deadline: new Date('2026-12-01T00:00:00Z') }, now)).toBe('past deadline');
  });

  it('speaks of an evidence item in percentage points of the probability now', () => {
    // Probability 0.75 (odds 3); without an item of log-odds ln 3 it is 0.5: 25 points.
    expect(pageFormat.pointsWithout(0.75, Math.log(3))).toBe('+25.0 pp');
    expect(pageFormat.pointsWithout(0.25, -Math.log(3))).toBe('−25.0 pp');
  });

  it('writes scores with three decimals, trailing zeros kept, and a dash for none', () => {
    expect(pageFormat.score(0.16)).toBe('0.160');
    expect(pageFormat.score(-0.4354)).toBe('-0.435');
    expect(pageFormat.score(0)).toBe('0.000');
    expect(pageFormat.score(null)).toBe('—');
  });
});
