import type { Browser, Page } from 'playwright-core';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { browserPages, launchChromium } from '#test/web-browser.js';

/**
 * Authoring in the browser: a prediction created from the overview and its text edited, an
 * indicator created and linked to the predictions it bears on, and a resolution undone behind a
 * confirmation. Each form's bad input (the API's rules: a prior of 1.5, an empty title, a slug in
 * use, a likelihood ratio out of range, a missing reason) comes back named with nothing written;
 * viewers see none of it and the server refuses their posts, as it refuses a post without the token.
 */
describe('web app: predictions, indicators and their links, undoing a resolution', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  let admin: string;
  const pages = browserPages(() => ({ browser, baseUrl }));
  const { newPage, signIn, signedInPage, checkPage, submit } = pages;


  const csrfOf = (target: Page) => target.locator('input[name="_csrf"]').first().inputValue();
  const nextYear = `${new Date().getUTCFullYear() + 1}-06-30T12:00`;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
    admin = await t.keyFor('admin');
    page = await signedInPage(admin);
  });

  afterAll(async () => {
    await pages.close();
    await t?.close();
  });

  afterEach(() => pages.assertNoPageErrors());

  describe('predictions', () => {
    const count = () => t.prisma.prediction.count();

    it('creates a prediction from the overview, refusing a prior of 1.5, an empty title and a slug in use with nothing written', async () => {
      const before = await count();
      await page.goto('/app');
      await page.getByRole('link', { name: 'New prediction' }).click();
      await page.waitForURL(/\/app\/new\/prediction$/);
      await checkPage(page, 'prediction-new');
      const form = page.getByTestId('prediction-form');
      await form.getByLabel(/^Slug/).fill('chip-tariffs-2027');
      await form.getByLabel(/^Statement/).fill('The US puts a tariff of at least 25% on imported AI accelerators.');
      await form.getByLabel(/^Resolution criteria/).fill('A tariff schedule published in the Federal Register.');
      await form.getByLabel(/^Prior/).fill('1.5');
      await form.getByLabel(/^Deadline/).fill(nextYear);
      expect(await submit(page, 'Create prediction', /^\/app\/new\/prediction$/)).toBe(400);
      await expect(page.locator('#pred-create-prior-error').textContent()).resolves.toMatch(/^Prior must be a probability within 0.001..0.999/);
      await expect(page.locator('#pred-create-title-error').textContent()).resolves.toBe('Title is required');
      await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/Nothing was saved/);
      await expect(page.getByLabel(/^Statement/).inputValue()).resolves.toContain('at least 25%');
      await checkPage(page, 'prediction-new-error');
      expect(await count()).toBe(before);

      // A slug in use: what only the service knows, beside the slug.
      await page.getByLabel('Title').fill('AI accelerator tariffs by mid-2027');
      await page.getByLabel(/^Prior/).fill('0,3');
      await page.getByLabel(/^Slug/).fill('us-china-ai-bifurcation');
      expect(await submit(page, 'Create prediction', /^\/app\/new\/prediction$/)).toBe(400);
      await expect(page.locator('#pred-create-slug-error').textContent()).resolves.toMatch(/already exists/);
      expect(await count()).toBe(before);

      await page.getByLabel(/^Slug/).fill('chip-tariffs-2027');
      await page.getByLabel(/happens by the deadline/).check();
      expect(await submit(page, 'Create prediction', /^\/app\/new\/prediction$/)).toBe(303);
      await page.waitForURL(/\/app\/predictions\/chip-tariffs-2027\?done=created$/);
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Prediction created');
      const created = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'chip-tariffs-2027' } });
      expect(created).toMatchObject({ title: 'AI accelerator tariffs by mid-2027', prior: 0.3, eventByDeadline: true, status: 'open', revision: 1 });
      expect(created.deadline.toISOString()).toBe(`${nextYear}:00.000Z`);
      expect(await t.prisma.auditEntry.findMany({ where: { predictionId: created.id }, select: { kind: true, actor: true } })).toEqual([{ kind: 'prior', actor: expect.stringMatching(/^(user|apikey):/) }]);
    });

    it('edits the text from the prediction page, refusing an empty title; an unchanged save adds no revision', async () => {
      await page.goto('/app/predictions/chip-tariffs-2027');
      await page.getByRole('link', { name: /^Edit the text of/ }).click();
      await page.waitForURL(/\/edit$/);
      await expect(page.getByLabel('Title').inputValue()).resolves.toBe('AI accelerator tariffs by mid-2027');
      await expect(page.getByLabel(/^Slug/).count()).resolves.toBe(0);
      await checkPage(page, 'prediction-edit');
      await page.getByLabel('Title').fill('   ');
      expect(await submit(page, 'Save text', /\/edit$/)).toBe(400);
      await expect(page.locator('#pred-edit-title-error').textContent()).resolves.toBe('Title is required');
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'chip-tariffs-2027' } })).revision).toBe(1);

      await page.getByLabel('Title').fill('Tariffs on AI accelerators by mid-2027');
      expect(await submit(page, 'Save text', /\/edit$/)).toBe(303);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Tariffs on AI accelerators by mid-2027');
      const edited = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'chip-tariffs-2027' } });
      expect(edited).toMatchObject({ title: 'Tariffs on AI accelerators by mid-2027', revision: 2, prior: 0.3 });
      expect(await t.prisma.predictionRevision.count({ where: { predictionId: edited.id } })).toBe(2);

      await page.goto('/app/predictions/chip-tariffs-2027/edit');
      expect(await submit(page, 'Save text', /\/edit$/)).toBe(303);
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Nothing changed');
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'chip-tariffs-2027' } })).revision).toBe(2);
    });
  });

  describe('indicators', () => {
    const count = () => t.prisma.indicator.count();
    const links = () => t.prisma.indicatorLink.findMany({ where: { indicator: { slug: 'accelerator-import-prices' } }, include: { prediction: { select: { slug: true } } }, orderBy: { threshold: 'asc' } });

    it('creates an indicator from the list, refusing a bad slug, an empty unit and a slug in use with nothing written', async () => {
      const before = await count();
      await page.goto('/app/indicators');
      await page.getByRole('link', { name: 'New indicator' }).click();
      await page.waitForURL(/\/app\/new\/indicator$/);
      await checkPage(page, 'indicator-new');
      await page.getByLabel(/^Slug/).fill('Accelerator import prices');
      await page.getByLabel('Name', { exact: true }).fill('Accelerator import prices');
      expect(await submit(page, 'Create indicator', /^\/app\/new\/indicator$/)).toBe(400);
      await expect(page.locator('#ind-create-slug-error').textContent()).resolves.toBe('Slug must be lower-case words joined by hyphens');
      await expect(page.locator('#ind-create-unit-error').textContent()).resolves.toBe('Unit is required');
      await checkPage(page, 'indicator-new-error');

      await page.getByLabel(/^Slug/).fill('huawei-ascend-adoption');
      await page.getByLabel(/^Unit/).fill('index');
      expect(await submit(page, 'Create indicator', /^\/app\/new\/indicator$/)).toBe(400);
      await expect(page.locator('#ind-create-slug-error').textContent()).resolves.toMatch(/already exists/);
      expect(await count()).toBe(before);

      await page.getByLabel(/^Slug/).fill('accelerator-import-prices');
      await page.getByLabel(/^Description/).fill('Customs unit value of imported AI accelerators, 2026 = 100.');
      expect(await submit(page, 'Create indicator', /^\/app\/new\/indicator$/)).toBe(303);
      // Next comes what it bears on.
      await page.waitForURL(/\/app\/indicators\/accelerator-import-prices\/links\?done=created$/);
      expect(await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'accelerator-import-prices' } })).toMatchObject({ name: 'Accelerator import prices', unit: 'index' });
      expect(await count()).toBe(before + 1);
    });

    it('links it to predictions, naming a bad row (a ratio out of range, the same threshold twice) with nothing written', async () => {
      await page.goto('/app/indicators/accelerator-import-prices/links');
      await checkPage(page, 'indicator-links');
      const rows = page.getByTestId('link-row');
      await rows.nth(0).getByLabel('Prediction').selectOption('chip-tariffs-2027');
      await rows.nth(0).getByLabel('Threshold').fill('130');
      await rows.nth(0).getByLabel('LR crossing up').fill('1000');
      await rows.nth(0).getByLabel('LR crossing down').fill('0.5');
      expect(await submit(page, 'Save links', /\/links$/)).toBe(400);
      await expect(page.locator('[id="links-edit-links[0].likelihoodRatioUp-error"]').textContent()).resolves.toBe('Link 1 LR crossing up must not be greater than 100');
      await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/Nothing was saved/);
      await checkPage(page, 'indicator-links-error');
      expect(await links()).toEqual([]);

      // The third row repeats the first (the second left empty): the service's refusal names the third.
      await rows.nth(0).getByLabel('LR crossing up').fill('3');
      await rows.nth(2).getByLabel('Prediction').selectOption('chip-tariffs-2027');
      await rows.nth(2).getByLabel('Threshold').fill('130');
      await rows.nth(2).getByLabel('LR crossing up').fill('2');
      await rows.nth(2).getByLabel('LR crossing down').fill('0.5');
      expect(await submit(page, 'Save links', /\/links$/)).toBe(400);
      await expect(page.locator('[id="links-edit-links[2].threshold-error"]').textContent()).resolves.toMatch(/already has a link at this threshold/);
      expect(await links()).toEqual([]);

      await rows.nth(2).getByLabel('Prediction').selectOption('china-domain-parity');
      await rows.nth(2).getByLabel('Threshold').fill('110');
      await rows.nth(2).getByLabel(/^Note/).fill('Dearer imports push domestic parity');
      expect(await submit(page, 'Save links', /\/links$/)).toBe(303);
      await page.waitForURL(/\/app\/indicators\/accelerator-import-prices\?done=links$/);
      await expect(page.getByTestId('done').textContent()).resolves.toContain('Links saved');
      await expect(page.getByRole('link', { name: 'chip-tariffs-2027' }).count()).resolves.toBe(1);
      expect((await links()).map(({ prediction, threshold, likelihoodRatioUp, likelihoodRatioDown, note }) => ({ prediction: prediction.slug, threshold, likelihoodRatioUp, likelihoodRatioDown, note }))).toEqual([
        { prediction: 'china-domain-parity', threshold: 110, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5, note: 'Dearer imports push domestic parity' },
        { prediction: 'chip-tariffs-2027', threshold: 130, likelihoodRatioUp: 3, likelihoodRatioDown: 0.5, note: null },
      ]);

      // Removing one: its prediction set to "—"; the form shows the saved links in threshold order.
      await page.getByRole('link', { name: 'Edit links' }).click();
      await expect(rows.nth(0).getByLabel('Prediction').inputValue()).resolves.toBe('china-domain-parity');
      await rows.nth(0).getByLabel('Prediction').selectOption('');
      expect(await submit(page, 'Save links', /\/links$/)).toBe(303);
      expect((await links()).map((link) => link.prediction.slug)).toEqual(['chip-tariffs-2027']);
    });

    it('edits the indicator from its page, refusing an empty name', async () => {
      await page.goto('/app/indicators/accelerator-import-prices');
      await page.getByRole('link', { name: 'Edit Accelerator import prices' }).click();
      await page.waitForURL(/\/edit$/);
      await checkPage(page, 'indicator-edit');
      await page.getByLabel('Name', { exact: true }).fill('');
      await page.getByLabel(/^Unit/).fill('index points');
      expect(await submit(page, 'Save indicator', /\/edit$/)).toBe(400);
      await expect(page.locator('#ind-edit-name-error').textContent()).resolves.toBe('Name is required');
      expect((await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'accelerator-import-prices' } })).unit).toBe('index');

      await page.getByLabel('Name', { exact: true }).fill('AI accelerator import prices');
      expect(await submit(page, 'Save indicator', /\/edit$/)).toBe(303);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('AI accelerator import prices');
      expect(await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'accelerator-import-prices' } })).toMatchObject({ name: 'AI accelerator import prices', unit: 'index points' });
    });
  });

  describe('undoing a resolution', () => {
    it('asks for a reason, confirms, and reopens the prediction with the undoing in the trail', async () => {
      await t.http.post('/v1/predictions/chip-tariffs-2027/resolve').set(auth(admin)).send({ outcome: 'true', note: 'Tariff schedule published' }).expect(200);
      await page.goto('/app/predictions/chip-tariffs-2027');
      await expect(page.getByRole('link', { name: /^Edit the text of/ }).count()).resolves.toBe(0);
      await page.getByText('Undo resolution…').click();
      expect(await submit(page, 'Review and undo…', /\/undo-resolution$/)).toBe(400);
      await expect(page.locator('#undo-reason-error').textContent()).resolves.toBe('Reason is required');
      await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/Nothing was recorded/);
      await checkPage(page, 'undo-error');

      await page.getByLabel(/^Why undo it/).fill('The schedule was withdrawn the same day');
      expect(await submit(page, 'Review and undo…', /\/undo-resolution$/)).toBe(200);
      await expect(page.getByTestId('undo-confirm').textContent()).resolves.toContain('The schedule was withdrawn the same day');
      await expect(page.getByTestId('confirm-standing').textContent()).resolves.toMatch(/true/i);
      await checkPage(page, 'undo-confirm');
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'chip-tariffs-2027' } })).status).toBe('resolved_true');

      expect(await submit(page, 'Undo resolution', /\/undo-resolution$/)).toBe(303);
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Resolution undone');
      const reopened = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'chip-tariffs-2027' } });
      expect(reopened).toMatchObject({ status: 'open', resolvedAt: null });
      const last = await t.prisma.auditEntry.findFirstOrThrow({ where: { predictionId: reopened.id }, orderBy: { sequence: 'desc' } });
      expect(last).toMatchObject({ kind: 'resolution_undone', reason: 'The schedule was withdrawn the same day' });
    });
  });

  describe('roles and form tokens', () => {
    it('shows a viewer none of the authoring actions and refuses their posts', async () => {
      await t.http.post('/v1/predictions/china-domain-parity/resolve').set(auth(admin)).send({ outcome: 'false', note: 'Not by the deadline' }).expect(200);
      const viewerPage = await newPage();
      await signIn(viewerPage, await t.keyFor('viewer'));
      await expect(viewerPage.getByRole('link', { name: 'New prediction' }).count()).resolves.toBe(0);
      await viewerPage.goto('/app/predictions/chip-tariffs-2027');
      await expect(viewerPage.getByRole('link', { name: /^Edit/ }).count()).resolves.toBe(0);
      await viewerPage.goto('/app/predictions/china-domain-parity');
      await expect(viewerPage.getByTestId('undo-form').count()).resolves.toBe(0);
      await viewerPage.goto('/app/indicators');
      await expect(viewerPage.getByRole('link', { name: 'New indicator' }).count()).resolves.toBe(0);
      await viewerPage.goto('/app/indicators/accelerator-import-prices');
      await expect(viewerPage.getByRole('link', { name: /^Edit/ }).count()).resolves.toBe(0);
      expect((await viewerPage.goto('/app/new/prediction'))!.status()).toBe(403);

      const csrf = await csrfOf(viewerPage);
      const before = { predictions: await t.prisma.prediction.count(), indicators: await t.prisma.indicator.count(), links: await t.prisma.indicatorLink.count() };
      const forged = [
        await viewerPage.request.post('/app/new/prediction', { form: { _csrf: csrf, slug: 'viewer-made', title: 'x', statement: 'x', resolutionCriteria: 'x', prior: '0.5', deadline: nextYear } }),
        await viewerPage.request.post('/app/predictions/chip-tariffs-2027/edit', { form: { _csrf: csrf, title: 'Viewer title', statement: 'x', resolutionCriteria: 'x' } }),
        await viewerPage.request.post('/app/new/indicator', { form: { _csrf: csrf, slug: 'viewer-indicator', name: 'x', unit: 'x' } }),
        await viewerPage.request.post('/app/indicators/accelerator-import-prices/links', { form: { _csrf: csrf } }),
        await viewerPage.request.post('/app/predictions/china-domain-parity/undo-resolution', { form: { _csrf: csrf, reason: 'viewer', confirm: 'yes' } }),
      ];
      expect(forged.map((response) => response.status())).toEqual([403, 403, 403, 403, 403]);
      expect({ predictions: await t.prisma.prediction.count(), indicators: await t.prisma.indicator.count(), links: await t.prisma.indicatorLink.count() }).toEqual(before);
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'china-domain-parity' } })).status).toBe('resolved_false');
    });

    it('leaves undoing to admins, as the API does: an analyst sees no undo and is refused', async () => {
      const analystPage = await newPage();
      await signIn(analystPage, await t.keyFor('analyst'));
      await analystPage.goto('/app/predictions/china-domain-parity');
      await expect(analystPage.getByTestId('undo-form').count()).resolves.toBe(0);
      const refused = await analystPage.request.post('/app/predictions/china-domain-parity/undo-resolution', { form: { _csrf: await csrfOf(analystPage), reason: 'analyst', confirm: 'yes' } });
      expect(refused.status()).toBe(403);
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'china-domain-parity' } })).status).toBe('resolved_false');
    });

    it('refuses a post without the form token', async () => {
      const before = await t.prisma.prediction.count();
      const forged = await page.request.post('/app/new/prediction', { form: { slug: 'forged', title: 'x', statement: 'x', resolutionCriteria: 'x', prior: '0.5', deadline: nextYear } });
      expect(forged.status()).toBe(403);
      const forgedUndo = await page.request.post('/app/predictions/china-domain-parity/undo-resolution', { form: { reason: 'forged', confirm: 'yes' } });
      expect(forgedUndo.status()).toBe(403);
      expect(await t.prisma.prediction.count()).toBe(before);
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'china-domain-parity' } })).status).toBe('resolved_false');
    });
  });
});
