import type { OutboxEventRecord } from '#events';

import { slackMessage, slackText } from './slack-message.js';

describe('Slack messages', () => {
  it('reads a confidence move with its cause and the likelihood ratio it applied', () => {
    const event = {
      id: 'e',
      createdAt: new Date('2026-11-29T10:00:00Z'),
      type: 'prediction.confidence_changed' as const,
      predictionId: 'p',
      payload: { predictionId: 'p', sequence: 3, kind: 'retraction', evidenceId: 'ev', deltaLogOdds: -0.8 * Math.log(3), probabilityBefore: 0.52, probabilityAfter: 0.35, actor: 'a' },
    };
    expect(slackText(event, { predictionTitle: 'DeepSeek blacklisted within 12 months', evidenceSummary: 'Commerce adds DeepSeek to Entity List' })).toBe(
      'DeepSeek blacklisted within 12 months: 52% → 35% (−17 pts) — retracted: Commerce adds DeepSeek to Entity List, effective LR 1/2.4',
    );
    const message = slackMessage({ ...event, payload: { ...event.payload, kind: 'quiet_day', probabilityBefore: 0.35, probabilityAfter: 0.34 } }, { predictionTitle: 'A <b> & c' });
    expect(message.text).toBe('A <b> & c: 35% → 34% (−1 pts) — another day passed without the event');
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'A &lt;b&gt; &amp; c: 35% → 34% (−1 pts) — another day passed without the event' } });
  });

  it('tells one evidence item in one message: every prediction it moved, the effective likelihood ratio, links to their pages', () => {
    const event: OutboxEventRecord = {
      id: 'e',
      createdAt: new Date('2026-11-29T10:00:00Z'),
      type: 'evidence.recorded',
      predictionId: null,
      payload: {
        evidenceId: 'ev',
        summary: 'Commerce adds DeepSeek to the Entity List',
        sourceUrl: 'https://example.org/news?a=1&b=2',
        observedAt: '2026-11-29T09:00:00Z',
        reliability: 0.8,
        actor: 'user:1',
        impacts: [
          { predictionId: 'p1', slug: 'deepseek-blacklisted-12m', likelihoodRatio: 10, deltaLogOdds: 0.8 * Math.log(10), probabilityBefore: 0.35, probabilityAfter: 0.7728, story: { id: 's', counted: 'ev', countedOnceWith: null } },
          { predictionId: 'p2', slug: 'china-domain-parity', likelihoodRatio: 2, deltaLogOdds: 0, probabilityBefore: 0.4, probabilityAfter: 0.4, story: { id: 's2', counted: 'old', countedOnceWith: 'old' } },
        ],
      },
    };
    const titles = new Map([
      ['p1', 'DeepSeek blacklisted within 12 months'],
      ['p2', 'China reaches domain parity'],
    ]);
    const message = slackMessage(event, { predictionTitles: titles, publicUrl: 'https://bw.example.org' });
    expect(message.text).toBe(
      'New evidence: Commerce adds DeepSeek to the Entity List — DeepSeek blacklisted within 12 months: 35% → 77% (+42 pts, effective LR 6.3); ' +
        'China reaches domain parity: 40%, no move, counted once with earlier evidence of its story',
    );
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '*New evidence:* <https://example.org/news?a=1&b=2|Commerce adds DeepSeek to the Entity List>\n' +
          '• <https://bw.example.org/app/predictions/deepseek-blacklisted-12m|DeepSeek blacklisted within 12 months>: 35% → 77% (+42 pts, effective LR 6.3)\n' +
          '• <https://bw.example.org/app/predictions/china-domain-parity|China reaches domain parity>: 40%, no move, counted once with earlier evidence of its story',
      },
    });
    expect(message.blocks[1]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'evidence.recorded · 2026-11-29T10:00:00.000Z · <https://bw.example.org/app/predictions/deepseek-blacklisted-12m|Open in Bellwether>' }],
    });
  });
});
