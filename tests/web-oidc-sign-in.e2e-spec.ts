import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import Provider from 'oidc-provider';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { adminQuery } from '#test/test-database.js';
import { launchChromium, VIEWPORTS } from '#test/web-browser.js';

/** The accounts of the identity provider run here, by login. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean }> = {
  olga: { email: 'Olga@Example.org', email_verified: true },
  unverified: { email: 'olga@example.org', email_verified: false },
  stranger: { email: 'stranger@example.org', email_verified: true },
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * OpenID Connect sign-in against a real OpenID provider (oidc-provider) on 127.0.0.1, in Chromium:
 * discovery, the code flow with PKCE, state and nonce (openid-client); a person is matched by the
 * verified email of the ID token; an unverified or unknown address signs nobody in.
 */
describe('sign-in with OpenID Connect', () => {
  let t: TestApp;
  let idp: Server;
  let browser: Browser;
  let baseUrl: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    idp = createServer();
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'bellwether', client_secret: 'bellwether-secret', redirect_uris: [`${baseUrl}/app/sign-in/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      findAccount: (_context, sub) => (ACCOUNTS[sub] ? { accountId: sub, claims: () => ({ sub, ...ACCOUNTS[sub]! }) } : undefined),
      cookies: { keys: ['bellwether-test-idp'] },
      // Lifetimes of its own (seconds), so the provider does not warn that it runs on its defaults.
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    });
    idp.on('request', provider.callback());
    t = await createTestApp({ queue: 'postgres', env: { PUBLIC_URL: baseUrl, OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'bellwether', OIDC_CLIENT_SECRET: 'bellwether-secret' } });
    await t.app.listen(port, '127.0.0.1');
    browser = await launchChromium();
    await t.http.post('/v1/users').set(auth(t.adminKey)).send({ name: 'Olga Analyst', email: 'olga@example.org', role: 'analyst' }).expect(201);
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    idp?.closeAllConnections();
    await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
  });

  async function signInAtProvider(login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, baseURL: baseUrl });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/app/sign-in');
    await page.getByTestId('oidc-sign-in').click();
    await page.locator('input[name="login"]').waitFor();
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    // Back at Bellwether: the app, or the page that says why not.
    await page.waitForURL((url) => url.href.startsWith(baseUrl), { waitUntil: 'domcontentloaded' });
    return page;
  }

  async function sessions(): Promise<number> {
    return ((await adminQuery(`SELECT count(*)::int AS n FROM "WebSession"`, t.database.url)).rows[0] as { n: number }).n;
  }

  it('signs the invited person in by the verified email of their ID token', async () => {
    const page = await signInAtProvider('olga');
    await page.waitForURL(`${baseUrl}/app`);
    await expect(page.locator('.site-user__name').textContent()).resolves.toContain('Olga Analyst');
  });

  it('refuses an address the provider has not verified, and writes no session', async () => {
    const before = await sessions();
    const page = await signInAtProvider('unverified');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your identity provider did not confirm your email address');
    expect(await sessions()).toBe(before);
  });

  it('refuses a verified address nobody here has, and creates nobody', async () => {
    const before = await sessions();
    const page = await signInAtProvider('stranger');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Nobody here has that address');
    expect(await sessions()).toBe(before);
    const people = await t.http.get('/v1/users').set(auth(t.adminKey));
    expect((people.body.items as { email: string | null }[]).some((user) => user.email === 'stranger@example.org')).toBe(false);
  });

  it('refuses a callback without the state the browser kept', async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    contexts.push(context);
    const page = await context.newPage();
    const answer = await page.goto('/app/sign-in/oidc/callback?code=forged&state=forged');
    expect(answer?.status()).toBe(400);
  });
});
