import type { Browser, BrowserContext, Page } from 'playwright-core';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { spreadHistoryOverDays } from '#test/web-history-fixture.js';
import { launchChromium, screenshotBothWidths, screenshotForReadme, seriousAccessibilityViolations, VIEWPORTS } from '#test/web-browser.js';

/** Evidence on deepseek-blacklisted-12m, oldest first. */
const HISTORY: [string, Record<string, unknown>][] = [
  ['Lawmakers urge Commerce to review DeepSeek', { likelihoodRatio: 1.8 }],
  ['DeepSeek posts 30 chip-design roles', { likelihoodRatio: 3 }],
  ['Think-tank report finds no sanctioned hardware in use', { direction: 'contradicts', strength: 'moderate' }],
  ['Entity List additions for AI labs rumoured', { direction: 'supports', strength: 'moderate' }],
  ['Allied governments restrict DeepSeek apps', { likelihoodRatio: 1.6 }],
  ['Commerce official denies listing plans', { direction: 'contradicts', strength: 'weak' }],
];

const SEEDED = ['deepseek-blacklisted-12m', 'china-alt-compute-acceleration', 'us-china-ai-bifurcation', 'china-domain-parity'];

/** The analyst web app in a real browser: sign-in, the pages, explain and what-if, the inbox, roles, CSRF, sign-out. */
describe('web app in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let analyst: string;
  let viewer: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    analyst = await t.keyFor('analyst');
    viewer = await t.keyFor('viewer');
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, baseURL: baseUrl });
    contexts.push(context);
    const page = await context.newPage();
    // Script errors and Content-Security-Policy violations fail the test; HTTP error statuses are the test's own business.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    return page;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto('/app/login');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/app`);
  }

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function checkPage(page: Page, name: string): Promise<void> {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshotBothWidths(page, name);
  }

  /** Each published five days after the one before (the latest first in the inbox): a story of its own, not another report of the last. */
  let signals = 0;
  const pendingSignal = async (title: string): Promise<string> => {
    signals += 1;
    const publishedAt = new Date(Date.now() - (60 - 5 * signals) * 86_400_000).toISOString();
    const response = await t.http.post('/v1/signals').set(auth(analyst)).send({ items: [{ title, url: `https://news.example.com/${encodeURIComponent(title)}`, publishedAt }] });
    expect(response.body).toMatchObject({ new: 1, matched: 1 });
    return response.body.createdIds[0] as string;
  };

  describe('as an analyst', () => {
    let page: Page;

    beforeAll(async () => {
      // A history with a shape: evidence recorded now, then spread over the last months.
      const record = (prediction: string, summary: string, impact: Record<string, unknown>) =>
        t.http
          .post('/v1/evidence')
          .set(auth(analyst))
          // Each its own story (its own link): evidence of one story would count once.
          .send({ summary, sourceUrl: `https://news.example.com/item/${encodeURIComponent(summary)}`, observedAt: new Date().toISOString(), impacts: [{ prediction, ...impact }] })
          .expect(201);
      for (const [summary, impact] of HISTORY) await record('deepseek-blacklisted-12m', summary, impact);
      await record('china-alt-compute-acceleration', 'Provincial fund backs photonic compute start-ups', { direction: 'supports', strength: 'moderate' });
      await record('china-alt-compute-acceleration', 'RISC-V accelerator tape-out announced', { direction: 'supports', strength: 'weak' });
      await record('china-domain-parity', 'Open model trails leader on coding benchmark', { direction: 'contradicts', strength: 'weak' });
      await spreadHistoryOverDays(t, 'deepseek-blacklisted-12m', 120);
      await spreadHistoryOverDays(t, 'china-alt-compute-acceleration', 45);
      await spreadHistoryOverDays(t, 'china-domain-parity', 20);
      await pendingSignal('Huawei Ascend 910C adoption grows among cloud providers');
      page = await newPage();
    });

    it('sends a stranger to the sign-in page, and refuses a wrong key', async () => {
      const response = await page.goto('/app/predictions/deepseek-blacklisted-12m');
      expect(page.url()).toBe(`${baseUrl}/app/login?next=${encodeURIComponent('/app/predictions/deepseek-blacklisted-12m')}`);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await checkPage(page, 'login');
      await page.getByLabel('API key').fill('bw_nothere0_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('unknown or revoked');
    });

    it('signs in with an API key into an HttpOnly, SameSite=Lax session; the overview shows the four seeded predictions', async () => {
      await signIn(page, analyst);
      const cookie = (await page.context().cookies()).find((each) => each.name === 'bw_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/app' });
      const rows = page.getByTestId('prediction-row');
      await expect(rows.count()).resolves.toBe(4);
      const text = await page.locator('main').textContent();
      for (const slug of SEEDED) expect(text).toContain(slug);
      await expect(page.getByTestId('inbox-count').textContent()).resolves.toBe('1');
      await checkPage(page, 'overview');
      await screenshotForReadme(page, 'overview');
      await page.getByRole('link', { name: 'Probability' }).click();
      await expect(page.locator('th[aria-sort="ascending"]').textContent()).resolves.toContain('Probability');
    });

    it('draws the prediction chart with its evidence, and explains a point of it', async () => {
      await page.goto('/app/predictions/deepseek-blacklisted-12m');
      const chart = page.getByTestId('probability-chart');
      await expect(chart.locator('path.chart__line').getAttribute('d')).resolves.toMatch(/^M[\d.]+,[\d.]+.*H/);
      await expect(chart.locator('.chart__marker').count()).resolves.toBe(HISTORY.length);
      await expect(page.getByTestId('audit-badge').textContent()).resolves.toContain('verified');
      await checkPage(page, 'prediction');
      await page.evaluate('window.__stayed = true');
      await chart.locator('a[data-explain-at]').last().click();
      const explained = page.getByTestId('explain-result');
      await explained.waitFor();
      await expect(explained.textContent()).resolves.toContain('Commerce official denies listing plans');
      await expect(page.evaluate('window.__stayed')).resolves.toBe(true);
    });

    it('draws the what-if line when evidence is ticked off', async () => {
      await page.goto('/app/predictions/deepseek-blacklisted-12m');
      await page.evaluate('window.__stayed = true');
      await page.getByLabel('DeepSeek posts 30 chip-design roles').check();
      await page.getByTestId('what-if-line').waitFor();
      const result = await page.getByTestId('what-if-result').textContent();
      expect(result).toContain('Without the ticked evidence');
      await expect(page.evaluate('window.__stayed')).resolves.toBe(true);
      expect(page.url()).toContain('exclude=');
      await screenshotBothWidths(page, 'prediction-what-if');
      await screenshotForReadme(page, 'prediction');
    });

    it('accepts a pending signal without a reload and shows the probability change', async () => {
      const before = (await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'us-china-ai-bifurcation' } })).probability;
      await page.goto('/app/inbox');
      await checkPage(page, 'inbox');
      await page.evaluate('window.__stayed = true');
      const signal = page.getByTestId('signal').first();
      await signal.getByRole('button', { name: 'Accept as evidence' }).click();
      const change = signal.getByTestId('probability-change');
      await change.waitFor();
      const after = (await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'us-china-ai-bifurcation' } })).probability;
      expect(after).toBeGreaterThan(before);
      const text = await change.textContent();
      expect(text).toContain(`${(before * 100).toFixed(1)}% → ${(after * 100).toFixed(1)}%`);
      await expect(page.evaluate('window.__stayed')).resolves.toBe(true);
      await expect(page.getByTestId('pending-count').textContent()).resolves.toBe('0');
      await screenshotBothWidths(page, 'inbox-accepted');
    });

    it('says why an item is back in the inbox after its evidence was retracted', async () => {
      const id = await pendingSignal('Huawei Ascend adoption figures from a provincial tender');
      const accepted = await t.http.post(`/v1/signals/${id}/accept`).set(auth(analyst)).send({}).expect(201);
      await t.http.post(`/v1/evidence/${accepted.body.evidenceId}/retract`).set(auth(analyst)).send({ reason: 'The tender was cancelled' }).expect(200);
      await page.goto('/app/inbox');
      const signal = page.locator(`#signal-${id}`);
      await expect(signal.getByTestId('reopened').textContent()).resolves.toContain('the evidence it became was retracted (“The tender was cancelled”)');
      await checkPage(page, 'inbox-reopened');
      // Judged again: rejected, it leaves the inbox.
      await signal.getByLabel('Reason to reject').fill('Cancelled tender');
      await signal.getByRole('button', { name: 'Reject' }).click();
      await expect(signal.getByTestId('signal-outcome').textContent()).resolves.toContain('Cancelled tender');
    });

    it('rejects a signal with a reason in place', async () => {
      await pendingSignal('Huawei Ascend adoption rumours in a forum post');
      await page.goto('/app/inbox');
      const signal = page.getByTestId('signal').first();
      await signal.getByLabel('Reason to reject').fill('Unsourced forum rumour');
      await signal.getByRole('button', { name: 'Reject' }).click();
      await expect(signal.getByTestId('signal-outcome').textContent()).resolves.toContain('Unsourced forum rumour');
    });

    it('shows two reports of one event as one card, linked to the story page, where a report can be split off', async () => {
      const publishedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
      const submitted = await t.http
        .post('/v1/signals')
        .set(auth(analyst))
        .send({
          items: [
            { title: 'Huawei Ascend 910C powers 8,000 new servers at China Mobile', url: 'https://wire.example.com/ascend-8000', publishedAt },
            { title: '华为昇腾910C：中国移动新增8000台服务器', url: 'https://finance.example.cn/ascend-8000', publishedAt },
          ],
        })
        .expect(201);
      const storyId = (await t.prisma.signalItem.findUniqueOrThrow({ where: { id: submitted.body.createdIds[0] } })).storyId!;
      await page.goto('/app/inbox');
      const card = page.locator(`[data-story-id="${storyId}"]`);
      await expect(card.getByTestId('reported-by').textContent()).resolves.toBe('reported by 2 sources');
      await expect(card.getByTestId('story-source').count()).resolves.toBe(2);
      await card.getByTestId('reported-by').click();
      await page.waitForURL(`${baseUrl}/app/stories/${storyId}`);
      await expect(page.getByTestId('story-item').count()).resolves.toBe(2);
      await checkPage(page, 'story');
      await page.getByRole('button', { name: /^Another event: split “华为昇腾910C/ }).click();
      await page.waitForURL(`${baseUrl}/app/stories/${storyId}`);
      await expect(page.getByTestId('story-item').count()).resolves.toBe(1);
      await expect(page.getByTestId('story-changes').textContent()).resolves.toContain('split a report off into a story of its own');
    });

    it('shows an indicator, the calibration and the admin pages', async () => {
      for (const [value, daysAgo] of [[10, 60], [18, 45], [24, 30], [33, 12], [38, 3]]) {
        await t.http
          .post('/v1/indicators/huawei-ascend-adoption/readings')
          .set(auth(analyst))
          .send({ value, observedAt: new Date(Date.now() - daysAgo! * 86_400_000).toISOString() })
          .expect(201);
      }
      // Two resolved forecasts for the calibration table.
      for (const [slug, prior, outcome] of [['resolved-yes', 0.8, 'true'], ['resolved-no', 0.3, 'false']] as const) {
        await t.http
          .post('/v1/predictions')
          .set(auth(analyst))
          .send({ slug, title: `Resolved ${slug}`, statement: 'A resolved forecast.', resolutionCriteria: 'As stated.', prior, deadline: new Date(Date.now() + 30 * 86_400_000).toISOString() })
          .expect(201);
        await t.http.post(`/v1/predictions/${slug}/resolve`).set(auth(analyst)).send({ outcome, note: 'Settled.' }).expect(200);
      }
      await page.goto('/app/indicators/huawei-ascend-adoption');
      await page.getByTestId('readings-chart').waitFor();
      await expect(page.locator('.chart__crossing').count()).resolves.toBe(1);
      await checkPage(page, 'indicator');
      await page.goto('/app/calibration');
      await page.getByTestId('calibration-chart').waitFor();
      await expect(page.locator('.chart__bin').count()).resolves.toBe(2);
      await checkPage(page, 'calibration');
      await page.goto('/app/admin/sources');
      await checkPage(page, 'sources');
      await page.goto('/app/admin/rules');
      await expect(page.locator('main').textContent()).resolves.toContain('Huawei Ascend adoption');
      await checkPage(page, 'rules');
    });

    it('records evidence from the prediction page form', async () => {
      await page.goto('/app/predictions/china-domain-parity');
      await page.getByLabel('What was observed').fill('A domestic model tops a public benchmark');
      await page.getByRole('button', { name: 'Record evidence' }).click();
      await page.waitForURL(/done=evidence/);
      await expect(page.locator('main').textContent()).resolves.toContain('A domestic model tops a public benchmark');
    });

    it('warns when evidence looks like the same story as earlier evidence, and the trail says it counted once', async () => {
      await page.goto('/app/predictions/china-domain-parity');
      await page.getByLabel('What was observed').fill('A domestic model tops a public benchmark.');
      await page.getByLabel('Strength').selectOption('weak');
      await page.getByRole('button', { name: 'Record evidence' }).click();
      await page.waitForURL(/done=evidence/);
      await expect(page.getByTestId('same-story').textContent()).resolves.toContain('A domestic model tops a public benchmark');
      await expect(page.getByTestId('move-story').first().textContent()).resolves.toContain('counted once with');
      await checkPage(page, 'prediction-same-story');
    });

    it('shows a friendly HTML page for errors under /app while the API keeps problem+json', async () => {
      const response = await page.goto('/app/predictions/no-such-prediction');
      expect(response?.status()).toBe(404);
      expect(response?.headers()['content-type']).toContain('text/html');
      await expect(page.getByRole('alert').textContent()).resolves.toContain('no-such-prediction');
      await checkPage(page, 'not-found');
      const api = await t.http.get('/v1/predictions/no-such-prediction').set(auth(analyst));
      expect(api.status).toBe(404);
      expect(api.headers['content-type']).toContain('application/problem+json');
    });

    it('follows the system colour scheme, dark included, without accessibility violations', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto('/app');
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await screenshotBothWidths(page, 'overview-dark');
      await page.goto('/app/predictions/deepseek-blacklisted-12m');
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await screenshotBothWidths(page, 'prediction-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('marks the session cookie Secure behind HTTPS', async () => {
      const form = await t.http.get('/app/login').set('X-Forwarded-Proto', 'https');
      const loginCookie = String(form.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
      const response = await t.http
        .post('/app/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', loginCookie)
        .type('form')
        .send({ _csrf: token, key: analyst, next: '/app' });
      expect(response.status).toBe(303);
      const session = (response.headers['set-cookie'] as unknown as string[]).find((cookie) => cookie.startsWith('bw_session='));
      expect(session).toMatch(/; HttpOnly/);
      expect(session).toMatch(/; Secure/);
      expect(session).toMatch(/; SameSite=Lax/);
    });

    it('refuses a POST without the form token', async () => {
      const sequence = async () => (await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'china-domain-parity' } })).auditSequence;
      const before = await sequence();
      const response = await page.request.post('/app/predictions/china-domain-parity/override', { form: { percent: '50', reason: 'no token' } });
      expect(response.status()).toBe(403);
      const wrong = await page.request.post('/app/predictions/china-domain-parity/override', { form: { percent: '50', reason: 'forged', _csrf: 'x'.repeat(43) } });
      expect(wrong.status()).toBe(403);
      expect(await sequence()).toBe(before);
    });

    it('signs out: the session ends and pages send to sign-in again', async () => {
      await page.goto('/app');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${baseUrl}/app/login`);
      await page.goto('/app/inbox');
      expect(page.url()).toContain('/app/login?next=');
    });
  });

  describe('as an admin', () => {
    it('sees the webhook endpoints with their delivery log, and sends a test ping', async () => {
      await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: 'http://127.0.0.1:9/bellwether-hook', description: 'Closed port' }).expect(201);
      const page = await newPage();
      await signIn(page, t.adminKey);
      await page.goto('/app/admin/webhooks');
      const hook = page.getByTestId('webhook');
      await expect(hook.textContent()).resolves.toContain('http://127.0.0.1:9/bellwether-hook');
      await hook.getByRole('button', { name: 'Send test ping' }).click();
      await page.waitForURL(`${baseUrl}/app/admin/webhooks`);
      await expect(page.getByTestId('delivery').first().textContent()).resolves.toContain('webhook.test');
      await checkPage(page, 'webhooks');
    });

    it('sees who gets which digest and when, and previews the next one', async () => {
      const created = await t.http
        .post('/v1/subscribers')
        .set(auth(t.adminKey))
        .send({ email: 'desk@example.org', frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: 7, sendWeekday: 5, predictions: ['deepseek-blacklisted-12m'] })
        .expect(201);
      const page = await newPage();
      await signIn(page, t.adminKey);
      await page.goto('/app/admin/digests');
      const row = page.getByTestId('subscriber').filter({ hasText: 'desk@example.org' });
      const text = await row.textContent();
      expect(text).toContain('Weekly on Friday at 07:00 Europe/Berlin');
      expect(text).toContain('never');
      const { body: deepseek } = await t.http.get('/v1/predictions/deepseek-blacklisted-12m').set(auth(t.adminKey)).expect(200);
      expect(text).toContain(deepseek.title);
      await checkPage(page, 'digests');

      await row.getByRole('link', { name: /Preview/ }).click();
      await page.waitForURL(`${baseUrl}/app/admin/digests/${created.body.id}/preview`);
      const { body: preview } = await t.http.post(`/v1/subscribers/${created.body.id}/digest/preview`).set(auth(t.adminKey)).expect(200);
      await expect(page.getByTestId('digest-subject').textContent()).resolves.toBe(preview.subject);
      await expect(page.getByTestId('digest-text').textContent()).resolves.toContain('Unsubscribe');
      await checkPage(page, 'digest-preview');
    });
  });

  describe('as a viewer', () => {
    let page: Page;

    beforeAll(async () => {
      await pendingSignal('Huawei Ascend adoption reaches a new provincial cloud');
      page = await newPage();
      await signIn(page, viewer);
    });

    it('sees the inbox without accept or reject controls, and the server refuses a forged accept', async () => {
      await page.goto('/app/inbox');
      await expect(page.getByTestId('signal').count()).resolves.toBeGreaterThan(0);
      await expect(page.getByRole('button', { name: 'Accept as evidence' }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Reject' }).count()).resolves.toBe(0);
      await checkPage(page, 'inbox-viewer');
      const csrf = await page.locator('main').getAttribute('data-csrf');
      const id = (await t.prisma.signalItem.findFirstOrThrow({ where: { status: 'pending' } })).id;
      const forged = await page.request.post(`/app/inbox/${id}/accept`, { form: { _csrf: csrf! } });
      expect(forged.status()).toBe(403);
      expect((await t.prisma.signalItem.findUniqueOrThrow({ where: { id } })).status).toBe('pending');
      await page.goto('/app/predictions/us-china-ai-bifurcation');
      await expect(page.getByRole('button', { name: 'Record evidence' }).count()).resolves.toBe(0);
    });

    it('loses the session when its key is revoked', async () => {
      const keyId = (await t.prisma.apiKey.findFirstOrThrow({ where: { role: 'viewer' } })).id;
      await t.http.post(`/v1/api-keys/${keyId}/revoke`).set(auth(t.adminKey)).expect(200);
      await page.goto('/app');
      expect(page.url()).toContain('/app/login');
    });
  });
});
