import { createHash, randomBytes } from 'node:crypto';

import { Body, Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';

import { normaliseEmail, OidcSignInService, SignInLinksService, WebSessionsService, WEB_SESSION_TTL_MS, type OidcPending, type OidcRefusal, type SignInLinkRefusal } from '#auth';
import { AppConfig } from '#config';
import { PeopleMailService } from '#notify';

import { clientAddress } from '../http/rate-limit/rate-limit.guard.js';
import { RateLimitStorage } from '../http/rate-limit/rate-limit-storage.js';
import { pageContext } from './web-page-context.js';
import { LoginForm, LogoutForm } from './web-forms.dto.js';
import { MailSignInForm } from './web-people-forms.dto.js';
import { WebPages, WebSignInPages } from './web-page.decorator.js';
import { safeEqual, SESSION_COOKIE, type WebRequest } from './web-session.guard.js';

/** The sign-in forms' own token (double submit: a cookie and the same value in the form), before there is a session. */
const LOGIN_CSRF_COOKIE = 'bw_login_csrf';
/** The nonce of the browser that asked for a sign-in link: the link works only where this cookie is. */
const SIGN_IN_NONCE_COOKIE = 'bw_sign_in_nonce';
const SIGN_IN_PATH = '/app/sign-in';
/** State, nonce and PKCE verifier of an OpenID Connect sign-in under way (HttpOnly, for the callback only). */
const OIDC_COOKIE = 'bw_oidc';
const OIDC_COOKIE_PATH = '/app/sign-in/oidc';
const OIDC_PENDING_MS = 10 * 60_000;

const OIDC_REFUSALS: Record<OidcRefusal, { status: number; title: string; detail: string }> = {
  failed: { status: 400, title: 'Signing in with your identity provider did not work', detail: 'The answer from the identity provider could not be checked, or the sign-in took too long. Try again.' },
  'unverified-email': { status: 403, title: 'Your identity provider did not confirm your email address', detail: 'Bellwether matches people by a verified address. Ask your identity provider’s admin, or sign in by a mailed link.' },
  'unknown-person': { status: 403, title: 'Nobody here has that address', detail: 'Ask an admin of this Bellwether to invite the address your identity provider gives.' },
};

function readPending(value: string | undefined): OidcPending | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<OidcPending>;
    return typeof parsed.state === 'string' && typeof parsed.nonce === 'string' && typeof parsed.codeVerifier === 'string'
      ? { state: parsed.state, nonce: parsed.nonce, codeVerifier: parsed.codeVerifier }
      : null;
  } catch {
    return null;
  }
}

/** Behind HTTPS (directly or through a proxy that says so), cookies are Secure. */
function cookieOptions(request: Request, path: string, maxAge?: number): CookieOptions {
  const secure = request.secure || request.headers['x-forwarded-proto'] === 'https';
  return { httpOnly: true, sameSite: 'lax', secure, path, ...(maxAge === undefined ? {} : { maxAge }) };
}

/** Only somewhere inside the app, never another site. */
function localNext(next: string | undefined): string {
  return next && /^\/app(\/[^/\\]|\/?$|\?)/.test(next) && !next.includes('//') ? next : '/app';
}

function cookie(request: Request, name: string): string | undefined {
  const value = (request.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** What a refused link's page says; none of them says whether an address exists. */
const REFUSALS: Record<SignInLinkRefusal, { status: number; title: string; detail: string }> = {
  unknown: { status: 400, title: 'This sign-in link does not work', detail: 'The link is not one we sent, or it was cut short by the mail program. Ask for a new one.' },
  used: { status: 410, title: 'This sign-in link was used already', detail: 'Each link signs in once. If that was not you, ask for a new link and tell an admin.' },
  expired: { status: 410, title: 'This sign-in link has expired', detail: 'Links work for a few minutes only. Ask for a new one.' },
  'other-browser': {
    status: 403,
    title: 'Open the link in the browser where you asked for it',
    detail: 'A sign-in link only works in the browser that asked for it. Open it there, or ask for a new link in this browser.',
  },
  disabled: { status: 403, title: 'This sign-in link does not work', detail: 'Ask an admin of this Bellwether for access.' },
};

/**
 * Signing in: with an API key (`/app/login`), or by a one-time link mailed to a person's address
 * (`/app/sign-in`): the link expires in SIGN_IN_LINK_MINUTES, works once, works only in the browser
 * that asked (a nonce cookie), and requests are rate-limited per client address and per email.
 * The page after asking is the same whether or not the address belongs to someone.
 */
@WebSignInPages()
@Controller('app')
export class WebSignInController {
  private readonly logger = new Logger(WebSignInController.name);

  constructor(
    private readonly sessions: WebSessionsService,
    private readonly links: SignInLinksService,
    private readonly mail: PeopleMailService,
    private readonly rateLimits: RateLimitStorage,
    private readonly config: AppConfig,
    private readonly oidc: OidcSignInService,
  ) {}

  /** Off to the identity provider, with state, nonce and a PKCE challenge. */
  @Get('sign-in/oidc')
  async beginOidc(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    if (!this.oidc.enabled) {
      response.redirect(303, SIGN_IN_PATH);
      return;
    }
    const { url, pending } = await this.oidc.begin();
    response.cookie(OIDC_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), cookieOptions(request, OIDC_COOKIE_PATH, OIDC_PENDING_MS));
    response.redirect(303, url);
  }

  /** Back from the identity provider: a session for the person with the verified address, or a page that says why not. */
  @Get('sign-in/oidc/callback')
  async completeOidc(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const pending = readPending(cookie(request, OIDC_COOKIE));
    response.clearCookie(OIDC_COOKIE, cookieOptions(request, OIDC_COOKIE_PATH));
    const outcome = this.oidc.enabled ? await this.oidc.complete(new URL(request.originalUrl, this.config.publicUrl), pending) : ({ ok: false, reason: 'failed' } as const);
    if (!outcome.ok) {
      const refusal = OIDC_REFUSALS[outcome.reason];
      response.status(refusal.status).render('sign-in-link', { ...pageContext(request, refusal.title), refusal, reason: outcome.reason });
      return;
    }
    response.cookie(SESSION_COOKIE, outcome.token, cookieOptions(request, '/app', WEB_SESSION_TTL_MS));
    response.redirect(303, '/app');
  }

  @Get('login')
  async loginPage(@Req() request: WebRequest, @Res() response: Response, @Query('next') next?: string): Promise<void> {
    await this.signInPage(request, response, next);
  }

  @Get('sign-in')
  async signInPage(@Req() request: WebRequest, @Res() response: Response, @Query('next') next?: string): Promise<void> {
    const token = cookie(request, SESSION_COOKIE);
    if (token && (await this.sessions.find(token))) {
      response.redirect(303, localNext(next));
      return;
    }
    this.renderLogin(request, response, 200, localNext(next), null);
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() form: LoginForm, @Req() request: WebRequest, @Res() response: Response): Promise<void> {
    if (!this.formTokenOk(request, form._csrf)) {
      this.renderLogin(request, response, 403, localNext(form.next), 'The sign-in form expired. Please try again.');
      return;
    }
    const signedIn = await this.sessions.signIn(form.key.trim());
    if (!signedIn) {
      this.renderLogin(request, response, 401, localNext(form.next), 'That API key is unknown or revoked.');
      return;
    }
    response.clearCookie(LOGIN_CSRF_COOKIE, cookieOptions(request, '/app'));
    response.cookie(SESSION_COOKIE, signedIn.token, cookieOptions(request, '/app', WEB_SESSION_TTL_MS));
    response.redirect(303, localNext(form.next));
  }

  /** Mails a sign-in link if the address is an enabled person's; answers the same page either way. */
  @Post('sign-in')
  @HttpCode(200)
  async requestLink(@Body() form: MailSignInForm, @Req() request: WebRequest, @Res() response: Response): Promise<void> {
    if (!this.formTokenOk(request, form._csrf)) {
      this.renderLogin(request, response, 403, '/app', 'The sign-in form expired. Please try again.');
      return;
    }
    const email = normaliseEmail(form.email);
    const limited = await this.overLimit(request, email);
    if (limited) {
      response.setHeader('Retry-After', String(limited.retryAfterSeconds));
      this.renderLogin(request, response, 429, '/app', `Too many sign-in links asked ${limited.whose}. Try again in ${Math.ceil(limited.retryAfterSeconds / 60)} minutes.`);
      return;
    }
    // One nonce per browser: every link it asks for works in it.
    const nonce = cookie(request, SIGN_IN_NONCE_COOKIE) ?? this.links.newNonce();
    const minutes = this.config.SIGN_IN_LINK_MINUTES;
    response.cookie(SIGN_IN_NONCE_COOKIE, nonce, cookieOptions(request, SIGN_IN_PATH, minutes * 60_000));
    const issued = await this.links.issue(email, nonce);
    if (issued) {
      await this.mail.sendSignInLink({ name: issued.user.name, email: issued.user.email! }, issued.token, minutes).catch((error: unknown) => {
        // Said in the log, not on the page: the page must read the same for every address.
        this.logger.error({ userId: issued.user.id, err: error }, 'The sign-in link could not be mailed');
      });
    }
    response.status(200).render('sign-in-sent', { ...pageContext(request, 'Check your mail'), email, minutes });
  }

  /** The mailed link: signs this browser in if it is the one that asked, once, in time. */
  @Get('sign-in/link')
  async redeem(@Req() request: WebRequest, @Res() response: Response, @Query('token') token?: string): Promise<void> {
    const outcome = await this.links.redeem(typeof token === 'string' ? token : '', cookie(request, SIGN_IN_NONCE_COOKIE));
    if (!outcome.ok) {
      const refusal = REFUSALS[outcome.reason];
      response.status(refusal.status).render('sign-in-link', { ...pageContext(request, refusal.title), refusal, reason: outcome.reason });
      return;
    }
    response.clearCookie(SIGN_IN_NONCE_COOKIE, cookieOptions(request, SIGN_IN_PATH));
    response.cookie(SESSION_COOKIE, outcome.token, cookieOptions(request, '/app', WEB_SESSION_TTL_MS));
    response.redirect(303, '/app');
  }

  private formTokenOk(request: Request, sent: string): boolean {
    const expected = cookie(request, LOGIN_CSRF_COOKIE);
    return typeof expected === 'string' && safeEqual(expected, sent);
  }

  /** Per client address and per email (counted for every address, known or not, so the limit says nothing either). */
  private async overLimit(request: Request, email: string): Promise<{ whose: string; retryAfterSeconds: number } | null> {
    const limits = [
      { key: `sign-in:address:${clientAddress(request.ip)}`, limit: this.config.SIGN_IN_LINKS_PER_ADDRESS, whose: 'from this network' },
      { key: `sign-in:email:${createHash('sha256').update(email).digest('hex')}`, limit: this.config.SIGN_IN_LINKS_PER_EMAIL, whose: 'for this address' },
    ].filter((limit) => limit.limit > 0);
    const counted = await this.rateLimits.hit(
      limits.map((limit) => limit.key),
      this.config.SIGN_IN_LINK_MINUTES * 60_000,
    );
    for (const [index, limit] of limits.entries()) {
      const { hits, resetInMs } = counted[index]!;
      if (hits > limit.limit) return { whose: limit.whose, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
    }
    return null;
  }

  private renderLogin(request: Request, response: Response, status: number, next: string, error: string | null): void {
    const csrf = randomBytes(24).toString('base64url');
    response.cookie(LOGIN_CSRF_COOKIE, csrf, { ...cookieOptions(request, '/app'), sameSite: 'strict' });
    response.status(status).render('login', { ...pageContext(request, 'Sign in'), loginCsrf: csrf, next, error, minutes: this.config.SIGN_IN_LINK_MINUTES, oidc: this.oidc.enabled });
  }
}

@WebPages()
@Controller('app')
export class WebSignOutController {
  constructor(private readonly sessions: WebSessionsService) {}

  @Post('logout')
  async logout(@Body() _form: LogoutForm, @Req() request: WebRequest, @Res() response: Response): Promise<void> {
    await this.sessions.signOut(String((request.cookies as Record<string, unknown>)[SESSION_COOKIE]));
    response.clearCookie(SESSION_COOKIE, cookieOptions(request, '/app'));
    response.redirect(303, '/app/login');
  }
}
