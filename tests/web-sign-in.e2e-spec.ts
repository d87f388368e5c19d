import type { Browser, BrowserContext, Page } from 'playwright-core';

import { startSmtpSink, type SmtpSink } from '#test/smtp-sink.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { adminQuery } from '#test/test-database.js';
import { until } from '#test/wait.js';
import { launchChromium, seriousAccessibilityViolations, VIEWPORTS } from '#test/web-browser.js';

const LINK = /https:\/\/bellwether\.example(\/app\/sign-in\/link\?token=[A-Za-z0-9_%-]+)/;

/**
 * Signing in to the web app by a one-time mailed link, in Chromium, with a real SMTP server on
 * 127.0.0.1: an admin invites an analyst on the people page, the analyst signs in by the link and
 * forecasts; a reused, expired or other-browser link, and an unknown address, each get a clear
 * page and write nothing; disabling the person ends their session at once.
 */
describe('sign-in by mailed link, and the people page', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let browser: Browser;
  let baseUrl: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ queue: 'postgres', env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://bellwether.example', SIGN_IN_LINKS_PER_EMAIL: '4' } });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, baseURL: baseUrl });
    contexts.push(context);
    return context.newPage();
  }

  async function askForLink(page: Page, email: string): Promise<void> {
    await page.goto('/app/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByTestId('sign-in-sent').waitFor();
  }

  /** The path of the newest sign-in link mailed to `email`, once `count` have arrived. */
  async function mailedLink(email: string, count: number): Promise<string> {
    await until(() => smtp.to(email).filter((mail) => mail.subject === 'Your Bellwether sign-in link').length >= count, 10_000, `sign-in mail ${count} to ${email}`);
    const mail = smtp.to(email).filter((each) => each.subject === 'Your Bellwether sign-in link')[count - 1]!;
    return LINK.exec(mail.text ?? '')![1]!;
  }

  async function counts(): Promise<{ sessions: number; used: number; links: number }> {
    const result = await adminQuery(
      `SELECT (SELECT count(*) FROM "WebSession")::int AS sessions, (SELECT count(*) FROM "SignInLink" WHERE "usedAt" IS NOT NULL)::int AS used, (SELECT count(*) FROM "SignInLink")::int AS links`,
      t.database.url,
    );
    return result.rows[0] as { sessions: number; used: number; links: number };
  }

  let admin: Page;
  let nora: Page;
  let noraId: string;

  it('an admin invites an analyst on the people page, and the invitation is mailed', async () => {
    admin = await newPage();
    await admin.goto('/app/sign-in');
    await admin.getByLabel('API key').fill(t.adminKey);
    await admin.getByRole('button', { name: 'Sign in', exact: true }).click();
    await admin.waitForURL(`${baseUrl}/app`);
    await admin.goto('/app/admin/people');
    const form = admin.getByTestId('invite-form');
    await form.getByLabel('Name').fill('Nora Analyst');
    await form.getByLabel('Email address').fill('nora@example.org');
    await form.getByLabel('Role').selectOption('analyst');
    await form.getByRole('button', { name: 'Invite' }).click();
    await admin.getByTestId('people-done').waitFor();
    await expect(admin.getByTestId('person').filter({ hasText: 'nora@example.org' }).count()).resolves.toBe(1);
    expect(await seriousAccessibilityViolations(admin)).toEqual([]);
    await until(() => smtp.to('nora@example.org').length === 1, 10_000, 'the invitation');
    expect(smtp.to('nora@example.org')[0]!.subject).toBe('You are invited to Bellwether');
    noraId = (await t.http.get('/v1/users').set(auth(t.adminKey))).body.items.find((user: { email: string | null }) => user.email === 'nora@example.org').id;
  });

  it('the invited analyst signs in by the mailed link and records a forecast as herself', async () => {
    nora = await newPage();
    await askForLink(nora, 'Nora@Example.org');
    expect(await seriousAccessibilityViolations(nora)).toEqual([]);
    const link = await mailedLink('nora@example.org', 1);
    await nora.goto(link);
    await nora.waitForURL(`${baseUrl}/app`);
    await expect(nora.locator('.site-user__name').textContent()).resolves.toContain('Nora Analyst');

    await nora.goto('/app/predictions/china-domain-parity');
    await nora.getByLabel(/Your probability/).fill('0.42');
    await nora.getByRole('button', { name: 'Record my forecast' }).click();
    await nora.waitForURL(/done=forecast/);
    const history = await t.http.get('/v1/predictions/china-domain-parity/forecasts').set(auth(t.adminKey));
    expect(history.body.analysts).toEqual([expect.objectContaining({ forecaster: `user:${noraId}`, forecasterName: 'Nora Analyst', latest: expect.objectContaining({ probability: 0.42 }) })]);
  });

  it('a used link gets a clear page and signs nobody in', async () => {
    const link = await mailedLink('nora@example.org', 1);
    const before = await counts();
    const again = await newPage();
    // Even in the browser that asked for it.
    const answer = await nora.goto(link);
    expect(answer?.status()).toBe(410);
    await expect(nora.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This sign-in link was used already');
    await again.goto(link);
    await expect(again.getByTestId('sign-in-link-refused').getAttribute('data-reason')).resolves.toBe('used');
    expect(await counts()).toEqual(before);
  });

  it('a link opened in another browser is refused and stays unused; in the browser that asked it still works', async () => {
    const asker = await newPage();
    await askForLink(asker, 'nora@example.org');
    const link = await mailedLink('nora@example.org', 2);
    const before = await counts();
    const other = await newPage();
    const answer = await other.goto(link);
    expect(answer?.status()).toBe(403);
    await expect(other.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Open the link in the browser where you asked for it');
    expect(await seriousAccessibilityViolations(other)).toEqual([]);
    expect(await counts()).toEqual(before);
    await other.goto('/app');
    await other.waitForURL(/\/app\/login/);

    await asker.goto(link);
    await asker.waitForURL(`${baseUrl}/app`);
  });

  it('an expired link is refused and writes nothing', async () => {
    const asker = await newPage();
    await askForLink(asker, 'nora@example.org');
    const link = await mailedLink('nora@example.org', 3);
    await adminQuery(`UPDATE "SignInLink" SET "expiresAt" = now() - interval '1 minute' WHERE "usedAt" IS NULL`, t.database.url);
    const before = await counts();
    const answer = await asker.goto(link);
    expect(answer?.status()).toBe(410);
    await expect(asker.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This sign-in link has expired');
    expect(await counts()).toEqual(before);
  });

  it('an unknown address gets the same page as a known one, and nothing is written or sent', async () => {
    const before = await counts();
    const page = await newPage();
    await askForLink(page, 'nobody@example.org');
    await expect(page.getByTestId('sign-in-sent').textContent()).resolves.toContain('If nobody@example.org belongs to someone here, a sign-in link is on its way to it.');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.to('nobody@example.org')).toHaveLength(0);
    expect(await counts()).toEqual(before);
    const bogus = await page.goto('/app/sign-in/link?token=not-a-token-we-sent');
    expect(bogus?.status()).toBe(400);
    await expect(page.getByTestId('sign-in-link-refused').getAttribute('data-reason')).resolves.toBe('unknown');
  });

  it('limits the links asked for one address, known or not, and says so', async () => {
    const page = await newPage();
    for (let attempt = 0; attempt < 4; attempt += 1) await askForLink(page, 'flood@example.org');
    await page.goto('/app/sign-in');
    await page.getByLabel('Email address').fill('flood@example.org');
    const [response] = await Promise.all([page.waitForResponse((each) => each.url().endsWith('/app/sign-in') && each.request().method() === 'POST'), page.getByRole('button', { name: 'Email me a sign-in link' }).click()]);
    expect(response.status()).toBe(429);
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toMatch(/Too many sign-in links asked for this address/);
  });

  it("disabling a person on the people page ends their session at once, and their old link's page says nothing more", async () => {
    await nora.goto('/app');
    await expect(nora.locator('.site-user__name').textContent()).resolves.toContain('Nora Analyst');
    await admin.goto('/app/admin/people');
    await admin.getByTestId('person').filter({ hasText: 'nora@example.org' }).getByTestId('disable').click();
    await admin.getByTestId('people-done').waitFor();
    await expect(admin.getByTestId('person').filter({ hasText: 'nora@example.org' }).textContent()).resolves.toContain('disabled');
    await nora.goto('/app');
    await nora.waitForURL(/\/app\/login/);
    // A disabled person asking for a link gets the same page, and no mail.
    const mailsBefore = smtp.to('nora@example.org').length;
    await askForLink(nora, 'nora@example.org');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.to('nora@example.org')).toHaveLength(mailsBefore);
  });
});
