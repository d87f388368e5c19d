import { Injectable } from '@nestjs/common';

import { PrismaService, type Prisma } from '#db';

export interface NewRule {
  name: string;
  allTerms: string[];
  anyTerms: string[];
  noneTerms: string[];
  indicatorId?: string | null;
  impacts: Prisma.InputJsonArray;
  autoAccept?: boolean;
}

@Injectable()
export class RulesService {
  constructor(private readonly prisma: PrismaService) {}

  /** Adds a rule unless one with its name exists; an analyst's edits to it are never overwritten. */
  async addIfMissing(rule: NewRule): Promise<void> {
    await this.prisma.rule.createMany({ data: [rule], skipDuplicates: true });
  }
}
