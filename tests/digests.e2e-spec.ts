import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplicationContext } from '@nestjs/common';
import { simpleParser, type ParsedMail } from 'mailparser';

import { createWorkerApp } from '#apps/worker/src/worker-app.js';
import { loadConfig } from '#config';
import { parseWitness } from '#core';
import { DatabaseConnection } from '#db';
import { DigestService, MailTransport } from '#notify';
import { startSmtpSink, type SmtpSink } from '#test/smtp-sink.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const HOUR = 3_600_000;

/** A header exactly as sent (mailparser folds List-* headers into one structured `list` value). */
function headerLine(mail: ParsedMail, key: string): string | undefined {
  // Unfolded: a long header is sent over several lines.
  return mail.headerLines.find((line) => line.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');
}

/**
 * Digest emails to a real SMTP server started here, parsed back with
 * mailparser: both parts, the unsubscribe headers, the one-click POST, and one
 * digest per subscriber and period however many workers send.
 */
describe('digests', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let analyst: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ queue: 'postgres', worker: true, env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://bellwether.example' } });
    analyst = await t.keyFor('analyst');
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** The next whole UTC hour: a daily digest sent at that hour covers everything recorded now. */
  const nextHour = (): Date => new Date(Math.ceil((Date.now() + 1000) / HOUR) * HOUR);

  async function subscribe(body: Record<string, unknown>): Promise<{ id: string } & Record<string, unknown>> {
    const response = await t.http.post('/v1/subscribers').set(auth(t.adminKey)).send(body);
    expect(response.status).toBe(201);
    return response.body as { id: string } & Record<string, unknown>;
  }

  async function recordEvidence(summary: string, prediction = 'deepseek-blacklisted-12m', likelihoodRatio = 3): Promise<void> {
    const response = await t.http.post('/v1/evidence').set(auth(analyst)).send({ summary, observedAt: new Date().toISOString(), sourceUrl: 'https://example.org/report', impacts: [{ prediction, likelihoodRatio }] });
    expect(response.status).toBe(201);
  }

  describe('the /v1/subscribers resource', () => {
    it('creates, reads, changes and deletes subscribers', async () => {
      const created = await subscribe({ email: 'crud@example.org', frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: 7, sendWeekday: 5, predictions: ['deepseek-blacklisted-12m'] });
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'deepseek-blacklisted-12m' } });
      expect(created).toMatchObject({ email: 'crud@example.org', frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: 7, sendWeekday: 5, predictions: [prediction.id], subscribed: true });
      expect(JSON.stringify(created)).not.toMatch(/unsubscribeToken/);
      expect((await t.http.get(`/v1/subscribers/${created.id}`).set(auth(t.adminKey))).body.email).toBe('crud@example.org');
      const changed = await t.http.patch(`/v1/subscribers/${created.id}`).set(auth(t.adminKey)).send({ frequency: 'daily', subscribed: false });
      expect(changed.body).toMatchObject({ frequency: 'daily', subscribed: false, unsubscribedAt: expect.any(String) });
      expect((await t.http.get('/v1/subscribers').set(auth(t.adminKey))).body.items.map((item: { id: string }) => item.id)).toContain(created.id);
      expect((await t.http.delete(`/v1/subscribers/${created.id}`).set(auth(t.adminKey))).status).toBe(204);
      expect((await t.http.get(`/v1/subscribers/${created.id}`).set(auth(t.adminKey))).status).toBe(404);
    });

    it.each([
      [{ email: 'not-an-address', frequency: 'daily' }, 'email', 400],
      [{ email: 'a@example.org', frequency: 'hourly' }, 'frequency', 400],
      [{ email: 'a@example.org', frequency: 'daily', timezone: 'Mars/Olympus' }, 'timezone', 400],
      [{ email: 'a@example.org', frequency: 'daily', sendHour: 24 }, 'sendHour', 400],
      [{ email: 'a@example.org', frequency: 'daily', predictions: ['nope'] }, 'predictions[0]', 404],
    ])('refuses %j naming %s', async (body, field, status) => {
      const response = await t.http.post('/v1/subscribers').set(auth(t.adminKey)).send(body);
      expect(response.status).toBe(status);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('names every field a body gets wrong at once, the time zone among them', async () => {
      const response = await t.http.post('/v1/subscribers').set(auth(t.adminKey)).send({ email: 'nope', frequency: 'daily', timezone: 'Mars/Olympus', sendHour: 24 });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['email', 'sendHour', 'timezone']);
    });

    it('refuses a second subscriber with the same email, and non-admins', async () => {
      await subscribe({ email: 'twice@example.org', frequency: 'daily' });
      const again = await t.http.post('/v1/subscribers').set(auth(t.adminKey)).send({ email: 'twice@example.org', frequency: 'weekly' });
      expect(again.status).toBe(409);
      expect(again.body.type).toContain('subscriber-exists');
      expect((await t.http.get('/v1/subscribers').set(auth(analyst))).status).toBe(403);
    });
  });

  describe('sending', () => {
    const at = nextHour();
    let subscriber: { id: string };

    beforeAll(async () => {
      subscriber = await subscribe({ email: 'reader@example.org', frequency: 'daily', timezone: 'UTC', sendHour: at.getUTCHours() });
      const soon = await t.http
        .post('/v1/predictions')
        .set(auth(analyst))
        .send({ slug: 'soon-due', title: 'A question closing soon', statement: 'It happens.', resolutionCriteria: 'It happened.', prior: 0.4, deadline: new Date(Date.now() + 10 * 24 * HOUR).toISOString() });
      expect(soon.status).toBe(201);
      await recordEvidence('Commerce adds DeepSeek to the Entity List');
    });

    it('sends a digest with an HTML part (CSS inlined) and a plain-text part that reads on its own', async () => {
      const outcome = await t.worker!.get(DigestService).sendDue(new Date(at.getTime() + 60_000));
      expect(outcome.sent).toBeGreaterThanOrEqual(1);
      const [mail] = await waitForMail('reader@example.org');
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'deepseek-blacklisted-12m' } });
      expect(mail!.subject).toBe('Bellwether daily digest: 1 prediction moved, 1 new evidence');
      expect(mail!.text).toContain('PREDICTIONS THAT MOVED');
      expect(mail!.text).toContain(`${prediction.title}: `);
      expect(mail!.text).toContain('Commerce adds DeepSeek to the Entity List');
      expect(mail!.text).toMatch(/\d+% -> \d+% \(\+\d+ pts\)/);
      expect(mail!.text).toContain('DEADLINES IN THE NEXT 30 DAYS\n\n* A question closing soon: ');
      expect(mail!.text).toMatch(/^Daily digest\n\n\d+ \w+, \d\d:\d\d to \d+ \w+, \d\d:\d\d \(UTC\)\n\nPREDICTIONS THAT MOVED\n\n\* /);
      expect(mail!.text).not.toMatch(/<[a-z]/);
      const html = mail!.html as string;
      expect(html).toContain(prediction.title.replaceAll('&', '&amp;'));
      expect(html).not.toContain('<style');
      expect(html).toMatch(/<h2 style="[^"]+">Predictions that moved<\/h2>/);
      expect(mail!.from!.text).toContain('digest@bellwether.invalid');
    });

    it('carries the signed head of each followed chain as witness lines, which the trail verifies against', async () => {
      const [mail] = await waitForMail('reader@example.org');
      expect(mail!.text).toContain('SIGNED HEADS OF THE AUDIT TRAIL');
      const witness = parseWitness(mail!.text as string);
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'deepseek-blacklisted-12m' } });
      expect(witness.heads.map((head) => head.predictionId)).toContain(prediction.id);
      expect(witness.heads.find((head) => head.predictionId === prediction.id)).toMatchObject({ sequence: prediction.auditSequence, hash: prediction.auditHash });
      const checkpoints = witness.heads.map(({ predictionId, sequence, hash, signedAt, signature, keyId }) => ({ predictionId, sequence, hash, signedAt, signature, keyId }));
      const verified = await t.http.post('/v1/audit/verify').set(auth(t.adminKey)).send({ checkpoints });
      expect(verified.body).toMatchObject({ ok: true, witness: { checked: checkpoints.length, broken: [] } });
      expect(mail!.html).toContain('Signed heads of the audit trail');
    });

    it('carries List-Unsubscribe with a signed HTTPS link and One-Click; the POST unsubscribes without a key', async () => {
      const [mail] = await waitForMail('reader@example.org');
      expect(headerLine(mail!, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      const url = /^List-Unsubscribe:\s*<(.+)>$/.exec(headerLine(mail!, 'list-unsubscribe') ?? '')?.[1] ?? '';
      expect(url).toMatch(/^https:\/\/bellwether\.example\/v1\/unsubscribe\/[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
      expect(mail!.text).toContain(url);
      const path = new URL(url).pathname;

      const tampered = path.slice(0, -2) + (path.endsWith('AA') ? 'BB' : 'AA');
      expect((await t.http.post(tampered).type('form').send('List-Unsubscribe=One-Click')).status).toBe(404);
      expect((await t.http.get(path)).text).toContain('<form method="post"');
      expect((await t.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).unsubscribedAt).toBeNull();

      const response = await t.http.post(path).type('form').send('List-Unsubscribe=One-Click');
      expect(response.status).toBe(200);
      expect((await t.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).unsubscribedAt).not.toBeNull();
      expect((await t.http.post(path).type('form').send('List-Unsubscribe=One-Click')).status).toBe(200);
    });

    it('sends one digest per subscriber and period, even from two workers at once and on retries', async () => {
      const both = await subscribe({ email: 'once@example.org', frequency: 'daily', timezone: 'UTC', sendHour: at.getUTCHours() });
      expect(both.id).toBeDefined();
      const config = t.config;
      const second: INestApplicationContext = await createWorkerApp(config, new DatabaseConnection(t.database.url, 'postgres'));
      await second.init();
      try {
        const when = new Date(at.getTime() + 120_000);
        const outcomes = await Promise.all([t.worker!.get(DigestService).sendDue(when), second.get(DigestService).sendDue(when)]);
        const again = await second.get(DigestService).sendDue(when);
        expect(outcomes.map((outcome) => outcome.sent).reduce((a, b) => a + b)).toBe(1);
        expect(again.sent).toBe(0);
        await waitForMail('once@example.org');
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(smtp.to('once@example.org')).toHaveLength(1);
        expect(await t.prisma.digestRun.count({ where: { subscriberId: both.id } })).toBe(1);
      } finally {
        await second.close();
      }
    });

    it('sends nothing when nothing happened to what the subscriber follows', async () => {
      const quiet = await subscribe({ email: 'quiet@example.org', frequency: 'daily', timezone: 'UTC', sendHour: at.getUTCHours(), predictions: ['china-domain-parity'] });
      const outcome = await t.worker!.get(DigestService).sendDue(new Date(at.getTime() + 180_000));
      expect(outcome.empty).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(smtp.to('quiet@example.org')).toHaveLength(0);
      expect(await t.prisma.digestRun.findFirst({ where: { subscriberId: quiet.id } })).toMatchObject({ sentAt: null, entryCount: 0 });
    });

    it('sends the digest now on request, as a test that leaves the schedule alone: links into the app, fixed headers, when the next one comes', async () => {
      const subscribed = await subscribe({ email: 'now@example.org', frequency: 'daily', timezone: 'Asia/Tokyo', sendHour: 9 });
      // The subscribe answer says when the first scheduled digest comes: 09:00 in Tokyo, within a day.
      const nextDigestAt = Date.parse(subscribed.nextDigestAt as string);
      expect(nextDigestAt - Date.now()).toBeGreaterThan(0);
      expect(nextDigestAt - Date.now()).toBeLessThanOrEqual(24 * HOUR);
      expect(new Date(nextDigestAt).getUTCHours()).toBe(0);
      await recordEvidence('Commerce names two more labs', 'us-china-ai-bifurcation', 4);

      const response = await t.http.post(`/v1/subscribers/${subscribed.id}/digest/send`).set(auth(t.adminKey));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ to: 'now@example.org', subject: expect.stringMatching(/^\[Test\] Bellwether daily digest: /), nextDigestAt: subscribed.nextDigestAt });
      const [mail] = await waitForMail('now@example.org');
      expect(mail!.subject).toBe(response.body.subject);
      expect(mail!.messageId).toBe(response.body.messageId);
      // No fold before the value: one space after the colon, the link right after it.
      expect(mail!.headerLines.find((line) => line.key === 'list-unsubscribe')!.line).toMatch(/^List-Unsubscribe: <https:\/\/bellwether\.example\/v1\/unsubscribe\/[^>]+>$/);
      expect((mail!.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url).toMatch(/^https:\/\/bellwether\.example\/v1\/unsubscribe\//);
      // Every item links to its page in the app, under PUBLIC_URL.
      expect(mail!.html).toContain('href="https://bellwether.example/app/predictions/us-china-ai-bifurcation"');
      expect(mail!.text).toContain('https://bellwether.example/app/predictions/us-china-ai-bifurcation');
      expect(mail!.text).toContain('https://bellwether.example/app/inbox');
      expect(mail!.text).toMatch(/sent on request.*The next scheduled digest comes at/s);

      // A test, kept apart from the schedule: the period that ends at the next send hour is still owed.
      const run = await t.prisma.digestRun.findUniqueOrThrow({ where: { id: response.body.runId } });
      expect(run).toMatchObject({ test: true, subscriberId: subscribed.id, sentAt: expect.any(Date) });
      const scheduled = await t.worker!.get(DigestService).sendDue(new Date(nextDigestAt + 60_000));
      expect(scheduled.sent).toBeGreaterThanOrEqual(1);
      await waitForMail('now@example.org', 2);
      expect(smtp.to('now@example.org')[1]!.subject).toMatch(/^Bellwether daily digest: /);

      const unsubscribed = await subscribe({ email: 'gone@example.org', frequency: 'daily' });
      await t.http.patch(`/v1/subscribers/${unsubscribed.id}`).set(auth(t.adminKey)).send({ subscribed: false });
      const refused = await t.http.post(`/v1/subscribers/${unsubscribed.id}/digest/send`).set(auth(t.adminKey));
      expect([refused.status, refused.body.type]).toEqual([409, 'https://bellwether.dev/problems/subscriber-unsubscribed']);
    });

    it('previews the next digest without sending it', async () => {
      const previewed = await subscribe({ email: 'preview@example.org', frequency: 'daily', timezone: 'Europe/Berlin', sendHour: 8 });
      await recordEvidence('Huawei ships a new Ascend part', 'china-alt-compute-acceleration', 2);
      const response = await t.http.post(`/v1/subscribers/${previewed.id}/digest/preview`).set(auth(t.adminKey));
      expect(response.status).toBe(200);
      expect(response.body.subject).toMatch(/^Bellwether daily digest: /);
      expect(response.body.text).toContain('Huawei ships a new Ascend part');
      expect(response.body.html).toContain('Huawei ships a new Ascend part');
      expect(response.body.text).toContain('(Europe/Berlin)');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(smtp.to('preview@example.org')).toHaveLength(0);
    });
  });

  it('writes an .eml file under DATA_DIR/mail when no SMTP server is set', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bw-mail-'));
    const transport = new MailTransport(loadConfig({ DATA_DIR: dataDir }));
    try {
      const sent = await transport.send({ to: 'file@example.org', subject: 'Filed', text: 'plain', html: '<p>html</p>', headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
      const files = await readdir(join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      expect(join(dataDir, 'mail', files[0]!)).toBe(sent.file);
      const parsed = await simpleParser(await readFile(sent.file!));
      expect(parsed.subject).toBe('Filed');
      expect(parsed.text?.trim()).toBe('plain');
      expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    } finally {
      transport.onModuleDestroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  async function waitForMail(address: string, count = 1): Promise<ReturnType<SmtpSink['to']>> {
    const deadline = Date.now() + 10_000;
    while (smtp.to(address).length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const mails = smtp.to(address);
    expect(mails.length).toBeGreaterThanOrEqual(count);
    return mails;
  }
});
