import type { PrismaService } from '#db';

import type { HostSlotAttempt, HostSlotStore } from './host-slot-store.js';

/**
 * Postgres-only mode: a host's slots are rows of HostFetchSlot, taken by the
 * SQL function acquire_host_fetch_slot (one round trip, serialised per host);
 * a killed worker's rows lapse with their lease.
 */
export class PostgresHostSlotStore implements HostSlotStore {
  readonly scope = 'postgres' as const;

  constructor(private readonly prisma: PrismaService) {}

  async tryAcquire(host: string, token: string, limit: number, leaseMs: number): Promise<HostSlotAttempt> {
    const rows = await this.prisma.$queryRaw<{ acquired: boolean; blocked_until_ms: bigint | null }[]>`
      SELECT acquired, blocked_until_ms FROM acquire_host_fetch_slot(${host}, ${token}, ${limit}::int, ${Math.round(leaseMs)}::int)`;
    const row = rows[0];
    if (row?.acquired) return { acquired: true };
    return { acquired: false, backingOffUntil: row?.blocked_until_ms == null ? null : Number(row.blocked_until_ms) };
  }

  async release(host: string, token: string): Promise<void> {
    await this.prisma.hostFetchSlot.deleteMany({ where: { host, token } });
  }

  async backOff(host: string, delayMs: number): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO "HostFetchBackoff" ("host", "blockedUntil")
      VALUES (${host}, (clock_timestamp() AT TIME ZONE 'UTC') + ${Math.round(delayMs)}::int * interval '1 millisecond')
      ON CONFLICT ("host") DO UPDATE SET "blockedUntil" = GREATEST("HostFetchBackoff"."blockedUntil", EXCLUDED."blockedUntil")`;
  }

  async inUse(): Promise<Map<string, number>> {
    const rows = await this.prisma.$queryRaw<{ host: string; held: number }[]>`
      SELECT "host", count(*)::int AS held FROM "HostFetchSlot" WHERE "expiresAt" > (clock_timestamp() AT TIME ZONE 'UTC') GROUP BY "host"`;
    return new Map(rows.map((row) => [row.host, row.held]));
  }
}
