import { randomBytes } from 'node:crypto';

import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';

import { WebSessionsService, WEB_SESSION_TTL_MS } from '#auth';

import { pageContext } from './web-page-context.js';
import { LoginForm, LogoutForm } from './web-forms.dto.js';
import { WebPages, WebSignInPages } from './web-page.decorator.js';
import { safeEqual, SESSION_COOKIE, type WebRequest } from './web-session.guard.js';

/** The sign-in form's own token (double submit: a cookie and the same value in the form), before there is a session. */
const LOGIN_CSRF_COOKIE = 'bw_login_csrf';

/** Behind HTTPS (directly or through a proxy that says so), cookies are Secure. */
function cookieOptions(request: Request, path: string, maxAge?: number): CookieOptions {
  const secure = request.secure || request.headers['x-forwarded-proto'] === 'https';
  return { httpOnly: true, sameSite: 'lax', secure, path, ...(maxAge === undefined ? {} : { maxAge }) };
}

/** Only somewhere inside the app, never another site. */
function localNext(next: string | undefined): string {
  return next && /^\/app(\/[^/\\]|\/?$|\?)/.test(next) && !next.includes('//') ? next : '/app';
}

@WebSignInPages()
@Controller('app')
export class WebSignInController {
  constructor(private readonly sessions: WebSessionsService) {}

  @Get('login')
  async loginPage(@Req() request: WebRequest, @Res() response: Response, @Query('next') next?: string): Promise<void> {
    const token = (request.cookies as Record<string, unknown>)[SESSION_COOKIE];
    if (typeof token === 'string' && (await this.sessions.find(token))) {
      response.redirect(303, localNext(next));
      return;
    }
    this.renderLogin(request, response, 200, localNext(next), null);
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() form: LoginForm, @Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const expected = (request.cookies as Record<string, unknown>)[LOGIN_CSRF_COOKIE];
    if (typeof expected !== 'string' || !safeEqual(expected, form._csrf)) {
      this.renderLogin(request, response, 403, localNext(form.next), 'The sign-in form expired. Please try again.');
      return;
    }
    const signedIn = await this.sessions.signIn(form.key.trim());
    if (!signedIn) {
      this.renderLogin(request, response, 401, localNext(form.next), 'That API key is unknown or revoked.');
      return;
    }
    response.clearCookie(LOGIN_CSRF_COOKIE, cookieOptions(request, '/app/login'));
    response.cookie(SESSION_COOKIE, signedIn.token, cookieOptions(request, '/app', WEB_SESSION_TTL_MS));
    response.redirect(303, localNext(form.next));
  }

  private renderLogin(request: Request, response: Response, status: number, next: string, error: string | null): void {
    const csrf = randomBytes(24).toString('base64url');
    response.cookie(LOGIN_CSRF_COOKIE, csrf, { ...cookieOptions(request, '/app/login'), sameSite: 'strict' });
    response.status(status).render('login', { ...pageContext(request, 'Sign in'), loginCsrf: csrf, next, error });
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
