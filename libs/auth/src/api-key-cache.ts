import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';

import { DatabaseConnection, type ApiKeyRole } from '#db';

/** Who a key stands for, as the cache keeps it. */
export interface CachedPrincipal {
  keyId: string;
  userId: string;
  name: string;
  role: ApiKeyRole;
}

/** How long a proven key is trusted without asking the database again. */
export const API_KEY_CACHE_TTL_MS = 30_000;

/** The PostgreSQL channel ApiKeysService.revoke notifies, in the revoking transaction, with the key's id. */
export const API_KEY_REVOKED_CHANNEL = 'bellwether_api_key_revoked';

const RECONNECT_DELAY_MS = 1_000;

interface Entry {
  principal: CachedPrincipal;
  expiresAt: number;
}

/**
 * Proven API keys, kept for API_KEY_CACHE_TTL_MS in this process so a request
 * costs no key lookup. Entries are keyed by the SHA-256 of the token, never the
 * token. A revoke drops the key's entries here at once and, through a
 * PostgreSQL NOTIFY sent on commit, in every other process on the database
 * within moments. With PostgreSQL, the cache is only used while this process
 * listens for those notifications: before the listener is up, or after its
 * connection is lost (when a revoke may have been missed, so everything is
 * dropped), every request is checked against the database. The embedded mode
 * is one process, so it needs no listener.
 */
@Injectable()
export class ApiKeyCache implements OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every drop, so a lookup that raced a revoke does not store what it read before it. */
  private generation = 0;
  private listener: pg.Client | null = null;
  private listening = false;
  private starting: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly connection: DatabaseConnection) {}

  /** Whether the cache may answer: always in the embedded mode, while listening with PostgreSQL. */
  get active(): boolean {
    if (this.connection.kind === 'pglite') return true;
    if (!this.listening && !this.starting && !this.reconnectTimer && !this.closed) this.starting = this.listen();
    return this.listening;
  }

  /** The current generation, to hand back to `set` after a lookup. */
  get mark(): number {
    return this.generation;
  }

  get(tokenHash: string): CachedPrincipal | null {
    if (!this.active) return null;
    const entry = this.entries.get(tokenHash);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(tokenHash);
      return null;
    }
    return entry.principal;
  }

  /** Keeps a principal read from the database, unless a drop happened since `mark` was taken. */
  set(tokenHash: string, principal: CachedPrincipal, mark: number): void {
    if (!this.active || mark !== this.generation) return;
    this.entries.set(tokenHash, { principal, expiresAt: Date.now() + API_KEY_CACHE_TTL_MS });
  }

  /** Forgets every entry of one key (a key has one token, but the cache does not rely on it). */
  drop(keyId: string): void {
    this.generation += 1;
    for (const [tokenHash, entry] of this.entries) {
      if (entry.principal.keyId === keyId) this.entries.delete(tokenHash);
    }
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** Resolves once the listener is connected (or failed to); for start-up and tests. */
  async ready(): Promise<boolean> {
    if (this.connection.kind === 'pglite') return true;
    void this.active;
    await this.starting;
    return this.listening;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.starting;
    this.listening = false;
    this.clear();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connection.url, application_name: 'bellwether-api-key-cache' });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listening = false;
      // A revoke may have been missed while the connection was down.
      this.clear();
      if (error) this.logger.warn(`API key revocation listener lost its connection (${error.message}); keys are checked in the database until it is back`);
      this.scheduleReconnect();
    };
    client.on('error', (error) => lost(error));
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === API_KEY_REVOKED_CHANNEL && message.payload) this.drop(message.payload);
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_REVOKED_CHANNEL}`);
      if (this.closed || this.listener !== client) {
        await client.end().catch(() => undefined);
        return;
      }
      this.clear();
      this.listening = true;
    } catch (error) {
      if (this.listener === client) {
        this.listener = null;
        this.scheduleReconnect();
      }
      await client.end().catch(() => undefined);
      this.logger.debug(`API key revocation listener could not connect: ${(error as Error).message}`);
    } finally {
      this.starting = null;
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed && !this.listening && !this.starting) this.starting = this.listen();
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}
