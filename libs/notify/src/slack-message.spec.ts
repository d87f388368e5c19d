import { slackMessage, slackText } from './slack-message.js';

describe('Slack messages', () => {
  it('reads a confidence move with its cause', () => {
    const event = {
      id: 'e',
      createdAt: new Date('2026-11-29T10:00:00Z'),
      type: 'prediction.confidence_changed' as const,
      predictionId: 'p',
      payload: { predictionId: 'p', sequence: 3, kind: 'evidence', evidenceId: 'ev', deltaLogOdds: 0.7, probabilityBefore: 0.35, probabilityAfter: 0.52, actor: 'a' },
    };
    expect(slackText(event, { predictionTitle: 'DeepSeek blacklisted within 12 months', evidenceSummary: 'Commerce adds DeepSeek to Entity List', likelihoodRatio: 3 })).toBe(
      'DeepSeek blacklisted within 12 months: 35% → 52% (+17 pts) — Commerce adds DeepSeek to Entity List, LR 3',
    );
    const message = slackMessage({ ...event, payload: { ...event.payload, kind: 'quiet_day', probabilityAfter: 0.34 } }, { predictionTitle: 'A <b> & c' });
    expect(message.text).toBe('A <b> & c: 35% → 34% (−1 pts) — another day passed without the event');
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'A &lt;b&gt; &amp; c: 35% → 34% (−1 pts) — another day passed without the event' } });
  });
});
