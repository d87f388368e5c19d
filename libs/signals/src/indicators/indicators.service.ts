import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError } from '#core';
import { isUniqueViolation, pageQuery, PrismaService, recordReference, toPage, type Indicator, type Page, type PageRequest } from '#db';

export interface NewIndicator {
  slug: string;
  name: string;
  description: string;
  unit: string;
}

/** What an edit may change: never the slug, which sources, rules and links name it by. */
export type IndicatorEdit = Partial<Omit<NewIndicator, 'slug'>>;

@Injectable()
export class IndicatorsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(request: PageRequest): Promise<Page<Indicator>> {
    return toPage(await this.prisma.indicator.findMany(pageQuery(request)), request.limit);
  }

  /** Indicators are addressable by id or by slug. */
  async get(idOrSlug: string, field = 'idOrSlug'): Promise<Indicator> {
    const indicator = await this.prisma.indicator.findUnique({ where: recordReference(idOrSlug) });
    if (!indicator) throw new NotFoundError('Indicator', idOrSlug, field);
    return indicator;
  }

  /** The indicators among `slugs` that exist (in no particular order). */
  async findBySlugs(slugs: readonly string[]): Promise<Indicator[]> {
    return this.prisma.indicator.findMany({ where: { slug: { in: [...slugs] } } });
  }

  async create(input: NewIndicator): Promise<Indicator> {
    try {
      return await this.prisma.indicator.create({ data: input });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'slug-taken', `An indicator with slug "${input.slug}" already exists`, 'slug');
      }
      throw error;
    }
  }

  async update(idOrSlug: string, edit: IndicatorEdit): Promise<Indicator> {
    const data = { name: edit.name, description: edit.description, unit: edit.unit };
    if (Object.values(data).every((value) => value === undefined)) {
      throw new DomainError('invalid', 'nothing-to-update', 'Send at least one of name, description, unit', 'body');
    }
    const indicator = await this.get(idOrSlug);
    return this.prisma.indicator.update({ where: { id: indicator.id }, data });
  }

  /** Adds each link unless one with the same indicator, prediction and threshold exists; never changes an existing one. */
  async addLinksIfMissing(
    links: readonly {
      indicatorId: string;
      predictionId: string;
      threshold: number;
      likelihoodRatioUp: number;
      likelihoodRatioDown: number;
      note?: string;
    }[],
  ): Promise<void> {
    if (links.length > 0) await this.prisma.indicatorLink.createMany({ data: [...links], skipDuplicates: true });
  }
}
