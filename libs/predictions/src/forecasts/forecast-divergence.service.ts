import { Injectable } from '@nestjs/common';

import { aggregateForecast } from '#core';
import { AppConfig } from '#config';
import { asSqlSession, type PrismaTransaction, type SqlSession } from '#db';
import { OutboxWriter, type OutboxEventInput } from '#events';

/** One side of a comparison: the model's probability and the team forecast (null before any analyst forecast). */
export interface ForecastPair {
  model: number;
  team: { probability: number; forecasters: number } | null;
}

/**
 * Announces `prediction.forecasts_diverge` when the model and the team forecast
 * come more than FORECAST_DIVERGENCE_POINTS apart. Stateless and once per
 * crossing: the caller gives the pair before and after its change (a move of the
 * model, or a forecast that moves the team) inside its transaction, under the
 * prediction's row lock, and an event is written only when the gap goes from
 * within the threshold to beyond it. Moves that keep it beyond say nothing more.
 */
@Injectable()
export class ForecastDivergenceService {
  constructor(
    private readonly config: AppConfig,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The team forecast now, from each analyst's latest forecast, read in the caller's transaction. */
  async teamNow(tx: PrismaTransaction | SqlSession, predictionId: string): Promise<ForecastPair['team']> {
    const latest = await asSqlSession(tx).query<{ probability: number }>(
      `SELECT DISTINCT ON ("forecaster") "probability" FROM "Forecast"
        WHERE "predictionId" = $1::uuid
        ORDER BY "forecaster", "createdAt" DESC, "id" DESC`,
      [predictionId],
    );
    return teamForecastOf(latest.map((row) => row.probability));
  }

  /** After a move of the model: the team is as it was. */
  async afterModelMove(tx: PrismaTransaction | SqlSession, prediction: { id: string; slug: string }, before: number, after: number, actor: string): Promise<void> {
    if (before === after) return;
    const team = await this.teamNow(tx, prediction.id);
    if (!team) return;
    await this.announceCrossing(tx, prediction, { model: before, team }, { model: after, team }, 'model', actor);
  }

  async announceCrossing(
    tx: PrismaTransaction | SqlSession,
    prediction: { id: string; slug: string },
    before: ForecastPair,
    after: ForecastPair,
    cause: 'model' | 'team',
    actor: string,
  ): Promise<void> {
    if (!this.crosses(before, after)) return;
    await this.outbox.write(tx, [this.crossingEvent(prediction, after, cause, actor)]);
  }

  /**
   * The event a move of the model makes when it takes the model beyond the threshold
   * from the team forecast (which the move leaves as it was); null otherwise. For a
   * caller that has read the team already, as the evidence path does in its write.
   */
  crossingAfterModelMove(prediction: { id: string; slug: string }, before: number, after: number, team: ForecastPair['team'], actor: string): OutboxEventInput | null {
    if (before === after || !team) return null;
    const pair = { model: after, team };
    return this.crosses({ model: before, team }, pair) ? this.crossingEvent(prediction, pair, 'model', actor) : null;
  }

  /** Whether the gap goes from within the threshold to beyond it: the only change that is announced. */
  private crosses(before: ForecastPair, after: ForecastPair): boolean {
    return !this.diverges(before) && this.diverges(after);
  }

  /** The `prediction.forecasts_diverge` event for a pair that has just crossed. */
  private crossingEvent(prediction: { id: string; slug: string }, after: ForecastPair, cause: 'model' | 'team', actor: string): OutboxEventInput {
    const team = after.team!;
    return {
      type: 'prediction.forecasts_diverge',
      predictionId: prediction.id,
      payload: {
        predictionId: prediction.id,
        slug: prediction.slug,
        modelProbability: after.model,
        teamProbability: team.probability,
        differencePoints: gapPoints(after.model, team.probability),
        thresholdPoints: this.config.FORECAST_DIVERGENCE_POINTS,
        forecasters: team.forecasters,
        cause,
        actor,
      },
    };
  }

  private diverges(pair: ForecastPair): boolean {
    return pair.team !== null && gapPoints(pair.model, pair.team.probability) > this.config.FORECAST_DIVERGENCE_POINTS;
  }
}

/** The team forecast from each analyst's latest probability; null before any analyst has forecast. */
export function teamForecastOf(latest: readonly number[]): ForecastPair['team'] {
  const probability = aggregateForecast(latest);
  return probability === null ? null : { probability, forecasters: latest.length };
}

/** |model - team| in percentage points, rounded to a hundredth of a point so float noise cannot make a crossing. */
function gapPoints(model: number, team: number): number {
  return Math.round(Math.abs(model - team) * 10_000) / 100;
}
