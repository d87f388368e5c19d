import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError, type TermSets } from '#core';
import { isUniqueViolation, type Page, pageQuery, type PageRequest, PrismaService, type TermSet, type TermSetRevision, toPage, WriteTransactions } from '#db';

/** A term set as a writer gives it. */
export interface TermSetContent {
  name: string;
  description: string;
  terms: readonly string[];
}

/** Who wrote a term set's current version when the seed did: a later seed may improve such a set. */
export const SEED_TERM_SET_ACTOR = 'system:seed';

/**
 * The one way into the TermSet and TermSetRevision tables. Every write of a
 * set writes its revision in the same transaction: version 1 at creation, and
 * the next version on each change, so every version ever used stays readable.
 */
@Injectable()
export class TermSetsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: WriteTransactions,
  ) {}

  /** Every set, name to terms: what rule queries compile with. */
  async termSets(): Promise<TermSets> {
    const rows = await this.prisma.termSet.findMany({ select: { name: true, terms: true } });
    return new Map(rows.map((row) => [row.name, row.terms]));
  }

  /** What changes whenever a set is created, changed or deleted: readers of the sets compiled once keep them until it does. */
  async fingerprint(): Promise<string> {
    const [row] = await this.prisma.$queryRaw<{ count: number; versions: number; latest: Date | null }[]>`
      SELECT count(*)::int AS count, coalesce(sum("version"), 0)::int AS versions, max("updatedAt") AS latest FROM "TermSet"`;
    return `${row?.count ?? 0}:${row?.versions ?? 0}:${row?.latest?.toISOString() ?? ''}`;
  }

  async list(request: PageRequest): Promise<Page<TermSet>> {
    return toPage(await this.prisma.termSet.findMany(pageQuery(request)), request.limit);
  }

  async get(name: string): Promise<TermSet> {
    const set = await this.prisma.termSet.findUnique({ where: { name } });
    if (!set) throw new NotFoundError('Term set', name, 'name');
    return set;
  }

  async create(content: TermSetContent, actor: string): Promise<TermSet> {
    try {
      return await this.transactions.run(async (tx) => {
        const created = await tx.termSet.create({
          data: { name: content.name, description: content.description, terms: [...content.terms], updatedBy: actor },
        });
        await tx.termSetRevision.create({
          data: { termSetId: created.id, version: 1, terms: [...content.terms], description: content.description, editedBy: actor },
        });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'term-set-name-taken', `A term set named "${content.name}" already exists`, 'name');
      throw error;
    }
  }

  /**
   * Writes the next version of a set (its row locked, so two concurrent
   * changes make two versions, one after the other). `onlyIfWrittenBy`
   * leaves a set alone whose current version someone else wrote: answers null.
   */
  async update(name: string, next: { description: string; terms: readonly string[] }, actor: string, onlyIfWrittenBy?: string): Promise<TermSet | null> {
    return this.transactions.run(async (tx) => {
      const [locked] = await tx.$queryRaw<{ id: string; version: number; updatedBy: string }[]>`
        SELECT "id", "version", "updatedBy" FROM "TermSet" WHERE "name" = ${name} FOR UPDATE`;
      if (!locked) throw new NotFoundError('Term set', name, 'name');
      if (onlyIfWrittenBy !== undefined && locked.updatedBy !== onlyIfWrittenBy) return null;
      const version = locked.version + 1;
      await tx.termSetRevision.create({ data: { termSetId: locked.id, version, terms: [...next.terms], description: next.description, editedBy: actor } });
      return tx.termSet.update({ where: { id: locked.id }, data: { description: next.description, terms: [...next.terms], version, updatedBy: actor } });
    });
  }

  async delete(name: string): Promise<void> {
    const { count } = await this.prisma.termSet.deleteMany({ where: { name } });
    if (count === 0) throw new NotFoundError('Term set', name, 'name');
  }

  /** Every version of a set, oldest first. */
  async revisions(name: string): Promise<TermSetRevision[]> {
    const set = await this.get(name);
    return this.prisma.termSetRevision.findMany({ where: { termSetId: set.id }, orderBy: { version: 'asc' } });
  }

  /** The stored sets among these names, with who wrote them, for the seed. */
  async findByNames(names: readonly string[]): Promise<Pick<TermSet, 'name' | 'description' | 'terms' | 'updatedBy'>[]> {
    return this.prisma.termSet.findMany({ where: { name: { in: [...names] } }, select: { name: true, description: true, terms: true, updatedBy: true } });
  }
}
