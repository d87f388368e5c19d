import type { Browser, Page } from 'playwright-core';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { browserPages, launchChromium } from '#test/web-browser.js';

/**
 * Setting up in the browser: sources, rules (with the preview of what a query matches), webhooks
 * (the secret shown once) and digest subscribers, each created, edited and deleted behind a
 * confirmation; a bad field comes back named with nothing written, and a post without the form
 * token is refused.
 */
describe('web app: sources, rules, webhooks and subscribers', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  const pages = browserPages(() => ({ browser, baseUrl }));
  const { signedInPage, checkPage, submit } = pages;


  /** Deletes through the confirmation page: the first button only asks. */
  async function deleteConfirmed(target: Page, label: string, path: RegExp, shot: string): Promise<void> {
    expect(await submit(target, `Delete ${label}`, path)).toBe(200);
    await expect(target.getByTestId('delete-confirm').textContent()).resolves.toContain('cannot be undone');
    await checkPage(target, shot);
    expect(await submit(target, 'Delete', path)).toBe(303);
    await expect(target.getByTestId('done').textContent()).resolves.toContain('Deleted');
  }

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
    const admin = await t.keyFor('admin');
    // Stored items for the rule preview, and a term set for its query to name.
    await t.http
      .post('/v1/signals')
      .set(auth(admin))
      .send({ items: [{ title: 'New export controls on AI chips announced', summary: 'The Commerce department acted.' }, { title: 'Export controls rumour denied' }, { title: 'Weather turns cold' }] })
      .expect(201);
    await t.http.post('/v1/term-sets').set(auth(admin)).send({ name: 'chip_words', terms: ['chip*', 'semiconductor*'] }).expect(201);
    page = await signedInPage(admin);
  });

  afterAll(async () => {
    await pages.close();
    await t?.close();
  });

  afterEach(() => pages.assertNoPageErrors());

  describe('sources', () => {
    const count = () => t.prisma.source.count();

    it('adds a source, refusing a bad one with the field named and nothing written', async () => {
      const before = await count();
      await page.goto('/app/admin/sources');
      await page.getByText('Add a source').click();
      const form = page.getByTestId('source-form');
      await form.getByLabel('Name', { exact: true }).fill('Agency wire');
      await form.getByLabel('URL').fill('not a url');
      await form.getByLabel(/Fetch every/).fill('0');
      expect(await submit(page, 'Add source', /^\/app\/admin\/sources$/)).toBe(400);
      await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/URL must be an absolute http\(s\) address/);
      await expect(page.locator('#src-create-url-error').textContent()).resolves.toMatch(/URL must be/);
      await expect(page.locator('#src-create-intervalMinutes-error').textContent()).resolves.toMatch(/from 1 to 10080/);
      await expect(page.getByTestId('source-form').getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Agency wire');
      await checkPage(page, 'source-error');
      // What only the service knows (a cron that does not parse) is named beside its field too.
      await page.getByTestId('source-form').getByLabel('URL').fill('https://feeds.example.com/wire.xml');
      await page.getByTestId('source-form').getByLabel(/Fetch every/).fill('');
      await page.getByTestId('source-form').getByLabel(/Or a schedule/).fill('every now and then');
      expect(await submit(page, 'Add source', /^\/app\/admin\/sources$/)).toBe(400);
      await expect(page.locator('#src-create-schedule-error').textContent()).resolves.toMatch(/\S/);
      expect(await count()).toBe(before);

      await page.getByTestId('source-form').getByLabel(/Or a schedule/).fill('');
      await page.getByTestId('source-form').getByLabel(/Fetch every/).fill('15');
      expect(await submit(page, 'Add source', /^\/app\/admin\/sources$/)).toBe(303);
      await expect(page.getByTestId('done').textContent()).resolves.toContain('Added');
      const source = await t.prisma.source.findFirstOrThrow({ where: { name: 'Agency wire' } });
      expect(source).toMatchObject({ kind: 'feed', url: 'https://feeds.example.com/wire.xml', intervalSeconds: 900, enabled: true });
      await checkPage(page, 'sources');
    });

    it('edits a source, and deletes it behind a confirmation', async () => {
      await page.goto('/app/admin/sources');
      await page.getByRole('link', { name: 'Edit Agency wire' }).click();
      await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Agency wire');
      await expect(page.getByLabel(/Fetch every/).inputValue()).resolves.toBe('15');
      await page.getByLabel('URL').fill('ftp://feeds.example.com/wire.xml');
      expect(await submit(page, 'Save source', /\/edit$/)).toBe(400);
      await expect(page.locator('#src-edit-url-error').textContent()).resolves.toMatch(/URL must be/);
      expect((await t.prisma.source.findFirstOrThrow({ where: { name: 'Agency wire' } })).url).toBe('https://feeds.example.com/wire.xml');
      await page.getByLabel('URL').fill('https://feeds.example.com/wire2.xml');
      await page.getByLabel('Name', { exact: true }).fill('Agency wire (all)');
      await page.getByLabel(/Enabled/).uncheck();
      await checkPage(page, 'source-edit');
      expect(await submit(page, 'Save source', /\/edit$/)).toBe(303);
      expect(await t.prisma.source.findFirstOrThrow({ where: { name: 'Agency wire (all)' } })).toMatchObject({ url: 'https://feeds.example.com/wire2.xml', enabled: false });

      const before = await count();
      await deleteConfirmed(page, 'Agency wire (all)', /^\/app\/admin\/sources\/[^/]+\/delete$/, 'source-delete-confirm');
      expect(await count()).toBe(before - 1);
    });

    it('refuses a forged post without the form token', async () => {
      const before = await count();
      const forged = await page.request.post('/app/admin/sources', { form: { name: 'Forged', kind: 'feed', url: 'https://evil.example.com/feed' } });
      expect(forged.status()).toBe(403);
      const source = await t.prisma.source.create({ data: { name: 'Kept', kind: 'feed', url: 'https://kept.example.com/feed', intervalSeconds: 1800, nextFetchAt: new Date() } });
      const forgedDelete = await page.request.post(`/app/admin/sources/${source.id}/delete`, { form: { confirm: 'yes' } });
      expect(forgedDelete.status()).toBe(403);
      expect(await count()).toBe(before + 1);
    });
  });

  describe('rules', () => {
    const count = () => t.prisma.rule.count();

    it('previews what a query matches, refuses a bad rule with the field named, and adds one', async () => {
      const before = await count();
      await page.goto('/app/admin/rules');
      await page.getByText('Add a rule').click();
      const form = page.getByTestId('rule-form');
      await form.getByLabel('Name', { exact: true }).fill('Chip export controls');
      await form.getByLabel(/^Query/).fill('"export controls" @chip_words');
      expect(await submit(page, 'Preview matches', /\/rules\/preview$/)).toBe(200);
      const preview = page.getByTestId('rule-preview');
      await expect(preview.locator('h2').textContent()).resolves.toContain('1 stored item match');
      await expect(preview.textContent()).resolves.toContain('New export controls on AI chips announced');
      await expect(preview.locator('mark').count()).resolves.toBeGreaterThan(0);
      await expect(page.getByTestId('rule-form').getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Chip export controls');
      await checkPage(page, 'rule-preview');
      expect(await count()).toBe(before);

      // A query naming a term set that does not exist: the service's words, beside the query.
      await page.getByTestId('rule-form').getByLabel(/^Query/).fill('"export controls" @no_such_set');
      const [predictionId] = await page.getByTestId('rule-form').getByLabel('Prediction 1').selectOption({ index: 1 });
      expect(await submit(page, 'Add rule', /^\/app\/admin\/rules$/)).toBe(400);
      await expect(page.locator('#rule-create-query-error').textContent()).resolves.toMatch(/no_such_set/);
      await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/Nothing was saved/);
      await checkPage(page, 'rule-error');
      expect(await count()).toBe(before);

      await page.getByTestId('rule-form').getByLabel(/^Query/).fill('"export controls" @chip_words');
      await page.getByTestId('rule-form').getByLabel('Direction').first().selectOption('supports');
      await page.getByTestId('rule-form').getByLabel('Strength').first().selectOption('strong');
      expect(await submit(page, 'Add rule', /^\/app\/admin\/rules$/)).toBe(303);
      await expect(page.getByTestId('done').textContent()).resolves.toContain('Added');
      const rule = await t.prisma.rule.findFirstOrThrow({ where: { name: 'Chip export controls' } });
      expect(rule).toMatchObject({ query: '"export controls" @chip_words', enabled: true, autoAccept: false });
      expect(rule.impacts).toEqual([expect.objectContaining({ prediction: predictionId, direction: 'supports', strength: 'strong' })]);
      await expect(page.getByTestId('term-sets').textContent()).resolves.toMatch(/@chip_words[\s\S]*used by Chip export controls/);
      await checkPage(page, 'rules');
    });

    it('edits a rule (previewing from its page), and deletes it behind a confirmation', async () => {
      await page.goto('/app/admin/rules');
      await page.getByRole('link', { name: 'Edit Chip export controls' }).click();
      await expect(page.getByLabel(/^Query/).inputValue()).resolves.toBe('"export controls" @chip_words');
      await page.getByLabel(/^Query/).fill('"export controls"');
      expect(await submit(page, 'Preview matches', /\/rules\/preview$/)).toBe(200);
      await expect(page.getByTestId('rule-preview').locator('h2').textContent()).resolves.toContain('2 stored items match');
      await expect(page.getByRole('heading', { name: 'Edit Chip export controls' }).count()).resolves.toBe(1);
      await page.getByLabel('Name', { exact: true }).fill('');
      expect(await submit(page, 'Save rule', /\/edit$/)).toBe(400);
      await expect(page.locator('#rule-edit-name-error').textContent()).resolves.toBe('Name is required');
      expect((await t.prisma.rule.findFirstOrThrow({ where: { name: 'Chip export controls' } })).query).toBe('"export controls" @chip_words');
      await page.getByLabel('Name', { exact: true }).fill('Export controls');
      await page.getByLabel(/Accept matches automatically/).check();
      await checkPage(page, 'rule-edit');
      expect(await submit(page, 'Save rule', /\/edit$/)).toBe(303);
      expect(await t.prisma.rule.findFirstOrThrow({ where: { name: 'Export controls' } })).toMatchObject({ query: '"export controls"', autoAccept: true });

      const before = await count();
      await deleteConfirmed(page, 'Export controls', /^\/app\/admin\/rules\/[^/]+\/delete$/, 'rule-delete-confirm');
      expect(await count()).toBe(before - 1);
    });

    it('refuses a forged post without the form token', async () => {
      const before = await count();
      expect((await page.request.post('/app/admin/rules', { form: { name: 'Forged', query: 'anything' } })).status()).toBe(403);
      expect(await count()).toBe(before);
    });
  });

  describe('webhooks', () => {
    const count = () => t.prisma.webhookEndpoint.count();
    const URL = 'https://hooks.example.com/bellwether';

    it('adds an endpoint and shows its secret once, refusing a bad one with the field named and nothing written', async () => {
      const before = await count();
      await page.goto('/app/admin/webhooks');
      await page.getByText('Add an endpoint').click();
      const form = page.getByTestId('webhook-form');
      await form.getByLabel('URL').fill('hooks.example.com');
      await form.getByLabel(/Smallest move/).fill('150');
      expect(await submit(page, 'Add endpoint', /^\/app\/admin\/webhooks$/)).toBe(400);
      await expect(page.locator('#hook-create-url-error').textContent()).resolves.toMatch(/URL must be an absolute http\(s\) address/);
      await expect(page.locator('#hook-create-minChangePoints-error').textContent()).resolves.toMatch(/from 0 to 100/);
      await checkPage(page, 'webhook-error');
      expect(await count()).toBe(before);

      await page.getByTestId('webhook-form').getByLabel('URL').fill(URL);
      await page.getByTestId('webhook-form').getByLabel(/Smallest move/).fill('5');
      await page.getByTestId('webhook-form').getByLabel('Format').selectOption('slack');
      await page.getByTestId('webhook-form').getByLabel('prediction.resolved').check();
      expect(await submit(page, 'Add endpoint', /^\/app\/admin\/webhooks$/)).toBe(200);
      const secret = await page.getByTestId('webhook-secret').locator('code').textContent();
      const endpoint = await t.prisma.webhookEndpoint.findFirstOrThrow({ where: { url: URL } });
      expect(endpoint).toMatchObject({ format: 'slack', events: ['prediction.resolved'], minProbabilityChange: 0.05, enabled: true });
      expect(secret).toMatch(/^whsec_/);
      await checkPage(page, 'webhooks');
      // Once: the page again does not show it.
      await page.goto('/app/admin/webhooks');
      await expect(page.getByTestId('webhook-secret').count()).resolves.toBe(0);
      expect(await page.content()).not.toContain(secret!);
    });

    it('edits and disables an endpoint, and deletes it behind a confirmation', async () => {
      await page.goto('/app/admin/webhooks');
      await page.getByRole('link', { name: `Edit ${URL}` }).click();
      await expect(page.getByLabel('URL').inputValue()).resolves.toBe(URL);
      await expect(page.getByLabel('prediction.resolved').isChecked()).resolves.toBe(true);
      await page.getByLabel('URL').fill('');
      expect(await submit(page, 'Save endpoint', /\/edit$/)).toBe(400);
      await expect(page.locator('#hook-edit-url-error').textContent()).resolves.toBe('URL is required');
      await page.getByLabel('URL').fill(`${URL}/v2`);
      await page.getByLabel('Description').fill('The ops channel');
      await checkPage(page, 'webhook-edit');
      expect(await submit(page, 'Save endpoint', /\/edit$/)).toBe(303);
      expect(await t.prisma.webhookEndpoint.findFirstOrThrow({ where: { url: `${URL}/v2` } })).toMatchObject({ description: 'The ops channel', enabled: true });
      expect(await submit(page, `Disable ${URL}/v2`, /\/enabled$/)).toBe(303);
      expect((await t.prisma.webhookEndpoint.findFirstOrThrow({ where: { url: `${URL}/v2` } })).enabled).toBe(false);

      const before = await count();
      await deleteConfirmed(page, `${URL}/v2`, /^\/app\/admin\/webhooks\/[^/]+\/delete$/, 'webhook-delete-confirm');
      expect(await count()).toBe(before - 1);
    });

    it('refuses a forged post without the form token', async () => {
      const before = await count();
      expect((await page.request.post('/app/admin/webhooks', { form: { url: 'https://evil.example.com/hook' } })).status()).toBe(403);
      expect(await count()).toBe(before);
    });
  });

  describe('subscribers', () => {
    const count = () => t.prisma.subscriber.count();

    it('adds a subscriber, refusing a bad one with the field named and nothing written', async () => {
      const before = await count();
      await page.goto('/app/admin/digests');
      await page.getByText('Add a subscriber').click();
      const form = page.getByTestId('subscriber-form');
      await form.getByLabel('Email').fill('ana@example.com');
      await form.getByLabel(/Time zone/).fill('Mars/Olympus');
      await form.getByLabel(/Hour/).fill('25');
      expect(await submit(page, 'Add subscriber', /^\/app\/admin\/digests$/)).toBe(400);
      await expect(page.locator('#sub-create-timezone-error').textContent()).resolves.toMatch(/IANA time zone/);
      await expect(page.locator('#sub-create-sendHour-error').textContent()).resolves.toMatch(/from 0 to 23/);
      await expect(page.getByTestId('subscriber-form').getByLabel('Email').inputValue()).resolves.toBe('ana@example.com');
      await checkPage(page, 'subscriber-error');
      expect(await count()).toBe(before);

      await page.getByTestId('subscriber-form').getByLabel(/Time zone/).fill('Europe/Berlin');
      await page.getByTestId('subscriber-form').getByLabel(/Hour/).fill('7');
      await page.getByTestId('subscriber-form').getByLabel('Frequency').selectOption('weekly');
      await page.getByTestId('subscriber-form').getByLabel(/Weekday/).selectOption({ label: 'Friday' });
      const followed = page.getByTestId('subscriber-form').locator('input[name="predictions"]').first();
      const predictionId = await followed.getAttribute('value');
      await followed.check();
      expect(await submit(page, 'Add subscriber', /^\/app\/admin\/digests$/)).toBe(303);
      expect(await t.prisma.subscriber.findFirstOrThrow({ where: { email: 'ana@example.com' } })).toMatchObject({ frequency: 'weekly', timezone: 'Europe/Berlin', sendHour: 7, sendWeekday: 5, predictionIds: [predictionId] });
      await checkPage(page, 'digests-setup');
    });

    it('edits a subscriber, and deletes it behind a confirmation', async () => {
      await page.goto('/app/admin/digests');
      await page.getByRole('link', { name: 'Edit ana@example.com' }).click();
      await expect(page.getByLabel(/Time zone/).inputValue()).resolves.toBe('Europe/Berlin');
      await page.getByLabel('Email').fill('not-an-address');
      expect(await submit(page, 'Save subscriber', /\/edit$/)).toBe(400);
      await expect(page.locator('#sub-edit-email-error').textContent()).resolves.toMatch(/Email must be an address/);
      await page.getByLabel('Email').fill('ana.b@example.com');
      await page.getByLabel('Frequency').selectOption('daily');
      await checkPage(page, 'subscriber-edit');
      expect(await submit(page, 'Save subscriber', /\/edit$/)).toBe(303);
      expect(await t.prisma.subscriber.findFirstOrThrow({ where: { email: 'ana.b@example.com' } })).toMatchObject({ frequency: 'daily', sendHour: 7 });

      const before = await count();
      await deleteConfirmed(page, 'ana.b@example.com', /^\/app\/admin\/digests\/[^/]+\/delete$/, 'subscriber-delete-confirm');
      expect(await count()).toBe(before - 1);
    });

    it('refuses a forged post without the form token', async () => {
      const before = await count();
      expect((await page.request.post('/app/admin/digests', { form: { email: 'evil@example.com', frequency: 'daily' } })).status()).toBe(403);
      expect(await count()).toBe(before);
    });
  });
});
