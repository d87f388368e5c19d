/** The part of oidc-provider (which ships no types) the OpenID Connect tests use: a provider run on 127.0.0.1. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Account {
    accountId: string;
    claims(): Record<string, unknown> | Promise<Record<string, unknown>>;
  }

  interface Configuration {
    clients: Record<string, unknown>[];
    claims?: Record<string, string[]>;
    findAccount?(context: unknown, sub: string): Account | undefined | Promise<Account | undefined>;
    cookies?: { keys: string[] };
    /** Lifetimes in seconds, by artifact kind. */
    ttl?: Record<string, number>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
