import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError } from '#core';
import { pageQuery, Prisma, PrismaService, toPage, type Page, type PageRequest, type Rule } from '#db';
import { PredictionsService } from '#predictions';

import { IndicatorsService } from './indicators.service.js';
import { parseRuleImpacts, type RoutableRule, type RuleImpact } from './signal-matches.js';

/** What the seed adds: ids already resolved. */
export interface NewRule {
  name: string;
  allTerms: string[];
  anyTerms: string[];
  noneTerms: string[];
  indicatorId?: string | null;
  impacts: Prisma.InputJsonArray;
  autoAccept?: boolean;
}

/** A rule as an analyst writes it: indicator and predictions by id or slug. */
export interface RuleInput {
  name: string;
  allTerms: string[];
  anyTerms: string[];
  noneTerms: string[];
  sourceIds: string[];
  indicator: string | null;
  impacts: { prediction: string; direction: RuleImpact['direction']; strength: RuleImpact['strength'] }[];
  autoAccept: boolean;
  enabled: boolean;
}

export type RuleChanges = Partial<RuleInput>;

export interface RuleView extends Omit<Rule, 'impacts'> {
  indicator: { id: string; slug: string } | null;
  impacts: RuleImpact[];
}

const RULE_INCLUDE = { indicator: { select: { id: true, slug: true } } } as const;

@Injectable()
export class RulesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly indicators: IndicatorsService,
    private readonly predictions: PredictionsService,
  ) {}

  /** Adds a rule unless one with its name exists; an analyst's edits to it are never overwritten. */
  async addIfMissing(rule: NewRule): Promise<void> {
    await this.prisma.rule.createMany({ data: [rule], skipDuplicates: true });
  }

  async list(request: PageRequest & { enabled?: boolean }): Promise<Page<RuleView>> {
    const query = pageQuery(request);
    const rows = await this.prisma.rule.findMany({
      ...query,
      where: { ...query.where, ...(request.enabled === undefined ? {} : { enabled: request.enabled }) },
      include: RULE_INCLUDE,
    });
    const page = toPage(rows, request.limit);
    return { items: page.items.map(toRuleView), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<RuleView> {
    const rule = await this.prisma.rule.findUnique({ where: { id }, include: RULE_INCLUDE });
    if (!rule) throw new NotFoundError('Rule', id, 'id');
    return toRuleView(rule);
  }

  async create(input: RuleInput): Promise<RuleView> {
    const data = await this.resolve(input);
    return this.uniqueName(input.name, async () =>
      toRuleView(await this.prisma.rule.create({ data, include: RULE_INCLUDE })),
    );
  }

  /** Applies the changes over the stored rule and checks the result as a whole, as if it were created so. */
  async update(id: string, changes: RuleChanges): Promise<RuleView> {
    const current = await this.get(id);
    const merged: RuleInput = {
      name: changes.name ?? current.name,
      allTerms: changes.allTerms ?? current.allTerms,
      anyTerms: changes.anyTerms ?? current.anyTerms,
      noneTerms: changes.noneTerms ?? current.noneTerms,
      sourceIds: changes.sourceIds ?? current.sourceIds,
      indicator: changes.indicator === undefined ? (current.indicator?.id ?? null) : changes.indicator,
      impacts: changes.impacts ?? current.impacts,
      autoAccept: changes.autoAccept ?? current.autoAccept,
      enabled: changes.enabled ?? current.enabled,
    };
    const data = await this.resolve(merged);
    return this.uniqueName(merged.name, async () => {
      try {
        return toRuleView(await this.prisma.rule.update({ where: { id }, data, include: RULE_INCLUDE }));
      } catch (error) {
        // Deleted between the read above and this write.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') throw new NotFoundError('Rule', id, 'id');
        throw error;
      }
    });
  }

  async delete(id: string): Promise<void> {
    const { count } = await this.prisma.rule.deleteMany({ where: { id } });
    if (count === 0) throw new NotFoundError('Rule', id, 'id');
  }

  /** The enabled rules in creation order, with what routing needs to snapshot into an item's matches. */
  async enabledRules(): Promise<RoutableRule[]> {
    const rules = await this.prisma.rule.findMany({ where: { enabled: true }, include: RULE_INCLUDE, orderBy: { id: 'asc' } });
    return rules.map((rule) => {
      const view = toRuleView(rule);
      return {
        id: view.id,
        name: view.name,
        allTerms: view.allTerms,
        anyTerms: view.anyTerms,
        noneTerms: view.noneTerms,
        sourceIds: view.sourceIds,
        autoAccept: view.autoAccept,
        indicator: view.indicator,
        impacts: view.impacts,
      };
    });
  }

  /** Checks the rule makes sense and turns slugs into ids; each problem names the field the client sent. */
  private async resolve(input: RuleInput): Promise<Prisma.RuleUncheckedCreateInput> {
    const terms = (list: string[]): string[] => list.map((term) => term.trim());
    const allTerms = terms(input.allTerms);
    const anyTerms = terms(input.anyTerms);
    const noneTerms = terms(input.noneTerms);
    for (const [field, list] of Object.entries({ allTerms, anyTerms, noneTerms })) {
      const blank = list.findIndex((term) => term.length === 0);
      if (blank >= 0) throw new DomainError('invalid', 'blank-term', `${field}[${blank}] is blank`, `${field}[${blank}]`);
    }
    // matchesRule matches nothing without an all or any term; refuse such a rule rather than store a dead one.
    if (allTerms.length === 0 && anyTerms.length === 0) {
      throw new DomainError('invalid', 'rule-without-terms', 'A rule needs at least one term in allTerms or anyTerms', 'anyTerms');
    }

    const indicatorId = input.indicator === null ? null : (await this.indicators.get(input.indicator, 'indicator')).id;

    const impacts: RuleImpact[] = [];
    for (const [index, impact] of input.impacts.entries()) {
      const field = `impacts[${index}].prediction`;
      const prediction = await this.predictions.get(impact.prediction, field);
      if (impacts.some((earlier) => earlier.prediction === prediction.id)) {
        throw new DomainError('invalid', 'duplicate-impact', `${field}: the rule already names prediction "${impact.prediction}"`, field);
      }
      impacts.push({ prediction: prediction.id, direction: impact.direction, strength: impact.strength });
    }
    if (input.autoAccept && impacts.length === 0) {
      throw new DomainError('invalid', 'auto-accept-without-impacts', 'A rule that auto-accepts needs impacts to record', 'autoAccept');
    }

    const sourceIds = [...new Set(input.sourceIds.map((id) => id.toLowerCase()))];
    if (sourceIds.length > 0) {
      const known = new Set((await this.prisma.source.findMany({ where: { id: { in: sourceIds } }, select: { id: true } })).map((source) => source.id));
      const unknown = input.sourceIds.findIndex((id) => !known.has(id.toLowerCase()));
      if (unknown >= 0) throw new NotFoundError('Source', input.sourceIds[unknown]!, `sourceIds[${unknown}]`);
    }

    return {
      name: input.name.trim(),
      allTerms,
      anyTerms,
      noneTerms,
      sourceIds,
      indicatorId,
      impacts: impacts as unknown as Prisma.InputJsonArray,
      autoAccept: input.autoAccept,
      enabled: input.enabled,
    };
  }

  private async uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DomainError('conflict', 'rule-name-taken', `A rule named "${name}" already exists`, 'name');
      }
      throw error;
    }
  }
}

function toRuleView(rule: Rule & { indicator: { id: string; slug: string } | null }): RuleView {
  return { ...rule, impacts: parseRuleImpacts(rule.impacts) };
}
