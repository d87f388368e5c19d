import { Injectable, Logger } from '@nestjs/common';

import { compileRuleQuery, DomainError, NotFoundError, RuleQuerySyntaxError, termSetReferences, type TermSets, UnknownTermSetError } from '#core';
import { isUniqueViolation, type Page, pageQuery, type PageRequest, Prisma, PrismaService, type Rule, toPage } from '#db';
import { PredictionsService } from '#predictions';

import { IndicatorsService } from '../indicators/indicators.service.js';
import { ruleTerms } from './rule-terms.js';
import { parseRuleImpacts, type RoutableRule, type RuleImpact } from './signal-matches.js';
import { TermSetsRepository } from './term-sets.repository.js';

/** What the seed adds: ids already resolved. */
export interface NewRule {
  name: string;
  query: string;
  indicatorId?: string | null;
  impacts: Prisma.InputJsonArray;
  autoAccept?: boolean;
}

/** A rule as an analyst writes it: indicator and predictions by id or slug. */
export interface RuleInput {
  name: string;
  query: string;
  sourceIds: string[];
  indicator: string | null;
  impacts: { prediction: string; direction: RuleImpact['direction']; strength: RuleImpact['strength'] }[];
  autoAccept: boolean;
  enabled: boolean;
}

export type RuleChanges = Partial<RuleInput>;

/** A rule whose query names a term set. */
export interface RuleUsingTermSet {
  id: string;
  name: string;
  query: string;
  enabled: boolean;
}

export interface RuleView extends Omit<Rule, 'impacts'> {
  indicator: { id: string; slug: string } | null;
  impacts: RuleImpact[];
}

const RULE_INCLUDE = { indicator: { select: { id: true, slug: true } } } as const;

@Injectable()
export class RulesService {
  private readonly logger = new Logger(RulesService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly indicators: IndicatorsService,
    private readonly predictions: PredictionsService,
    private readonly termSets: TermSetsRepository,
  ) {}

  /**
   * Adds each seed rule unless one with its name exists; a rule the seed wrote
   * and no analyst changed since (`editedAt` null) takes the seed's newer
   * query, indicator and impacts. An analyst's edits are never overwritten.
   * One read finds them all: on every start but the first, nothing else runs.
   */
  async addOrImproveSeeded(rules: readonly NewRule[]): Promise<('added' | 'improved' | 'kept')[]> {
    const stored = await this.prisma.rule.findMany({ where: { name: { in: rules.map((rule) => rule.name) } }, select: { name: true, query: true, editedAt: true } });
    const byName = new Map(stored.map((rule) => [rule.name, rule]));
    const missing = rules.filter((rule) => !byName.has(rule.name));
    // A replica seeding at the same moment may add some first: only the rows this call wrote count as added.
    const added = new Set(
      missing.length === 0 ? [] : (await this.prisma.rule.createManyAndReturn({ data: missing, skipDuplicates: true, select: { name: true } })).map((rule) => rule.name),
    );
    return Promise.all(
      rules.map(async (rule) => {
        if (added.has(rule.name)) return 'added';
        const current = byName.get(rule.name);
        if (!current || current.editedAt !== null || current.query === rule.query) return 'kept';
        const improved = await this.prisma.rule.updateMany({
          where: { name: rule.name, editedAt: null, NOT: { query: rule.query } },
          data: { query: rule.query, indicatorId: rule.indicatorId ?? null, impacts: rule.impacts },
        });
        return improved.count > 0 ? 'improved' : 'kept';
      }),
    );
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
      query: changes.query ?? current.query,
      sourceIds: changes.sourceIds ?? current.sourceIds,
      indicator: changes.indicator === undefined ? (current.indicator?.id ?? null) : changes.indicator,
      impacts: changes.impacts ?? current.impacts,
      autoAccept: changes.autoAccept ?? current.autoAccept,
      enabled: changes.enabled ?? current.enabled,
    };
    const data = await this.resolve(merged);
    return this.uniqueName(merged.name, async () => {
      try {
        return toRuleView(await this.prisma.rule.update({ where: { id }, data: { ...data, editedAt: new Date() }, include: RULE_INCLUDE }));
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

  /**
   * The enabled rules in creation order, compiled with the term sets as they
   * are now (a changed set takes effect on the next routing), with what
   * routing needs to snapshot into an item's matches.
   */
  async enabledRules(): Promise<RoutableRule[]> {
    const [rules, termSets] = await Promise.all([
      this.prisma.rule.findMany({ where: { enabled: true }, include: RULE_INCLUDE, orderBy: { id: 'asc' } }),
      this.termSets.termSets(),
    ]);
    const routable: RoutableRule[] = [];
    for (const rule of rules) {
      const view = toRuleView(rule);
      let tsQuery: string;
      try {
        tsQuery = compileRuleQuery(view.query, termSets);
      } catch (error) {
        // Only a rule written to the table by hand (or one naming a set deleted while the rule was disabled) can
        // hold a query that does not compile; it routes nothing rather than stopping routing.
        if (!(error instanceof RuleQuerySyntaxError)) throw error;
        this.logger.warn({ ruleId: view.id, reason: error.message }, 'Rule query does not parse; the rule is skipped');
        continue;
      }
      routable.push({
        id: view.id,
        name: view.name,
        query: view.query,
        tsQuery,
        sourceIds: view.sourceIds,
        autoAccept: view.autoAccept,
        indicator: view.indicator,
        impacts: view.impacts,
        terms: ruleTerms(view.query, termSets),
      });
    }
    return routable;
  }

  /** The rules whose query names the term set, enabled or not, in creation order. */
  async usingTermSet(name: string): Promise<RuleUsingTermSet[]> {
    return (await this.usingTermSets([name])).get(name) ?? [];
  }

  /** For each of the term sets, the rules whose query names it, in creation order: one read for them all. */
  async usingTermSets(names: readonly string[]): Promise<Map<string, RuleUsingTermSet[]>> {
    const users = new Map<string, RuleUsingTermSet[]>(names.map((name) => [name, []]));
    if (names.length === 0) return users;
    const rules = await this.prisma.rule.findMany({
      where: { OR: names.map((name) => ({ query: { contains: `@${name}` } })) },
      select: { id: true, name: true, query: true, enabled: true },
      orderBy: { id: 'asc' },
    });
    for (const rule of rules) for (const { name } of termSetReferences(rule.query)) users.get(name)?.push(rule);
    return users;
  }

  /**
   * Parses a query written in the `field` of a request and compiles it for
   * to_tsquery, each `@name` with the stored term sets (or the ones given); a
   * query that does not parse, names a set that does not exist, or whose words
   * are all stop words ("the", "of"...), is refused naming the field and the position.
   */
  async compile(query: string, field = 'query', termSets?: TermSets): Promise<string> {
    let tsQuery: string;
    try {
      tsQuery = compileRuleQuery(query, termSets ?? (query.includes('@') ? await this.termSets.termSets() : undefined));
    } catch (error) {
      if (error instanceof RuleQuerySyntaxError) {
        const code = error instanceof UnknownTermSetError ? 'unknown-term-set' : 'invalid-query';
        throw new DomainError('invalid', code, `${field}: ${error.reason} at position ${error.position}`, field);
      }
      throw error;
    }
    const [{ tree }] = await this.prisma.$queryRaw<[{ tree: string }]>`SELECT querytree(to_tsquery('english', ${tsQuery})) AS tree`;
    if (tree === '' || tree === 'T') {
      throw new DomainError('invalid', 'query-without-words', `${field}: the query has no words to search for besides stop words or exclusions`, field);
    }
    return tsQuery;
  }

  /** Checks the rule makes sense and turns slugs into ids; each problem names the field the client sent. */
  private async resolve(input: RuleInput): Promise<Prisma.RuleUncheckedCreateInput> {
    const query = input.query.trim();
    await this.compile(query);

    const indicatorId = input.indicator === null ? null : (await this.indicators.get(input.indicator, 'indicator')).id;

    const predictions = await this.predictions.lookUp(
      input.impacts.map((impact) => impact.prediction),
      (index) => `impacts[${index}].prediction`,
    );
    const impacts: RuleImpact[] = [];
    for (const [index, impact] of input.impacts.entries()) {
      const field = `impacts[${index}].prediction`;
      const prediction = predictions[index]!;
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
      query,
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
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'rule-name-taken', `A rule named "${name}" already exists`, 'name');
      }
      throw error;
    }
  }
}

function toRuleView(rule: Rule & { indicator: { id: string; slug: string } | null }): RuleView {
  return { ...rule, impacts: parseRuleImpacts(rule.impacts) };
}
