import { Injectable } from '@nestjs/common';

import { AppConfig } from '#config';
import { StorySignatureReader } from '#core';

import { TermSetsRepository } from './term-sets.repository.js';

/**
 * Reads what the same-story detector compares of an item (its signature),
 * with the term sets as they are now: compiled once, and again only after a
 * set changed. Null when grouping is off (`STORY_GROUPING=false`): every item
 * is then a story of its own.
 */
@Injectable()
export class StorySignatures {
  private readonly enabled: boolean;
  private cached: { fingerprint: string; reader: StorySignatureReader } | null = null;

  constructor(
    config: AppConfig,
    private readonly termSets: TermSetsRepository,
  ) {
    this.enabled = config.STORY_GROUPING === 'true';
  }

  async reader(): Promise<StorySignatureReader | null> {
    if (!this.enabled) return null;
    const fingerprint = await this.termSets.fingerprint();
    if (this.cached?.fingerprint !== fingerprint) {
      const sets = await this.termSets.termSets();
      this.cached = { fingerprint, reader: new StorySignatureReader(Object.fromEntries([...sets].map(([name, terms]) => [name, [...terms]]))) };
    }
    return this.cached.reader;
  }
}
