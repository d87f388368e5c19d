import { Injectable } from '@nestjs/common';

import { DomainError } from '#core';
import type { Prisma, PrismaTransaction } from '#db';
import { keysetPage, type ArchiveColumn, type ArchiveTable } from '#db';

const column = (name: string, type: ArchiveColumn['type'], nullable = false): ArchiveColumn => ({ name, type, nullable });

const INDICATORS: ArchiveTable = {
  name: 'indicators',
  columns: [
    column('id', 'uuid'),
    column('slug', 'text'),
    column('name', 'text'),
    column('description', 'text'),
    column('unit', 'text'),
    column('createdAt', 'date'),
    column('updatedAt', 'date'),
  ],
  page: (db, after, take) => db.indicator.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.indicator.createMany({ data: rows as unknown as Prisma.IndicatorCreateManyInput[] }),
};

const INDICATOR_LINKS: ArchiveTable = {
  name: 'indicatorLinks',
  columns: [
    column('id', 'uuid'),
    column('indicatorId', 'uuid'),
    column('predictionId', 'uuid'),
    column('threshold', 'number'),
    column('likelihoodRatioUp', 'number'),
    column('likelihoodRatioDown', 'number'),
    column('note', 'text', true),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.indicatorLink.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.indicatorLink.createMany({ data: rows as unknown as Prisma.IndicatorLinkCreateManyInput[] }),
};

const READINGS: ArchiveTable = {
  name: 'readings',
  columns: [
    column('id', 'uuid'),
    column('indicatorId', 'uuid'),
    column('value', 'number'),
    column('observedAt', 'date'),
    column('note', 'text', true),
    column('sourceUrl', 'text', true),
    column('sourceId', 'uuid', true),
    column('createdById', 'text', true),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.indicatorReading.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.indicatorReading.createMany({ data: rows as unknown as Prisma.IndicatorReadingCreateManyInput[] }),
};

/**
 * The signals library's share of an export: indicators, their links to
 * predictions and their readings (sources, rules and signal items stay out:
 * they are configuration and intake, not the record).
 */
@Injectable()
export class IndicatorsArchiveService {
  readonly tables: readonly ArchiveTable[] = [INDICATORS, INDICATOR_LINKS, READINGS];

  /** Refuses (409) unless this library's recorded tables are empty; the caller holds the import lock. */
  async assertEmptyForImport(tx: PrismaTransaction): Promise<void> {
    const [indicators, readings] = await Promise.all([tx.indicator.count(), tx.indicatorReading.count()]);
    if (indicators + readings > 0) {
      throw new DomainError('conflict', 'import-target-not-empty', `An import goes into an empty database; this one holds ${indicators} indicator(s)`);
    }
  }
}
