import type { Browser, Page } from 'playwright-core';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { spreadHistoryOverDays } from '#test/web-history-fixture.js';
import { browserPages, launchChromium, screenshotForReadme } from '#test/web-browser.js';

const SLUG = 'deepseek-blacklisted-12m';
const DAY_MS = 86_400_000;

/**
 * The analyst's everyday actions in the browser: forecasts beside the model (the team and each
 * analyst on the chart, the divergence notice, the overview, the leaderboard and a track record),
 * evidence with a likelihood ratio and its retraction, readings, resolving with its confirmation,
 * redelivering a webhook; and every bad form answered with the field named and nothing written.
 */
describe('web app: forecasts and everyday actions', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let analyst: string;
  let colleague: string;
  let page: Page;
  const pages = browserPages(() => ({ browser, baseUrl }));
  const { newPage, signIn, checkPage } = pages;

  const forecastCount = () => t.prisma.forecast.count();

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    analyst = await t.keyFor('analyst');
    colleague = await t.keyFor('analyst');
    browser = await launchChromium();
    for (const [summary, impact] of [
      ['Lawmakers urge Commerce to review DeepSeek', { likelihoodRatio: 1.8 }],
      ['DeepSeek posts 30 chip-design roles', { likelihoodRatio: 3 }],
      ['Think-tank report finds no sanctioned hardware in use', { direction: 'contradicts', strength: 'moderate' }],
      ['Entity List additions for AI labs rumoured', { direction: 'supports', strength: 'moderate' }],
    ] as const) {
      await t.http
        .post('/v1/evidence')
        .set(auth(analyst))
        .send({ summary, sourceUrl: `https://news.example.com/item/${encodeURIComponent(summary)}`, observedAt: new Date().toISOString(), impacts: [{ prediction: SLUG, ...impact }] })
        .expect(201);
    }
    await spreadHistoryOverDays(t, SLUG, 400);
    // A colleague's two forecasts, made weeks ago: their line and the team's start there.
    for (const [probability, daysAgo] of [
      [0.2, 300],
      [0.1, 40],
    ] as const) {
      const { body } = await t.http.post(`/v1/predictions/${SLUG}/forecasts`).set(auth(colleague)).send({ probability, note: 'Base rates of listings are low' }).expect(201);
      await t.prisma.forecast.update({ where: { id: body.id }, data: { createdAt: new Date(Date.now() - daysAgo * DAY_MS) } });
    }
    page = await newPage();
    await signIn(page, analyst);
  });

  afterAll(async () => {
    await pages.close();
    await t?.close();
  });

  afterEach(() => pages.assertNoPageErrors());

  it('refuses a forecast of 0, 1.5 or 60 with the field named, and writes nothing', async () => {
    const before = await forecastCount();
    await page.goto(`/app/predictions/${SLUG}`);
    for (const [typed, message] of [
      ['0', /Probability must be a number from 0.001 to 0.999/],
      ['1.5', /Probability must be a number from 0.001 to 0.999/],
      ['60', /60 looks like a percentage: enter 0.6/],
      ['', /Probability is required/],
    ] as const) {
      await page.getByLabel(/Your probability/).fill(typed);
      const [response] = await Promise.all([page.waitForResponse((each) => each.url().endsWith('/forecast')), page.getByRole('button', { name: 'Record my forecast' }).click()]);
      expect(response.status()).toBe(400);
      await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(message);
      await expect(page.locator('#fc-probability-error').textContent()).resolves.toMatch(message);
      await expect(page.getByLabel(/Your probability/).getAttribute('aria-invalid')).resolves.toBe('true');
    }
    await checkPage(page, 'forecast-error');
    expect(await forecastCount()).toBe(before);
  });

  it('refuses a forged forecast without the form token', async () => {
    const before = await forecastCount();
    const forged = await page.request.post(`/app/predictions/${SLUG}/forecast`, { form: { probability: '0.5' } });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('form token');
    expect(await forecastCount()).toBe(before);
  });

  it('records my forecast with its rationale; the team and each analyst are lines on the chart, which can be toggled', async () => {
    await page.goto(`/app/predictions/${SLUG}`);
    await page.getByLabel(/Your probability/).fill('0.08');
    await page.getByLabel(/Rationale/).fill('No official signal yet; the rumours are recycled');
    await page.getByRole('button', { name: 'Record my forecast' }).click();
    await page.waitForURL(`${baseUrl}/app/predictions/${SLUG}?done=forecast#forecasts`);
    await expect(page.getByTestId('my-forecasts').textContent()).resolves.toContain('8.0%');
    await expect(page.getByTestId('my-forecasts').textContent()).resolves.toContain('No official signal yet');
    const lines = page.getByTestId('forecast-line');
    await expect(lines.count()).resolves.toBe(3);
    await expect(page.locator('[data-testid="forecast-line"][data-line="team"]').getAttribute('d')).resolves.toMatch(/^M[\d.]+,[\d.]+H.*V/);
    const team = await t.http.get(`/v1/predictions/${SLUG}/forecasts`).set(auth(analyst)).expect(200);
    await expect(page.getByTestId('team-probability').textContent()).resolves.toContain(`${(team.body.team.probability * 100).toFixed(1)}%`);
    // The model is far above the team: the page says so, at the threshold the API announces.
    const model = team.body.probability as number;
    expect(Math.abs(model - team.body.team.probability)).toBeGreaterThan(0.2);
    await expect(page.getByTestId('divergence').textContent()).resolves.toMatch(/points apart, more than the 20 points/);
    const teamLine = page.locator('[data-testid="forecast-line"][data-line="team"]');
    await expect(teamLine.isVisible()).resolves.toBe(true);
    await page.getByTestId('forecast-toggle').first().uncheck();
    await expect(teamLine.isVisible()).resolves.toBe(false);
    await page.getByTestId('forecast-toggle').first().check();
    await checkPage(page, 'prediction-forecasts');
    await page.evaluate("document.querySelector('.card--chart').scrollIntoView()");
    await screenshotForReadme(page, 'prediction-forecasts');
  });

  it('shows the model and the team side by side on the overview', async () => {
    await page.goto('/app');
    const row = page.getByTestId('prediction-row').filter({ hasText: SLUG });
    await expect(row.getByTestId('team-cell').textContent()).resolves.toMatch(/\d+\.\d% ?2 analysts/);
    await expect(row.getByTestId('overview-divergence').count()).resolves.toBe(1);
    await checkPage(page, 'overview-team');
  });

  it('keeps two browsers in step: a forecast and evidence made elsewhere reach the open pages without a reload', async () => {
    const other = await newPage();
    await signIn(other, colleague);
    await other.goto('/app');
    await page.goto(`/app/predictions/${SLUG}`);
    await page.evaluate('window.__stayed = true');
    await other.evaluate('window.__stayed = true');
    // Both pages listen before anything changes.
    await page.waitForTimeout(2_000);
    const { body: forecast } = await t.http.post(`/v1/predictions/${SLUG}/forecasts`).set(auth(colleague)).send({ probability: 0.3 }).expect(201);
    const { body: history } = await t.http.get(`/v1/predictions/${SLUG}/forecasts`).set(auth(analyst)).expect(200);
    const team = `${(history.team.probability * 100).toFixed(1)}%`;
    await page.getByTestId('model-and-team').filter({ hasText: team }).waitFor({ timeout: 10_000 });
    await expect(page.evaluate('window.__stayed')).resolves.toBe(true);
    expect(forecast.probability).toBe(0.3);
    const row = other.getByTestId('prediction-row').filter({ hasText: SLUG });
    await row.getByTestId('team-cell').filter({ hasText: team }).waitFor({ timeout: 10_000 });
    await t.http
      .post('/v1/evidence')
      .set(auth(colleague))
      .send({ summary: 'Commerce spokesperson declines to comment on DeepSeek', observedAt: new Date().toISOString(), impacts: [{ prediction: SLUG, direction: 'supports', strength: 'weak' }] })
      .expect(201);
    const model = `${((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: SLUG } })).probability * 100).toFixed(1)}%`;
    await page.getByTestId('probability').filter({ hasText: model }).waitFor({ timeout: 10_000 });
    await row.filter({ hasText: model }).waitFor({ timeout: 10_000 });
    await expect(other.evaluate('window.__stayed')).resolves.toBe(true);
    await expect(page.evaluate('window.__stayed')).resolves.toBe(true);
    await other.close();
  });

  it('records evidence with a likelihood ratio and an observedAt, and retracts it with a reason', async () => {
    await page.goto(`/app/predictions/${SLUG}`);
    const form = page.getByTestId('evidence-form');
    await form.getByLabel('What was observed').fill('Commerce briefing names Chinese AI labs under review');
    await form.getByTestId('weighing-ratio').check();
    await form.getByLabel(/Likelihood ratio/).fill('500');
    await form.getByRole('button', { name: 'Record evidence' }).click();
    await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/Likelihood ratio must be a number from 0.01 to 100/);
    expect(await t.prisma.evidence.count({ where: { summary: { startsWith: 'Commerce briefing' } } })).toBe(0);

    const observedAt = new Date(Date.now() - 2 * DAY_MS).toISOString().slice(0, 16);
    await page.getByTestId('evidence-form').getByLabel(/Observed at/).fill(observedAt);
    await page.getByTestId('evidence-form').getByLabel(/Likelihood ratio/).fill('2.5');
    await page.getByTestId('evidence-form').getByRole('button', { name: 'Record evidence' }).click();
    await page.waitForURL(/done=evidence/);
    const evidence = await t.prisma.evidence.findFirstOrThrow({ where: { summary: { startsWith: 'Commerce briefing' } }, include: { impacts: true } });
    expect(evidence.impacts[0]!.likelihoodRatio).toBe(2.5);
    expect(evidence.observedAt.toISOString().slice(0, 16)).toBe(observedAt);

    const retract = page.locator(`form[action$="/evidence/${evidence.id}/retract"]`);
    await retract.locator('xpath=ancestor::details').locator('summary').click();
    await retract.getByRole('button', { name: 'Review and retract…' }).click();
    await expect(page.getByTestId('form-error').textContent()).resolves.toContain('Reason is required');
    const again = page.locator(`form[action$="/evidence/${evidence.id}/retract"]`);
    await again.getByLabel(/Why take it back/).fill('The briefing was about a different agency');
    await again.getByRole('button', { name: 'Review and retract…' }).click();
    // It cannot be undone: a confirmation first, which writes nothing.
    await expect(page.getByTestId('retract-confirm').textContent()).resolves.toContain('The briefing was about a different agency');
    expect((await t.prisma.evidence.findUniqueOrThrow({ where: { id: evidence.id } })).retractedAt).toBeNull();
    await checkPage(page, 'retract-confirm');
    await page.getByRole('button', { name: 'Retract this evidence' }).click();
    await page.waitForURL(/done=retract/);
    expect((await t.prisma.evidence.findUniqueOrThrow({ where: { id: evidence.id } })).retractedAt).not.toBeNull();
  });

  it('lists the indicators and adds a reading, refusing a value that is not a number', async () => {
    const indicator = await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'huawei-ascend-adoption' } });
    await page.goto('/app/indicators');
    await expect(page.getByTestId('indicator-row').count()).resolves.toBeGreaterThan(0);
    await checkPage(page, 'indicators');
    await page.getByRole('link', { name: indicator.name }).click();
    await page.waitForURL(`${baseUrl}/app/indicators/huawei-ascend-adoption`);
    const form = page.getByTestId('reading-form');
    await form.getByLabel(/Value/).fill('lots');
    await form.getByRole('button', { name: 'Record reading' }).click();
    await expect(page.getByTestId('form-error').textContent()).resolves.toContain('Value must be a number');
    await page.getByTestId('reading-form').getByLabel(/Value/).fill('42.5');
    await page.getByTestId('reading-form').getByRole('button', { name: 'Record reading' }).click();
    await page.waitForURL(/reading=recorded/);
    await expect(page.getByTestId('reading-outcome').textContent()).resolves.toContain('Reading recorded');
    expect(await t.prisma.indicatorReading.count({ where: { value: 42.5 } })).toBe(1);
    await checkPage(page, 'indicator');
  });

  it('resolves only with an outcome and after a confirmation; the page then says when and how it resolved', async () => {
    await page.goto(`/app/predictions/${SLUG}`);
    await page.getByText('Resolve', { exact: true }).click();
    const form = page.getByTestId('resolve-form');
    await form.getByLabel('How it resolved').fill('Federal Register notice lists DeepSeek');
    await form.getByRole('button', { name: 'Review and resolve…' }).click();
    await expect(page.locator('#rs-outcome-error').textContent()).resolves.toContain('Outcome is required');
    expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: SLUG } })).status).toBe('open');

    const occurredAt = new Date(Date.now() - DAY_MS).toISOString().slice(0, 16);
    const again = page.getByTestId('resolve-form');
    await again.getByLabel('Outcome').selectOption('true');
    await again.getByLabel(/When it happened/).fill(occurredAt);
    await again.getByLabel(/Source URL/).fill('https://www.federalregister.gov/d/2026-00001');
    await again.getByRole('button', { name: 'Review and resolve…' }).click();
    await expect(page.getByTestId('confirm-outcome').textContent()).resolves.toContain('true');
    expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: SLUG } })).status).toBe('open');
    await checkPage(page, 'resolve-confirm');
    await page.getByRole('button', { name: 'Resolve as true' }).click();
    await page.waitForURL(/done=resolve/);
    const resolved = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: SLUG } });
    expect(resolved).toMatchObject({ status: 'resolved_true', resolutionSourceUrl: 'https://www.federalregister.gov/d/2026-00001' });
    expect(resolved.outcomeOccurredAt!.toISOString().slice(0, 16)).toBe(occurredAt);
    const head = await page.locator('.prediction-head__meta').textContent();
    expect(head).toContain(`Resolved true on ${occurredAt.slice(0, 10)}`);
    expect(head).not.toMatch(/left/);
    await expect(page.getByTestId('resolution').textContent()).resolves.toContain('Federal Register notice lists DeepSeek');
    await checkPage(page, 'prediction-resolved');
  });

  it('ranks the analysts on the leaderboard and shows a track record', async () => {
    await page.goto('/app/leaderboard');
    // My forecast came after the event (it happened yesterday): after the fact, it is not scored; the colleague's are.
    await expect(page.getByTestId('leaderboard-row').count()).resolves.toBe(1);
    await checkPage(page, 'leaderboard');
    await page.getByTestId('leaderboard-row').first().getByRole('link').click();
    await page.waitForURL(/\/app\/people\//);
    const { body } = await t.http.get('/v1/scorecards').set(auth(analyst)).expect(200);
    const best = body.leaderboard[0];
    await expect(page.getByTestId('mean-brier').textContent()).resolves.toBe(best.meanBrier.toFixed(3));
    await expect(page.getByTestId('person-forecast').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByTestId('calibration-chart').count()).resolves.toBe(1);
    await checkPage(page, 'track-record');
  });

  it('redelivers a failed webhook delivery', async () => {
    await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: 'http://127.0.0.1:9/bellwether-hook', description: 'Closed port' }).expect(201);
    const admin = await newPage();
    await signIn(admin, t.adminKey);
    await admin.goto('/app/admin/webhooks');
    await admin.getByRole('button', { name: 'Send test ping' }).click();
    await admin.waitForURL(`${baseUrl}/app/admin/webhooks`);
    const attempts = await t.prisma.webhookDeliveryAttempt.count();
    await admin.getByTestId('redeliver').first().click();
    await admin.waitForURL(/redelivered=failed/);
    await expect(admin.getByTestId('redelivered').textContent()).resolves.toContain('failed again');
    expect(await t.prisma.webhookDeliveryAttempt.count()).toBe(attempts + 1);
    await checkPage(admin, 'webhooks-redeliver');
  });
});
