import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';

import { AppConfig } from '#config';

import { UsersService } from './users.service.js';
import { WebSessionsService, type WebSessionView } from './web-sessions.service.js';

/** What the browser keeps (in an HttpOnly cookie) between leaving for the identity provider and coming back. */
export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type OidcRefusal = 'failed' | 'unverified-email' | 'unknown-person';

export type OidcOutcome = { ok: true; token: string; session: WebSessionView } | { ok: false; reason: OidcRefusal };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Sign-in through the team's OpenID Connect provider (OIDC_ISSUER, OIDC_CLIENT_ID,
 * OIDC_CLIENT_SECRET), with openid-client: discovery, the authorization code flow with PKCE (S256),
 * state and nonce, the ID token checked by the library. A person is matched by the email of the ID
 * token (or, where the provider keeps it out of the ID token, of the userinfo answer for the same
 * subject), and only when the provider says it is verified; nobody is created here (admins invite).
 * Plain-http issuers are accepted on a loopback address only (a provider run beside it in tests).
 */
@Injectable()
export class OidcSignInService {
  private readonly logger = new Logger(OidcSignInService.name);
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: WebSessionsService,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.OIDC_ISSUER && this.config.OIDC_CLIENT_ID);
  }

  get redirectUri(): string {
    return `${this.config.publicUrl}/app/sign-in/oidc/callback`;
  }

  /** Where to send the browser, and what it must keep until it comes back. */
  async begin(): Promise<{ url: string; pending: OidcPending }> {
    const configuration = await this.discover();
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** The provider's answer at the callback (`callbackUrl` as the browser requested it), checked against what the browser kept. */
  async complete(callbackUrl: URL, pending: OidcPending | null): Promise<OidcOutcome> {
    if (!pending) return { ok: false, reason: 'failed' };
    let claims: Record<string, unknown> | undefined;
    try {
      const configuration = await this.discover();
      const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      claims = idToken as Record<string, unknown> | undefined;
      // Providers that keep scope claims out of the ID token give them at the userinfo endpoint (for the same subject).
      if (idToken && typeof idToken.email !== 'string') claims = await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
    } catch (error) {
      this.logger.warn({ err: error }, 'OpenID Connect sign-in failed');
      return { ok: false, reason: 'failed' };
    }
    const email = typeof claims?.email === 'string' ? claims.email : null;
    if (!email || claims?.email_verified !== true) return { ok: false, reason: 'unverified-email' };
    const user = await this.users.findActiveByEmail(email);
    if (!user) return { ok: false, reason: 'unknown-person' };
    const opened = await this.sessions.open({ userId: user.id, keyId: null, name: user.name, role: user.role });
    return { ok: true, ...opened };
  }

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const issuer = new URL(this.config.OIDC_ISSUER!);
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      const configuration = await oidc.discovery(
        issuer,
        this.config.OIDC_CLIENT_ID!,
        { redirect_uris: [this.redirectUri] },
        this.config.OIDC_CLIENT_SECRET ? oidc.ClientSecretPost(this.config.OIDC_CLIENT_SECRET) : oidc.None(),
        insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      if (insecure) oidc.allowInsecureRequests(configuration);
      return configuration;
    })().catch((error: unknown) => {
      // Try discovery again on the next sign-in.
      this.configuration = null;
      throw error;
    });
    return this.configuration;
  }
}
