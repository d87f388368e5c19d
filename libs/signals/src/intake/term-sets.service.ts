import { Injectable } from '@nestjs/common';

import { compileRuleQuery, DomainError, parseTermSetTerm, RuleQuerySyntaxError, toTsQuery } from '#core';
import { type Page, type PageRequest, PrismaService, type TermSet, type TermSetRevision } from '#db';

import { RulesService, type RuleUsingTermSet } from './rules.service.js';
import { type MatchDecisions, type QueryComparison, SignalSearchService } from './signal-search.service.js';
import { SEED_TERM_SET_ACTOR, type TermSetContent, TermSetsRepository } from './term-sets.repository.js';

/** A term set with the rules whose queries name it. */
export interface TermSetView extends TermSet {
  rules: Omit<RuleUsingTermSet, 'query'>[];
}

/** Only what is sent changes; the name stays (rules refer to it). */
export interface TermSetChanges {
  description?: string;
  terms?: readonly string[];
}

/** What a rule that uses the set would match with the proposed terms, against what it matches now. */
export interface TermSetRulePreview extends QueryComparison {
  rule: Omit<RuleUsingTermSet, 'query'>;
}

/** What a change of a set's terms would do, before it is saved. */
export interface TermSetPreview {
  name: string;
  /** Stored items holding any of the set's terms: now (null for a set not yet created) and with the proposed terms. */
  terms: { current: MatchDecisions | null; proposed: MatchDecisions };
  /** Each rule that uses the set, enabled ones first: current and proposed matches, what is added and dropped, and how analysts decided those. */
  rules: TermSetRulePreview[];
}

/** What the seed did with each of its sets. */
export type SeededTermSetOutcome = 'added' | 'improved' | 'kept';

/**
 * Term sets: named lists of words, prefixes and phrases (English or Chinese)
 * that any rule's query uses as `@name`. Rules compile with the sets as they
 * are when they route, so a change takes effect on the next routing without
 * touching a rule. Every change is a new version; the earlier ones are kept.
 */
@Injectable()
export class TermSetsService {
  constructor(
    private readonly repository: TermSetsRepository,
    private readonly rules: RulesService,
    private readonly search: SignalSearchService,
    private readonly prisma: PrismaService,
  ) {}

  async list(request: PageRequest): Promise<Page<TermSetView>> {
    const page = await this.repository.list(request);
    const users = await this.rules.usingTermSets(page.items.map((set) => set.name));
    return { items: page.items.map((set) => withRules(set, users.get(set.name) ?? [])), nextCursor: page.nextCursor };
  }

  async get(name: string): Promise<TermSetView> {
    const set = await this.repository.get(name);
    return withRules(set, await this.rules.usingTermSet(name));
  }

  async create(content: TermSetContent, actor: string): Promise<TermSetView> {
    const terms = await this.checkTerms(content.terms);
    return withRules(await this.repository.create({ ...content, terms }, actor), await this.rules.usingTermSet(content.name));
  }

  /** Writes the next version when something changed; sending what is stored changes nothing. */
  async update(name: string, changes: TermSetChanges, actor: string): Promise<TermSetView> {
    const current = await this.repository.get(name);
    const next = {
      description: changes.description ?? current.description,
      terms: changes.terms === undefined ? current.terms : await this.checkTerms(changes.terms),
    };
    const unchanged = next.description === current.description && sameTerms(next.terms, current.terms);
    const written = unchanged ? current : await this.repository.update(name, next, actor);
    return withRules(written!, await this.rules.usingTermSet(name));
  }

  /** Refused while an enabled rule uses the set: the rule would stop routing. */
  async delete(name: string): Promise<void> {
    await this.repository.get(name);
    const enabled = (await this.rules.usingTermSet(name)).filter((rule) => rule.enabled);
    if (enabled.length > 0) {
      throw new DomainError(
        'conflict',
        'term-set-in-use',
        `Term set "@${name}" is used by ${enabled.length === 1 ? 'the enabled rule' : 'enabled rules'} ${enabled.map((rule) => `"${rule.name}"`).join(', ')}: change or disable ${enabled.length === 1 ? 'it' : 'them'} first`,
        'name',
      );
    }
    await this.repository.delete(name);
  }

  async revisions(name: string): Promise<TermSetRevision[]> {
    return this.repository.revisions(name);
  }

  /**
   * What saving these terms would change, over the items stored since a time:
   * for every rule that uses the set, its matches now and with the proposed
   * terms, the items it would add and drop, and how analysts decided them.
   */
  async preview(name: string, proposedTerms: readonly string[], since: Date | null): Promise<TermSetPreview> {
    const terms = await this.checkTerms(proposedTerms);
    const current = await this.repository.termSets();
    const currentTerms = current.get(name);
    const proposed = new Map(current).set(name, terms);
    const setQuery = (list: readonly string[]) => list.map((term) => toTsQuery(parseTermSetTerm(term))).join(' | ');
    const setComparison = await this.search.compare(currentTerms === undefined ? setQuery(terms) : setQuery(currentTerms), setQuery(terms), since);

    const users = (await this.rules.usingTermSet(name)).sort((a, b) => Number(b.enabled) - Number(a.enabled));
    const rules: TermSetRulePreview[] = [];
    for (const { query, ...rule } of users) {
      let before: string;
      let after: string;
      try {
        before = compileRuleQuery(query, current);
        after = compileRuleQuery(query, proposed);
      } catch (error) {
        // A disabled rule may name another set since deleted: it matches nothing either way.
        if (error instanceof RuleQuerySyntaxError) continue;
        throw error;
      }
      rules.push({ rule, ...(await this.search.compare(before, after, since)) });
    }
    return { name, terms: { current: currentTerms === undefined ? null : setComparison.current, proposed: setComparison.proposed }, rules };
  }

  /**
   * Adds each seed set unless one with its name exists; a set whose current
   * version the seed wrote (no one has edited it since) takes the seed's newer
   * terms and description as a new version. An admin's edits are never overwritten.
   */
  async addOrImproveSeeded(sets: readonly TermSetContent[]): Promise<SeededTermSetOutcome[]> {
    const stored = new Map((await this.repository.findByNames(sets.map((set) => set.name))).map((set) => [set.name, set]));
    const outcomes: SeededTermSetOutcome[] = [];
    for (const set of sets) {
      const current = stored.get(set.name);
      if (!current) {
        try {
          await this.repository.create(set, SEED_TERM_SET_ACTOR);
          outcomes.push('added');
        } catch (error) {
          // Another replica seeding at the same moment added it first.
          if (!(error instanceof DomainError && error.code === 'term-set-name-taken')) throw error;
          outcomes.push('kept');
        }
        continue;
      }
      if (current.updatedBy !== SEED_TERM_SET_ACTOR || (current.description === set.description && sameTerms(current.terms, set.terms))) {
        outcomes.push('kept');
        continue;
      }
      const improved = await this.repository.update(set.name, set, SEED_TERM_SET_ACTOR, SEED_TERM_SET_ACTOR);
      outcomes.push(improved ? 'improved' : 'kept');
    }
    return outcomes;
  }

  /**
   * Each term must be one word, prefix* or "phrase" with something to search
   * for besides stop words; the first that is not is refused naming
   * `terms[i]`. Exact repeats are dropped; the order is kept.
   */
  private async checkTerms(terms: readonly string[]): Promise<string[]> {
    if (terms.length === 0) throw new DomainError('invalid', 'term-set-without-terms', 'terms: a term set needs at least one term', 'terms');
    const compiled = terms.map((term, index) => {
      try {
        return toTsQuery(parseTermSetTerm(term));
      } catch (error) {
        if (error instanceof RuleQuerySyntaxError) {
          throw new DomainError('invalid', 'invalid-term', `terms[${index}]: ${error.reason} at position ${error.position}`, `terms[${index}]`);
        }
        throw error;
      }
    });
    const trees = await this.prisma.$queryRaw<{ tree: string }[]>`
      SELECT querytree(to_tsquery('english', t.q)) AS tree FROM unnest(${compiled}::text[]) WITH ORDINALITY AS t(q, n) ORDER BY t.n`;
    const empty = trees.findIndex((row) => row.tree === '' || row.tree === 'T');
    if (empty >= 0) {
      throw new DomainError('invalid', 'term-without-words', `terms[${empty}]: "${terms[empty]}" has no words to search for besides stop words`, `terms[${empty}]`);
    }
    return [...new Set(terms.map((term) => term.trim()))];
  }
}

function withRules(set: TermSet, rules: readonly RuleUsingTermSet[]): TermSetView {
  return { ...set, rules: rules.map(({ id, name, enabled }) => ({ id, name, enabled })) };
}

function sameTerms(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((term, index) => term === b[index]);
}
