import { Injectable } from '@nestjs/common';

import { AppConfig } from '#config';

import { MailTransport, type SentMail } from './mail-transport.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function paragraphs(lines: string[], link: { href: string; label: string }): { text: string; html: string } {
  const text = [...lines, '', `${link.label}: ${link.href}`, ''].join('\n');
  const html = `<!doctype html><html><body>${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p></body></html>`;
  return { text, html };
}

/** The mail people get about their own access: an invitation, a sign-in link. Sent through the one MailTransport. */
@Injectable()
export class PeopleMailService {
  constructor(
    private readonly transport: MailTransport,
    private readonly config: AppConfig,
  ) {}

  async sendInvitation(to: { name: string; email: string; role: string }, invitedBy: string): Promise<SentMail> {
    const href = `${this.config.publicUrl}/app/sign-in`;
    const body = paragraphs(
      [
        `Hello ${to.name},`,
        `${invitedBy} has invited you to Bellwether as ${/^[aeiou]/.test(to.role) ? 'an' : 'a'} ${to.role}.`,
        `To sign in, open the page below and enter this address (${to.email}): a one-time sign-in link is mailed to you.`,
      ],
      { href, label: 'Sign in to Bellwether' },
    );
    return this.transport.send({ to: to.email, subject: 'You are invited to Bellwether', ...body, headers: { 'Auto-Submitted': 'auto-generated' } });
  }

  async sendSignInLink(to: { name: string; email: string }, token: string, minutes: number): Promise<SentMail> {
    const href = `${this.config.publicUrl}/app/sign-in/link?token=${encodeURIComponent(token)}`;
    const body = paragraphs(
      [
        `Hello ${to.name},`,
        `Open this link to sign in to Bellwether. It works once, for ${minutes} minutes, and only in the browser where you asked for it.`,
        'If you did not ask to sign in, ignore this message: nothing happens without the link.',
      ],
      { href, label: 'Sign in' },
    );
    return this.transport.send({ to: to.email, subject: 'Your Bellwether sign-in link', ...body, headers: { 'Auto-Submitted': 'auto-generated' } });
  }
}
