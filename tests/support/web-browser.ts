import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); Playwright's own download does not work here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'artifacts', 'screenshots');

export const VIEWPORTS = {
  desktop: { width: 1366, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

let axeSource: Promise<string> | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/**
 * Runs axe-core in the page and answers its serious and critical violations. The source is
 * evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(await axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`
    axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((violation) => ({
      id: violation.id, impact: violation.impact, help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => ({ target: node.target, html: node.html.slice(0, 200) })),
    })))`);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** A full-page screenshot at desktop and at phone width, under artifacts/screenshots (git-ignored). */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const [width, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

/** The top of a page at laptop size, small enough to keep in the repository (docs/screenshots is copied from these). */
export async function screenshotForReadme(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  await page.setViewportSize({ width: 1200, height: 760 });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `readme-${name}.png`) });
  if (original) await page.setViewportSize(original);
}

/**
 * What a browser suite does with its pages, against the browser and app its `beforeAll` starts
 * (read when first needed): open a page that collects script errors (`pageErrors`, for the suite to
 * check), sign in with an API key, and check a page (no serious accessibility violation, screenshots
 * at both widths, nothing wider than a phone; with WEB_SHOTS_DIR, viewport-high slices to look at),
 * submit a form, and close it all.
 */
export function browserPages(session: () => { browser: Browser; baseUrl: string }) {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const { browser, baseUrl } = session();
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, baseURL: baseUrl });
    contexts.push(context);
    const created = await context.newPage();
    created.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`${created.url()}: ${message.text()}`);
    });
    created.on('pageerror', (error) => pageErrors.push(`${created.url()}: ${error.message}`));
    return created;
  }

  async function signIn(target: Page, key: string): Promise<void> {
    await target.goto('/app/login');
    await target.getByLabel('API key').fill(key);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.waitForURL(`${session().baseUrl}/app`);
  }

  async function checkPage(target: Page, name: string): Promise<void> {
    // node:assert rather than Jest's expect: this kit is compiled with the build, outside Jest's globals.
    assert.deepEqual(await seriousAccessibilityViolations(target), [], `${name}: serious accessibility violations`);
    await screenshotBothWidths(target, name);
    // Nothing wider than a phone: the page scrolls down, never sideways.
    const original = target.viewportSize();
    await target.setViewportSize(VIEWPORTS.phone);
    const scrollWidth = Number(await target.evaluate('document.documentElement.scrollWidth'));
    assert.ok(scrollWidth <= VIEWPORTS.phone.width, `${name}: ${scrollWidth}px wide on a ${VIEWPORTS.phone.width}px phone`);
    if (process.env.WEB_SHOTS_DIR) await screenshotSlices(target, join(process.env.WEB_SHOTS_DIR, name));
    if (original) await target.setViewportSize(original);
  }

  /** A new page signed in with `key`, waiting at most 10 s for anything (the suite's main page). */
  async function signedInPage(key: string): Promise<Page> {
    const created = await newPage();
    created.setDefaultTimeout(10_000);
    await signIn(created, key);
    return created;
  }

  /** Fails on any script error a page logged since the last check (for the suite's afterEach), and forgets them. */
  function assertNoPageErrors(): void {
    assert.deepEqual(pageErrors.splice(0), [], 'script errors on the pages');
  }

  /** Submits a form by its button and answers the status of the response the browser lands on. */
  async function submit(target: Page, button: string | RegExp, path: RegExp): Promise<number> {
    const [response] = await Promise.all([
      target.waitForResponse((each) => each.request().method() === 'POST' && path.test(new URL(each.url()).pathname)),
      target.getByRole('button', { name: button }).first().click(),
    ]);
    await target.waitForLoadState();
    return response.status();
  }

  /** Closes every page's context and the browser (for the suite's afterAll; safe when beforeAll stopped early). */
  async function close(): Promise<void> {
    for (const context of contexts.splice(0)) await context.close();
    await (session() as { browser?: Browser }).browser?.close();
  }

  return { pageErrors, newPage, signIn, signedInPage, assertNoPageErrors, checkPage, submit, close };
}

/** The page in viewport-high slices at phone and desktop width, to look at (WEB_SHOTS_DIR). */
async function screenshotSlices(target: Page, prefix: string): Promise<void> {
  await mkdir(dirname(prefix), { recursive: true });
  for (const [width, viewport] of Object.entries(VIEWPORTS)) {
    await target.setViewportSize(viewport);
    const height = Number(await target.evaluate('document.documentElement.scrollHeight'));
    for (let y = 0, slice = 1; y < height && slice <= 6; y += viewport.height * 1.5, slice += 1) {
      await target.screenshot({ path: `${prefix}-${width}-${slice}.png`, fullPage: true, clip: { x: 0, y, width: viewport.width, height: Math.min(viewport.height * 1.5, height - y) } });
    }
  }
  await target.setViewportSize(VIEWPORTS.phone);
}
