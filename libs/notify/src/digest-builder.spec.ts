import type { OutboxEventRecord } from '#events';
import type { PredictionWithTeam } from '#predictions';

import { DigestBuilder, type DigestInputs } from './digest-builder.service.js';
import { DigestRenderer } from './digest-renderer.js';

const at = new Date('2026-12-07T08:00:00Z');
let sequence = 0;
const move = (predictionId: string, before: number, after: number, kind = 'override'): OutboxEventRecord => ({
  id: `e${++sequence}`,
  createdAt: at,
  type: 'prediction.confidence_changed',
  predictionId,
  payload: { predictionId, sequence, kind, evidenceId: null, deltaLogOdds: 0, probabilityBefore: before, probabilityAfter: after, actor: 'user:1' },
});
const prediction = (id: string, slug: string, status: string, probability: number): PredictionWithTeam =>
  ({ id, slug, title: `Title of ${slug}`, status, probability, deadline: new Date('2027-12-01T00:00:00Z') }) as unknown as PredictionWithTeam;

describe('the digest of a period', () => {
  const inputs: DigestInputs = {
    period: { start: new Date('2026-12-06T08:00:00Z'), end: at },
    events: [
      move('p1', 0.35, 0.5),
      // Moved and moved back: not a move.
      move('p2', 0.4, 0.55),
      move('p2', 0.55, 0.4),
      // Moved, then resolved.
      move('p3', 0.6, 0.7),
      {
        id: 'd1',
        createdAt: at,
        type: 'prediction.forecasts_diverge',
        predictionId: 'p1',
        payload: { predictionId: 'p1', slug: 'one', modelProbability: 0.5, teamProbability: 0.2, differencePoints: 30, thresholdPoints: 20, forecasters: 2, cause: 'model', actor: 'user:1' },
      },
    ],
    predictions: new Map([
      ['p1', prediction('p1', 'one', 'open', 0.5)],
      ['p2', prediction('p2', 'two', 'open', 0.4)],
      ['p3', prediction('p3', 'three', 'resolved_true', 0.7)],
    ]),
    scores: new Map(),
    pendingReview: 0,
    pendingReviewCapped: false,
    now: at,
  } as unknown as DigestInputs;

  it('lists real moves apart from predictions resolved or back where they started, and the model-team divergences', () => {
    const digest = new DigestBuilder(null as never, null as never, null as never, null as never, null as never, null as never).build(inputs, []);
    expect(digest.moves.map((entry) => entry.slug)).toEqual(['one']);
    expect(digest.settled).toEqual([
      { slug: 'two', title: 'Title of two', probability: 0.4, note: 'back where it started after 2 moves' },
      { slug: 'three', title: 'Title of three', probability: 0.7, note: 'resolved true' },
    ]);
    expect(digest.divergences).toEqual([{ slug: 'one', title: 'Title of one', model: 0.5, team: 0.2, forecasters: 2, differencePoints: 30 }]);
  });

  it('counts only real moves in the subject, and links every item to its page', async () => {
    const digest = new DigestBuilder(null as never, null as never, null as never, null as never, null as never, null as never).build(inputs, []);
    const rendered = await new DigestRenderer().render(digest, { frequency: 'daily', timezone: 'UTC', unsubscribeUrl: 'https://bw.example.org/v1/unsubscribe/t', publicUrl: 'https://bw.example.org' });
    expect(rendered.subject).toBe('Bellwether daily digest: 1 prediction moved');
    expect(rendered.text).toContain('RESOLVED, OR BACK WHERE THEY STARTED');
    expect(rendered.text).toContain('* Title of two: 40%, back where it started after 2 moves');
    expect(rendered.text).toContain('the model says 50%, the team 20% (2 analysts), 30 pts apart');
    for (const slug of ['one', 'two', 'three']) expect(rendered.html).toContain(`href="https://bw.example.org/app/predictions/${slug}"`);
    expect(rendered.html).not.toContain('+0 pts');
  });
});
