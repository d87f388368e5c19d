import { Injectable } from '@nestjs/common';

import type { AuditEntry } from '#db';

import { ForecastDivergenceService } from '../forecasts/forecast-divergence.service.js';
import type { AuditMove } from './audit-entry.js';
import { PredictionChainRepository, type ChainTransaction, type LockedPrediction } from './prediction-chain.repository.js';

/**
 * One move of one prediction and what follows from it: the entry on its chain
 * (through the chain repository) and, when the move parts the model from the
 * team forecast, that announcement. The evidence path, which moves several
 * predictions in one statement, uses the repository's parts directly and
 * checks its divergences in one batch.
 */
@Injectable()
export class AuditTrailService {
  constructor(
    private readonly chain: PredictionChainRepository,
    private readonly divergence: ForecastDivergenceService,
  ) {}

  /** Appends one move to a prediction the caller holds locked, inside the caller's transaction. */
  async append(tx: ChainTransaction, head: Pick<LockedPrediction, 'id' | 'slug' | 'logOdds' | 'auditSequence' | 'auditHash'>, move: AuditMove): Promise<AuditEntry> {
    const [entry] = await this.chain.append(tx, [{ head, move }]);
    await this.divergence.afterModelMove(tx, head, entry!.probabilityBefore, entry!.probabilityAfter, move.actor);
    return entry!;
  }
}
