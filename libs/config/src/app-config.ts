import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

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

  get databaseKind(): 'postgres' | 'pglite' {
    return this.DATABASE_URL ? 'postgres' : 'pglite';
  }

  get queueBackend(): 'redis' | 'postgres' {
    return this.REDIS_URL ? 'redis' : 'postgres';
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
  'LOG_LEVEL', 'OUTBOUND_ALLOWLIST', 'SMTP_URL', 'SEED', 'SCHEDULERS',
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
