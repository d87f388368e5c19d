import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

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

  /** Where people reach this deployment: the base of unsubscribe links in digests. Default http://localhost:PORT. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL?: string;

  /** The From of digest emails. */
  @IsString()
  MAIL_FROM = 'Bellwether <digest@bellwether.invalid>';

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

  get databaseKind(): 'postgres' | 'pglite' {
    return this.DATABASE_URL ? 'postgres' : 'pglite';
  }

  get queueBackend(): 'redis' | 'postgres' {
    return this.REDIS_URL ? 'redis' : 'postgres';
  }

  get publicUrl(): string {
    return (this.PUBLIC_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
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
  'LOG_LEVEL', 'OUTBOUND_ALLOWLIST', 'SMTP_URL', 'SEED', 'SCHEDULERS', 'SCHEDULER_REASSERT_SECONDS', 'SCHEDULER_LATE_AFTER_SECONDS', 'SHUTDOWN_GRACE_SECONDS', 'AUDIT_SIGNING_KEY',
  'OUTBOX_RELAY_INTERVAL_MS', 'WEBHOOK_RETRY_SCHEDULE', 'WEBHOOK_DISABLE_AFTER_DAYS', 'WEBHOOK_REQUEUE_AFTER_SECONDS',
  'PUBLIC_URL', 'MAIL_FROM', 'DIGEST_SEND_EMPTY', 'RATE_LIMIT_WINDOW_SECONDS', 'RATE_LIMIT_PER_KEY', 'RATE_LIMIT_PER_ADDRESS', 'FORECAST_DIVERGENCE_POINTS', 'LOG_FORMAT',
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
