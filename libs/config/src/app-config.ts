import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A From no mail server will vouch for: set MAIL_FROM to an address of your domain. */
export const DEFAULT_MAIL_FROM = 'Bellwether <digest@bellwether.invalid>';

/**
 * The whole environment Bellwether reads, validated once at start-up. Nothing
 * else in the code reads `process.env`: everything gets this object injected.
 */
export class AppConfig {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** PostgreSQL server; unset means the embedded PGlite database under DATA_DIR. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** Redis for BullMQ; unset means BullMQ's PostgreSQL backend on the database. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Namespace of every BullMQ key in Redis, so several deployments can share one Redis. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'QUEUE_PREFIX may hold letters, digits, _ and -' })
  QUEUE_PREFIX = 'bellwether';

  @IsString()
  DATA_DIR = './data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^bw_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}$/, {
    message: 'BOOTSTRAP_ADMIN_KEY must look like bw_<8 letters or digits>_<at least 20 characters>',
  })
  BOOTSTRAP_ADMIN_KEY?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** `pretty` (coloured lines) or `json` (one JSON object a line); unset: pretty when stdout is a terminal, JSON otherwise. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['pretty', 'json'])
  LOG_FORMAT?: 'pretty' | 'json';

  /** Comma-separated hosts or CIDRs that outbound fetches may reach although private or loopback. */
  @IsString()
  OUTBOUND_ALLOWLIST = '';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** Seed the analysis's predictions, indicators and rules at start-up (idempotent). */
  @IsIn(['true', 'false'])
  SEED = 'true';

  /**
   * Load the demo's year of evidence, readings, forecasts and resolutions into an empty instance at
   * start-up (`npm run demo`, on its own data directory); an instance that holds data is left alone.
   */
  @IsIn(['true', 'false'])
  DEMO = 'false';

  /**
   * Group signal items that report one event into stories as they are stored (docs/rules-and-search.md#stories).
   * `false`: every item is a story of its own (for measuring what grouping costs).
   */
  @IsIn(['true', 'false'])
  STORY_GROUPING = 'true';

  /** Run the recurring job schedulers (the worker side). */
  @IsIn(['true', 'false'])
  SCHEDULERS = 'true';

  /**
   * The Ed25519 key that signs audit checkpoints: a PKCS#8 PEM, or its DER in base64. Unset: a key
   * generated on first start and kept in DATA_DIR/audit-signing-key.pem (set it in queue mode so every
   * process signs with the same key). Keep it outside the database: that is what it protects against.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AUDIT_SIGNING_KEY?: string;

  /**
   * To rotate a configured key: the key in use until now (PEM, or base64 DER), beside the new one in
   * AUDIT_SIGNING_KEY. The first process to start with both records the rotation, each key endorsing the other.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AUDIT_PREVIOUS_SIGNING_KEY?: string;

  /** How often each worker puts the job schedulers back in place (an emptied Redis is repaired within this), in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  SCHEDULER_REASSERT_SECONDS = 60;

  /** A scheduler whose run is this many seconds overdue makes /health/ready degraded and is announced as stalled. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SCHEDULER_LATE_AFTER_SECONDS = 180;

  /**
   * How long a stop (SIGTERM, SIGINT) may take: jobs in flight finish and
   * connections close; past this the process exits anyway, with code 1 (a
   * queue whose Redis is down never closes). Below an orchestrator's own grace
   * period (Kubernetes: 30 s).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SHUTDOWN_GRACE_SECONDS = 25;

  /** How often each worker's outbox relay claims undispatched events, in milliseconds. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  OUTBOX_RELAY_INTERVAL_MS = 1000;

  /** Waits between webhook attempts after the first, e.g. `5s,5m,30m,2h`; once all are used the delivery is exhausted. */
  @Matches(/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*(,\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*)*$/, {
    message: 'WEBHOOK_RETRY_SCHEDULE must be comma-separated durations such as 5s,5m,30m,2h',
  })
  WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

  /** An endpoint failing this long without a success is disabled (days; fractions allowed). */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value))
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  WEBHOOK_DISABLE_AFTER_DAYS = 5;

  /** A pending delivery whose attempt is this overdue is enqueued again (its job was lost with Redis, or never made it there). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WEBHOOK_REQUEUE_AFTER_SECONDS = 60;

  /**
   * Where people reach this deployment: the base of every link in messages (digest items, webhook
   * payloads, Slack, unsubscribe links) and of WebSub callbacks. Default http://localhost:PORT.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL?: string;

  /** The From of digest emails. */
  @IsString()
  MAIL_FROM = DEFAULT_MAIL_FROM;

  /** The model and the team forecast more than this many percentage points apart is announced as prediction.forecasts_diverge. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(99)
  FORECAST_DIVERGENCE_POINTS = 20;

  /** Send a digest even when nothing happened in its period. */
  @IsIn(['true', 'false'])
  DIGEST_SEND_EMPTY = 'false';

  /** Rate limits count requests in windows of this many seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Requests one API key may make per window, over all routes; 0 turns the limit off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_KEY = 6000;

  /** Requests one client address may make per window (with a key or without); 0 turns the limit off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_ADDRESS = 12000;

  /** How long a mailed sign-in link works, in minutes. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60)
  SIGN_IN_LINK_MINUTES = 15;

  /** Sign-in links one address (email) may be sent per SIGN_IN_LINK_MINUTES, and one client address may ask for; 0 turns a limit off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SIGN_IN_LINKS_PER_EMAIL = 5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  SIGN_IN_LINKS_PER_ADDRESS = 20;

  /** OpenID Connect sign-in: the identity provider's issuer URL (discovery at /.well-known/openid-configuration); unset: off. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'OIDC_ISSUER must be an http(s) URL' })
  OIDC_ISSUER?: string;

  @IsOptional()
  @IsString()
  OIDC_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  OIDC_CLIENT_SECRET?: string;

  get databaseKind(): 'postgres' | 'pglite' {
    return this.DATABASE_URL ? 'postgres' : 'pglite';
  }

  get queueBackend(): 'redis' | 'postgres' {
    return this.REDIS_URL ? 'redis' : 'postgres';
  }

  get publicUrl(): string {
    return (this.PUBLIC_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }

  /** What an unset or plain-http PUBLIC_URL breaks, said at start-up; null when it is an https URL. */
  get publicUrlWarning(): string | null {
    if (!this.PUBLIC_URL) {
      return 'PUBLIC_URL is unset: links in digests, webhooks and Slack point at localhost, which only this machine reaches, and one-click unsubscribe (RFC 8058) needs HTTPS';
    }
    if (this.PUBLIC_URL.startsWith('http://')) {
      return 'PUBLIC_URL is plain http: mail clients refuse one-click unsubscribe (RFC 8058) without HTTPS, and links in mail go out unencrypted';
    }
    return null;
  }

  /** What an unset MAIL_FROM means for digests, said at start-up; null when it is set. */
  get mailFromWarning(): string | null {
    return this.MAIL_FROM === DEFAULT_MAIL_FROM ? `MAIL_FROM is unset: digests come from ${DEFAULT_MAIL_FROM}, which mail servers may reject as spam` : null;
  }
}

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidConfigError';
  }
}

const CONFIG_KEYS = [
  'PORT', 'HOST', 'DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'DATA_DIR', 'BOOTSTRAP_ADMIN_KEY',
  'LOG_LEVEL', 'OUTBOUND_ALLOWLIST', 'SMTP_URL', 'SEED', 'DEMO', 'STORY_GROUPING', 'SCHEDULERS', 'SCHEDULER_REASSERT_SECONDS', 'SCHEDULER_LATE_AFTER_SECONDS', 'SHUTDOWN_GRACE_SECONDS', 'AUDIT_SIGNING_KEY', 'AUDIT_PREVIOUS_SIGNING_KEY',
  'OUTBOX_RELAY_INTERVAL_MS', 'WEBHOOK_RETRY_SCHEDULE', 'WEBHOOK_DISABLE_AFTER_DAYS', 'WEBHOOK_REQUEUE_AFTER_SECONDS',
  'PUBLIC_URL', 'MAIL_FROM', 'DIGEST_SEND_EMPTY', 'RATE_LIMIT_WINDOW_SECONDS', 'RATE_LIMIT_PER_KEY', 'RATE_LIMIT_PER_ADDRESS', 'FORECAST_DIVERGENCE_POINTS', 'LOG_FORMAT',
  'SIGN_IN_LINK_MINUTES', 'SIGN_IN_LINKS_PER_EMAIL', 'SIGN_IN_LINKS_PER_ADDRESS', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET',
] as const satisfies readonly (keyof AppConfig)[];

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => value !== undefined && (CONFIG_KEYS as readonly string[]).includes(key)),
  );
  const config = plainToInstance(AppConfig, relevant);
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new InvalidConfigError(
      errors.flatMap((error) => Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`)),
    );
  }
  return config;
}
