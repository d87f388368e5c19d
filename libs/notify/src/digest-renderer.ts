import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Eta } from 'eta';

import type { DigestFrequency } from '#db';

import { predictionAppUrl } from './app-links.js';
import type { DigestContent } from './digest-builder.service.js';

/**
 * The templates live beside this file: in the source tree under Jest, and in
 * dist/ where the build copies them (nest-cli.json `assets`).
 */
const TEMPLATES_DIRECTORY = fileURLToPath(new URL('./digest-templates/', import.meta.url));

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

export interface DigestAddressing {
  frequency: DigestFrequency;
  timezone: string;
  unsubscribeUrl: string;
  /** PUBLIC_URL: every item links to its page in the web app under it. */
  publicUrl: string;
  /** When the next scheduled digest goes out (said in a test digest). */
  nextDigestAt?: Date;
  /** Sent on request: the subject and the heading say so. */
  test?: boolean;
}

/**
 * juice (with the HTML and CSS parsers under it) is loaded when the first digest is
 * rendered, not when the process starts: it was a tenth of every start's module loading,
 * for something most processes do once a day.
 */
const loadJuice = async () => (await import('juice')).default;

const percent = (probability: number): string => `${Math.round(probability * 100)}%`;

/** Building an Intl.DateTimeFormat costs far more than using one: one per time zone and style, made once. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(timezone: string, style: 'day' | 'time'): Intl.DateTimeFormat {
  const key = `${style} ${timezone}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      'en-GB',
      style === 'day' ? { timeZone: timezone, day: 'numeric', month: 'short', year: 'numeric' } : { timeZone: timezone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
    );
    dateFormats.set(key, format);
  }
  return format;
}
const signedPoints = (points: number): string => `${points >= 0 ? '+' : '−'}${Math.abs(points)} pts`;

/** Digest emails from Eta templates in files: an HTML part with its CSS inlined by juice (mail clients drop <style>), and a plain-text part. */
export class DigestRenderer {
  private readonly directory = TEMPLATES_DIRECTORY;
  private readonly html = new Eta({ views: this.directory, autoEscape: true, cache: true });
  private readonly text = new Eta({ views: this.directory, autoEscape: false, autoTrim: false, cache: true });
  private readonly css = readFileSync(`${this.directory}digest.css`, 'utf8');

  async render(digest: DigestContent, addressing: DigestAddressing): Promise<RenderedDigest> {
    const label = addressing.frequency === 'weekly' ? 'Weekly' : 'Daily';
    // Only real moves count: a prediction resolved, or back where it started, is listed apart.
    const moved = digest.moves.length;
    const summary =
      digest.entryCount === 0
        ? 'nothing moved'
        : `${moved === 0 ? 'no prediction' : moved === 1 ? '1 prediction' : `${moved} predictions`} moved${digest.newEvidence.length > 0 ? `, ${digest.newEvidence.length} new evidence` : ''}`;
    const subject = `${addressing.test ? '[Test] ' : ''}Bellwether ${label.toLowerCase()} digest: ${summary}`;
    const day = (date: Date): string => dateFormat(addressing.timezone, 'day').format(date);
    const time = (date: Date): string => dateFormat(addressing.timezone, 'time').format(date);
    const inboxLine =
      digest.pendingReview === 0
        ? 'The review inbox is empty.'
        : `${digest.pendingReview}${digest.pendingReviewCapped ? '+' : ''} signal${digest.pendingReview === 1 ? '' : 's'} wait${digest.pendingReview === 1 ? 's' : ''} in the review inbox.`;
    const data = {
      subject,
      heading: `${label} digest${addressing.test ? ' (test, sent on request)' : ''}`,
      testNote:
        addressing.test && addressing.nextDigestAt
          ? `This digest was sent on request, with what happened since the last scheduled one. The next scheduled digest comes at ${time(addressing.nextDigestAt)} (${addressing.timezone}), if anything happens by then.`
          : null,
      predictionUrl: (slug: string) => predictionAppUrl(addressing.publicUrl, slug),
      indicatorUrl: (slug: string) => `${addressing.publicUrl}/app/indicators/${encodeURIComponent(slug)}`,
      inboxUrl: `${addressing.publicUrl}/app/inbox`,
      appUrl: `${addressing.publicUrl}/app`,
      periodLabel: `${time(digest.period.start)} to ${time(digest.period.end)} (${addressing.timezone})`,
      digest,
      frequency: addressing.frequency,
      unsubscribeUrl: addressing.unsubscribeUrl,
      inboxLine,
      css: this.css,
      percent,
      signedPoints,
      day,
    };
    const html = (await loadJuice())(this.html.render('./digest-html', data), { removeStyleTags: true, preserveMediaQueries: true });
    const text = this.text.render('./digest-text', data).replace(/\n{3,}/g, '\n\n');
    return { subject, text, html };
  }
}
